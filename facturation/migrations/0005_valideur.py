"""« Factures à valider »: the status of a tacit validation (« Absence de validation dans les délais ») and the
indexes of the valideur's pages.

Both indexes are partial (only the A9/A12 invoices, which have a valideur: a small part of the table) and in the
list's order (``id DESC``, keyset ``id < apres``), the valideur structures being resolved to constants
(``facturation.queries.factures_a_valider``):

* ``(statut, valideur_id, id DESC)``: the default « À valider » list and « Refusée » (one status), and the
  selection of the tacit validation (``statut = 'A_VALIDER_1'``, every valideur);
* ``(valideur_id, id DESC)``: « Toutes » and « Validée » (several statuses).

Built CONCURRENTLY (no write lock on a live table), hence ``atomic = False``; the status choices change nothing
in the database.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0004_index_destinataire"),
    ]

    operations = [
        migrations.AlterField(
            model_name="facture",
            name="statut",
            field=models.CharField(
                choices=[
                    ("BROUILLON", "Brouillon"),
                    ("DEPOSEE", "Déposée"),
                    ("A_VALIDER_1", "À valider"),
                    ("VALIDEE_1", "Validée"),
                    ("REFUSEE_1", "Refusée par le valideur"),
                    ("ABSENCE_VALIDATION_1_HORS_DELAI", "Absence de validation dans les délais"),
                    ("MISE_A_DISPOSITION", "Mise à disposition du destinataire"),
                    ("PRISE_EN_COMPTE_DESTINATAIRE", "Prise en compte destinataire"),
                    ("A_RECYCLER", "A recycler"),
                    ("SUSPENDUE", "Suspendue"),
                    ("COMPLETEE", "Complétée"),
                    ("REJETEE", "Rejetée"),
                    ("SERVICE_FAIT", "Service fait"),
                    ("MANDATEE", "Mandatée"),
                    ("MISE_A_DISPOSITION_COMPTABLE", "Mise à disposition du comptable"),
                    ("COMPTABILISEE", "Comptabilisée"),
                    ("MISE_EN_PAIEMENT", "Mise en paiement"),
                    ("ABANDONNEE", "Abandonnée"),
                ],
                default="BROUILLON",
                max_length=40,
            ),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(
                condition=models.Q(("valideur__isnull", False)),
                fields=["statut", "valideur", "-id"],
                name="facture_a_valider_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(
                condition=models.Q(("valideur__isnull", False)),
                fields=["valideur", "-id"],
                name="facture_valideur_idx",
            ),
        ),
    ]
