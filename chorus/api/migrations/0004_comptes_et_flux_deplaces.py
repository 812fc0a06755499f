"""CompteTechnique now lives in ``organisation`` and FluxDepot in ``facturation`` (their migrations 0004 and 0010
take over the state; the tables keep their names and rows). Here the old state goes, and the content types (hence
the admin permissions and log entries) follow the models to their new application."""

from django.db import migrations

DEPLACES = {"comptetechnique": "organisation", "fluxdepot": "facturation"}


def deplacer_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modele, application in DEPLACES.items():
        if not ContentType.objects.filter(app_label=application, model=modele).exists():
            ContentType.objects.filter(app_label="api", model=modele).update(app_label=application)


def restaurer_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for modele, application in DEPLACES.items():
        if not ContentType.objects.filter(app_label="api", model=modele).exists():
            ContentType.objects.filter(app_label=application, model=modele).update(app_label="api")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_flux_reprise"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisation", "0004_comptetechnique"),
        ("facturation", "0010_fluxdepot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="fluxdepot", name="compte"),
                migrations.RemoveField(model_name="fluxdepot", name="factures"),
                migrations.RemoveField(model_name="fluxdepot", name="structure"),
                migrations.DeleteModel(name="CompteTechnique"),
                migrations.DeleteModel(name="FluxDepot"),
            ],
        ),
        migrations.RunPython(deplacer_types, restaurer_types),
    ]
