from django.db import migrations, models

from chorus.compteurs import cle, index_a_compacter
from travaux.compteurs import COMPTEUR
from travaux.statuts import Role

# The works pieces' counters of the Tableau de bord (``CompteurPieces``) are written by the database, whatever writes
# the pieces (the services, an invoice's transition rewriting a piece's « état courant », a dossier's actor changed
# rewriting its copies, a COPY of the bench seed): the kit's statement triggers (``chorus.compteurs``) for
# ``travaux.compteurs.COMPTEUR``, then yesterday's pieces counted.


class Migration(migrations.Migration):
    dependencies = [
        ("travaux", "0005_index_numero_marche_trigrammes"),
        ("organisation", "0012_index_recherche_structure"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompteurPieces",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.CharField("rôle", max_length=20, choices=Role.choices)),
                ("structure", cle("organisation.Structure")),
                ("etat_courant", models.CharField("état courant", max_length=40)),
                ("deposant", cle("organisation.Structure", "déposant", null=True)),
                ("nombre", models.BigIntegerField()),
                ("compacte", models.BooleanField(default=False)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["structure", "role", "etat_courant"],
                        include=("deposant", "nombre"),
                        name="compteur_piece_idx",
                    ),
                    index_a_compacter("compteur_piece_a_compacter_idx"),
                ],
                "verbose_name": "compteur de pièces de travaux",
                "verbose_name_plural": "compteurs de pièces de travaux",
            },
        ),
        migrations.RunSQL(COMPTEUR.sql_installer(), COMPTEUR.sql_desinstaller()),
    ]
