"""Rechercher filtered by recipient: once the recipients are resolved to ids (``views._filtrer``), this index
serves ``fournisseur_id = … AND destinataire_id IN (…) ORDER BY id DESC`` in order, up to the page's LIMIT."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("facturation", "0003_index_volume"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS facture_fournisseur_destinataire_idx "
            "ON facturation_facture (fournisseur_id, destinataire_id, id DESC)",
            "DROP INDEX CONCURRENTLY IF EXISTS facture_fournisseur_destinataire_idx",
        ),
    ]
