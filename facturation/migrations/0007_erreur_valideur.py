"""« Erreur fournisseur sur valideur » (the valideur says it is not the right one; the supplier corrects it), and
the supplier's Synthèse index follows its new condition: the partial index ``facture_synthese_idx`` must have
exactly the Synthèse's WHERE (``facturation.views.STATUTS_ACTION_FOURNISSEUR`` + unhandled rejections) for the
planner to use it. Swapped CONCURRENTLY (a new index, then the old one dropped), hence ``atomic = False``."""

from django.db import migrations, models

ANCIEN = (
    "(fournisseur_id, updated_at DESC, id DESC) WHERE "
    "(statut IN ('BROUILLON', 'A_RECYCLER', 'SUSPENDUE') OR (statut = 'REJETEE' AND NOT rejet_traite))"
)
NOUVEAU = (
    "(fournisseur_id, updated_at DESC, id DESC) WHERE "
    "(statut IN ('BROUILLON', 'A_RECYCLER', 'SUSPENDUE', 'ERREUR_FOURNISSEUR_SUR_VALIDEUR') "
    "OR (statut = 'REJETEE' AND NOT rejet_traite))"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0006_recues"),
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
                    ("ERREUR_FOURNISSEUR_SUR_VALIDEUR", "Erreur fournisseur sur valideur"),
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
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS facture_synthese_v2_idx ON facturation_facture {NOUVEAU}",
            "DROP INDEX CONCURRENTLY IF EXISTS facture_synthese_v2_idx",
        ),
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS facture_synthese_idx",
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS facture_synthese_idx ON facturation_facture {ANCIEN}",
        ),
    ]
