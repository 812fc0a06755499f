"""« Factures reçues »: the indexes of the recipient's pages, each in its page's order.

The recipient's perimeter is resolved to constants first (``facturation.queries.factures_recues``): the
structures where the user is attached at structure level, or the services of a service-level rattachement. Each
list then becomes an ordered index scan that stops at its LIMIT:

* Rechercher (``ORDER BY id DESC``, keyset ``id < apres``) and the exports: ``(destinataire_id, id DESC)`` without a
  status filter, ``(destinataire_id, statut, id DESC)`` with one (which also gives the Tableau de bord an
  index-only count by status); the same two on ``service_destinataire_id`` for the agents attached to services;
* Synthèse « Factures à traiter » (``ORDER BY updated_at DESC, id DESC``): partial indexes holding only the
  invoices awaiting the recipient (Mise à disposition, Complétée, Prise en compte), by structure and by service.

Built CONCURRENTLY (no write lock on a live table), hence ``atomic = False``.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

A_TRAITER = models.Q(("statut__in", ["MISE_A_DISPOSITION", "COMPLETEE", "PRISE_EN_COMPTE_DESTINATAIRE"]))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0005_valideur"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(fields=["destinataire", "-id"], name="facture_recue_idx"),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(fields=["destinataire", "statut", "-id"], name="facture_recue_statut_idx"),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(fields=["service_destinataire", "-id"], name="facture_recue_service_idx"),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(fields=["service_destinataire", "statut", "-id"], name="facture_recue_svc_statut_idx"),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(
                condition=A_TRAITER, fields=["destinataire", "-updated_at", "-id"], name="facture_a_traiter_idx"
            ),
        ),
        AddIndexConcurrently(
            model_name="facture",
            index=models.Index(
                condition=A_TRAITER,
                fields=["service_destinataire", "-updated_at", "-id"],
                name="facture_a_traiter_svc_idx",
            ),
        ),
    ]
