import pytest
from django.core.management import call_command

from organisation import queries
from organisation.enums import Application, Niveau, StatutStructure
from organisation.management.commands.charger_demo import MOT_DE_PASSE_DEMO, SIRET_ETAT
from organisation.models import Structure, Utilisateur

pytestmark = pytest.mark.django_db


def test_donnees_de_demonstration_completes_et_chargees_une_seule_fois():
    call_command("charger_demo")
    gp = Utilisateur.objects.get(email="gestionnaire@demo.chorus-pro.fr")
    simple = Utilisateur.objects.get(email="fournisseur@demo.chorus-pro.fr")
    support = Utilisateur.objects.get(email="support@demo.chorus-pro.fr")
    assert gp.check_password(MOT_DE_PASSE_DEMO)

    fournisseur = queries.structures_gerees_par(gp).get()
    assert fournisseur.raison_sociale == "Bâtiments Martin SAS"
    assert queries.structures_de(simple, Application.FACTURES_EMISES, Niveau.MODIFICATION).get() == fournisseur
    assert not queries.structures_gerees_par(simple).exists()
    assert queries.mandat_facturation_actif(fournisseur)
    assert queries.coordonnees_bancaires_actives(fournisseur).count() == 1

    etat = Structure.objects.get(identifiant=SIRET_ETAT)
    assert etat.est_publique and etat.code_service_obligatoire and etat.statut == StatutStructure.ACTIVE
    assert etat.services.filter(actif=True).count() == 4
    assert queries.annuaire().filter(pk=etat.pk).exists()

    assert queries.approbations_a_traiter(gp).count() == 1
    assert queries.approbations_a_traiter(support).count() == 1
    assert queries.approbations_a_traiter(simple).count() == 0

    call_command("charger_demo")  # a second run changes nothing
    assert Utilisateur.objects.filter(email__endswith="@demo.chorus-pro.fr").count() == 7
    assert Structure.objects.count() == 5
