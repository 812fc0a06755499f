"""CompteTechnique moves from the API app (chorus.api, label « api ») to organisation: state only, the table
``api_comptetechnique`` and its rows stay as they are (chorus.api.migrations.0004 removes the old state)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0003_insee_coordonnees_mandat"),
        ("api", "0003_flux_reprise"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CompteTechnique",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("login", models.CharField(max_length=150, unique=True)),
                        ("mot_de_passe_hache", models.CharField(max_length=128, verbose_name="mot de passe (haché)")),
                        ("expiration_mot_de_passe", models.DateTimeField(verbose_name="expiration du mot de passe")),
                        ("actif", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "structure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="comptes_techniques",
                                to="organisation.structure",
                            ),
                        ),
                        (
                            "utilisateur",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="compte_technique",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "compte technique",
                        "verbose_name_plural": "comptes techniques",
                        "db_table": "api_comptetechnique",
                    },
                ),
            ],
        ),
    ]
