"""The invoices' history becomes partitioned by month of its date (issue 15): rows, id sequence, indexes, foreign
keys, the append-only trigger and the grants are kept; the model does not change."""

from django.db import migrations

from chorus.partitions import partitionner


class Migration(migrations.Migration):
    dependencies = [
        ("chorus", "0004_fonction_partitions_mensuelles"),
        ("facturation", "0016_merge_flux_tranches"),
    ]

    operations = [migrations.RunPython(*partitionner("facturation_historiquefacture", "created_at"))]
