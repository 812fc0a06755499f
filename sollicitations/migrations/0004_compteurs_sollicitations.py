from django.db import migrations, models

from chorus.compteurs import cle, index_a_compacter
from sollicitations.compteurs import COMPTEUR
from sollicitations.enums import StatutSollicitation

# The received sollicitations' counters of the Tableau de bord (``CompteurSollicitations``) are written by the
# database, whatever writes the sollicitations (the services, a COPY of the bench seed): the kit's statement
# triggers (``chorus.compteurs``) for ``sollicitations.compteurs.COMPTEUR``, then yesterday's sollicitations counted.


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0012_index_recherche_structure"),
        ("sollicitations", "0003_ux_libelles_accentues"),
    ]

    operations = [
        migrations.CreateModel(
            name="CompteurSollicitations",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("nombre", models.BigIntegerField()),
                ("compacte", models.BooleanField(default=False)),
                ("statut", models.CharField(max_length=30, choices=StatutSollicitation.choices)),
                ("structure", cle("organisation.Structure")),
                ("service", cle("organisation.Service", null=True)),
            ],
            options={
                "verbose_name": "compteur de sollicitations reçues",
                "verbose_name_plural": "compteurs de sollicitations reçues",
                "indexes": [
                    models.Index(
                        fields=["structure", "statut"], include=("service", "nombre"), name="compteur_sollicit_idx"
                    ),
                    index_a_compacter("compteur_sollicit_compact_idx"),
                ],
            },
        ),
        migrations.RunSQL(COMPTEUR.sql_installer(), COMPTEUR.sql_desinstaller()),
    ]
