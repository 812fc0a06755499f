"""CompteTechnique (now organisation's) and FluxDepot (now facturation's) moved out of the API app with state-only
migrations: a database at the previous state — rows in ``api_comptetechnique`` / ``api_fluxdepot`` — migrates
forward without losing them, and their content types follow the models."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from facturation.models import FluxDepot
from organisation.models import CompteTechnique
from tests.factories import StructureFactory, UtilisateurFactory

AVANT = [
    ("api", "0003_flux_reprise"),
    ("organisation", "0003_insee_coordonnees_mandat"),
    ("facturation", "0009_cadres_travaux"),
]


@pytest.mark.django_db(transaction=True)
def test_les_lignes_d_hier_survivent_au_deplacement():
    structure, utilisateur = StructureFactory(), UtilisateurFactory()
    executor = MigrationExecutor(connection)
    derniers = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(AVANT)
        anciens = MigrationExecutor(connection).loader.project_state(AVANT).apps
        compte = anciens.get_model("api", "CompteTechnique").objects.create(
            login="TECH_hier@cpro.fr",
            mot_de_passe_hache="x",
            expiration_mot_de_passe=timezone.now(),
            structure_id=structure.pk,
            utilisateur_id=utilisateur.pk,
        )
        flux = anciens.get_model("api", "FluxDepot").objects.create(
            numero="CPP0000000000000000000042",
            compte_id=compte.pk,
            structure_id=structure.pk,
            syntaxe="IN_DP_E1_CII_16B",
            nom_fichier="f.xml",
            fichier="flux/f.xml",
        )
        assert ContentType.objects.filter(app_label="api", model="comptetechnique").exists()
    finally:
        MigrationExecutor(connection).migrate(derniers)
    assert CompteTechnique.objects.get(pk=compte.pk).login == "TECH_hier@cpro.fr"
    repris = FluxDepot.objects.get(pk=flux.pk)
    assert repris.numero == "CPP0000000000000000000042" and repris.compte.structure == structure
    assert ContentType.objects.get_for_model(CompteTechnique).app_label == "organisation"
    assert ContentType.objects.get_for_model(FluxDepot).app_label == "facturation"
    assert not ContentType.objects.filter(app_label="api", model__in=["comptetechnique", "fluxdepot"]).exists()
