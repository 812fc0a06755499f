"""FluxDepot moves from the API app (chorus.api, label « api ») to facturation: state only, the tables
``api_fluxdepot`` and ``api_fluxdepot_factures`` and their rows stay as they are."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("facturation", "0009_cadres_travaux"),
        ("organisation", "0004_comptetechnique"),
        ("api", "0003_flux_reprise"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="FluxDepot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("numero", models.CharField(max_length=30, unique=True, verbose_name="numéro de flux")),
                        ("syntaxe", models.CharField(max_length=40)),
                        ("nom_fichier", models.CharField(max_length=255)),
                        ("fichier", models.FileField(upload_to="flux/%Y/%m/")),
                        (
                            "etat",
                            models.CharField(
                                choices=[
                                    ("IN_RECU", "Reçu"),
                                    ("IN_EN_COURS_TRAITEMENT_CPP", "En cours de traitement"),
                                    ("IN_INTEGRE", "Intégré"),
                                    ("IN_INTEGRE_PARTIEL", "Intégré partiellement"),
                                    ("IN_REJETE", "Rejeté"),
                                ],
                                default="IN_RECU",
                                max_length=40,
                            ),
                        ),
                        (
                            "erreurs_dp",
                            models.JSONField(blank=True, default=list, verbose_name="erreurs par demande de paiement"),
                        ),
                        ("erreurs_techniques", models.JSONField(blank=True, default=list)),
                        (
                            "created_at",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="déposé le"),
                        ),
                        (
                            "etat_le",
                            models.DateTimeField(default=django.utils.timezone.now, verbose_name="état courant depuis"),
                        ),
                        (
                            "tentatives",
                            models.PositiveSmallIntegerField(default=0, verbose_name="tentatives de traitement"),
                        ),
                        (
                            "traitement_vu_le",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="dernier signe de vie du traitement"
                            ),
                        ),
                        (
                            "membres_traites",
                            models.JSONField(
                                blank=True, default=dict, verbose_name="fichiers intégrés (SHA-256 → facture)"
                            ),
                        ),
                        (
                            "compte",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="flux",
                                to="organisation.comptetechnique",
                            ),
                        ),
                        ("factures", models.ManyToManyField(blank=True, related_name="+", to="facturation.facture")),
                        (
                            "structure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="flux_depot",
                                to="organisation.structure",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "flux déposé",
                        "verbose_name_plural": "flux déposés",
                        "db_table": "api_fluxdepot",
                        "indexes": [
                            models.Index(
                                condition=models.Q(("etat__in", ["IN_RECU", "IN_EN_COURS_TRAITEMENT_CPP"])),
                                fields=["etat_le"],
                                name="api_flux_a_traiter_idx",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
