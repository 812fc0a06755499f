"""The test factories make invoices the way the portal does: amounts from ``montants``, a sent invoice through the
deposit pipeline, later statuses along the status machine."""

from decimal import Decimal as D

import pytest

from facturation.enums import Cadre, ModeDepot, StatutFacture
from tests.factories import StructureFactory
from tests.facturation.factories import FactureFactory, ligne, piece

pytestmark = pytest.mark.django_db
S = StatutFacture


def test_brouillon_avec_les_montants_de_montants(fournisseur_gp, etat):
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        lignes=[ligne(quantite=2, prix_unitaire_ht="250"), ligne("Livres", prix_unitaire_ht="10", taux_tva="5.5")],
    )
    assert facture.statut == S.BROUILLON and facture.fournisseur == fournisseur_gp[1]
    assert facture.service_destinataire.code == "DRFIP_IDF"
    assert (facture.montant_ht, facture.montant_tva, facture.montant_ttc) == (D("510.00"), D("100.55"), D("610.55"))
    assert facture.lignes.count() == 2
    assert [(r.taux, r.base_ht) for r in facture.recapitulatif_tva.order_by("taux")] == [
        (D("5.50"), D("10.00")),
        (D("20.00"), D("500.00")),
    ]


def test_recue_passe_par_le_pipeline(fournisseur_gp, etat):
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True, pieces=[piece()])
    assert facture.statut == S.MISE_A_DISPOSITION and facture.mode_depot == ModeDepot.SAISIE
    assert facture.empreinte_certificat and facture.fichier and facture.pieces_jointes.count() == 1
    assert list(facture.historique.order_by("id").values_list("statut", flat=True)) == [S.DEPOSEE, S.MISE_A_DISPOSITION]


def test_sans_rien_un_fournisseur_et_un_destinataire_neufs():
    facture = FactureFactory(recue=True)
    assert facture.statut == S.MISE_A_DISPOSITION and facture.destinataire.est_publique


def test_a_valider(fournisseur_gp, etat):
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, a_valider=True)
    assert (facture.statut, facture.cadre) == (S.A_VALIDER_1, Cadre.A9) and facture.valideur is not None


def test_recue_valide_en_chemin_une_facture_a9(fournisseur_gp, etat):
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp, destinataire=etat, cadre=Cadre.A9, valideur=StructureFactory(), recue=True
    )
    assert facture.statut == S.MISE_A_DISPOSITION
    assert list(facture.historique.order_by("id").values_list("statut", flat=True)) == [
        S.DEPOSEE,
        S.A_VALIDER_1,
        S.VALIDEE_1,
        S.MISE_A_DISPOSITION,
    ]


@pytest.mark.parametrize("statut", [S.ABANDONNEE, S.SERVICE_FAIT, S.REJETEE, S.MISE_EN_PAIEMENT])
def test_statut_atteint_le_long_du_circuit(fournisseur_gp, etat, statut):
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, statut=statut)
    facture.refresh_from_db()
    assert facture.statut == statut
    assert facture.historique.filter(statut=statut).exists()
