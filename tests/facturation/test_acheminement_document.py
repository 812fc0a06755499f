"""Chorus Pro routing read from a deposited document (deposit pipeline, step 4): the buyer by SIRET or by SIREN
(the unique public structure of that SIREN, else the choices), the code service (BT-10: an unknown one is refused
with the recipient's active services, never dropped), the engagement (BT-13), the cadre (BT-23), the seller
(BT-30 / BT-29: the depositing structure only), the bank account (BT-84) and Chorus Pro's number length."""

from pathlib import Path

import pytest

from facturation.enums import Cadre, StatutFacture
from facturation.models import Facture
from facturation.services import envoi
from tests.factories import StructureFactory, _cle_luhn
from tests.facturation.externes import adapter_xml

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def _cii(structure, etat, *, code_service=None, remplacements=()) -> bytes:
    contenu = adapter_xml(
        (DATA / "facture_cii_valide.xml").read_bytes(),
        siret_vendeur=structure.identifiant,
        siret_acheteur=etat.identifiant,
        code_service=code_service,
    )
    for avant, apres in remplacements:
        assert avant in contenu, avant
        contenu = contenu.replace(avant, apres)
    return contenu


def _deposer(gp, structure, contenu) -> Facture:
    return envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX, acting_user=gp, fournisseur=structure, contenu=contenu, nom_fichier="f.xml"
    )


def _refus(gp, structure, contenu) -> str:
    with pytest.raises(envoi.DepotRefuse) as refus:
        _deposer(gp, structure, contenu)
    assert not Facture.objects.exists()  # nothing is kept of a refused deposit
    return " ".join(refus.value.messages)


def _siret_du_siren(siren: str, nic: str) -> str:
    return siren + nic + _cle_luhn(siren + nic)


def _en_siren(etat) -> list[tuple[bytes, bytes]]:
    """The buyer named by its SIREN only (scheme 0002), wherever the document names it."""
    return [(f'schemeID="0009">{etat.identifiant}'.encode(), f'schemeID="0002">{etat.identifiant[:9]}'.encode())]


def test_document_route_par_siret_service_et_engagement(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposer(gp, structure, _cii(structure, etat))
    assert facture.destinataire == etat and facture.service_destinataire.code == "DRFIP_IDF"
    assert facture.numero_engagement == "EJ-2026-0042" and facture.cadre == Cadre.A1
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION


def test_acheteur_par_siren_unique(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposer(gp, structure, _cii(structure, etat, remplacements=_en_siren(etat)))
    assert facture.destinataire == etat


def test_acheteur_par_siren_ambigu_donne_les_choix(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    autre = StructureFactory(
        identifiant=_siret_du_siren(etat.identifiant[:9], "0099"),
        raison_sociale="ETAT – autre établissement",
        publique=True,
    )
    message = _refus(gp, structure, _cii(structure, etat, remplacements=_en_siren(etat)))
    assert f"Le SIREN {etat.identifiant[:9]} (BT-47) désigne plusieurs structures publiques" in message
    assert f"{etat.identifiant} – ETAT" in message and f"{autre.identifiant} – ETAT – autre établissement" in message


def test_acheteur_inconnu_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    inconnu = _siret_du_siren("732829320", "0007")
    contenu = _cii(structure, etat, remplacements=[(etat.identifiant.encode(), inconnu.encode())])
    assert f"Le destinataire (SIRET {inconnu}, BT-47) n'est pas une structure publique de Chorus Pro." in _refus(
        gp, structure, contenu
    )


def test_code_service_inconnu_refuse_avec_les_services_actifs(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    message = _refus(gp, structure, _cii(structure, etat, code_service="INCONNU"))
    assert "Le code service « INCONNU » (BT-10) n'existe pas ou n'est pas actif chez ETAT" in message
    assert "(services actifs : DRFIP_IDF, FACTURES_PUBLIQUES)" in message  # never the closed « ANCIEN »


def test_code_service_ferme_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    assert "Le code service « ANCIEN » (BT-10)" in _refus(gp, structure, _cii(structure, etat, code_service="ANCIEN"))


def test_cadre_lu_dans_bt23(fournisseur_gp, etat):
    """BT-23 « A9 »: a sous-traitant's invoice, which needs its valideur: refused by the portal's own rule."""
    gp, structure = fournisseur_gp
    a9 = [(b"<ram:ID>A1</ram:ID>", b"<ram:ID>A9</ram:ID>")]
    document = envoi.analyser_depot(
        fournisseur=structure, contenu=_cii(structure, etat, remplacements=a9), nom_fichier="f.xml"
    )
    assert document.valeurs["cadre"] == Cadre.A9
    with pytest.raises(envoi.ValidationError) as refus:
        _deposer(gp, structure, _cii(structure, etat, remplacements=a9))
    assert "Le valideur (titulaire ou mandataire) est obligatoire pour ce cadre de facturation." in refus.value.messages


def test_cadre_non_accepte_refuse_avec_la_liste(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _cii(structure, etat, remplacements=[(b"<ram:ID>A1</ram:ID>", b"<ram:ID>A4</ram:ID>")])
    assert (
        "Le cadre de facturation « A4 » (BT-23) n'est pas accepté pour une facture : cadres acceptés A1, A2, A9, "
        "A12." in _refus(gp, structure, contenu)
    )


def test_bt23_d_une_autre_specification_vaut_a1(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    peppol = b"<ram:ID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</ram:ID>"
    facture = _deposer(gp, structure, _cii(structure, etat, remplacements=[(b"<ram:ID>A1</ram:ID>", peppol)]))
    assert facture.cadre == Cadre.A1


def test_vendeur_par_siren(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    siren = structure.identifiant[:9].encode()
    # The seller named by its SIREN only, wherever the document names it (legal organisation, global id, URI).
    remplacements = [
        (f'schemeID="0009">{structure.identifiant}'.encode(), b'schemeID="0002">' + siren),
        (b'schemeID="0009">40483304800014', b'schemeID="0002">' + siren),
    ]
    assert _deposer(gp, structure, _cii(structure, etat, remplacements=remplacements)).fournisseur == structure


def test_vendeur_d_un_autre_siren_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    autre = _siret_du_siren("732829320", "0007")
    contenu = _cii(structure, etat, remplacements=[(structure.identifiant.encode(), autre.encode())])
    message = _refus(gp, structure, contenu)
    assert f"Le vendeur du document (SIRET {autre}, BT-30) n'est pas la structure qui dépose" in message


def test_iban_non_declare_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    iban = b"FR7630006000011234567890189"
    contenu = _cii(structure, etat, remplacements=[(iban, b"FR7610107001011234567890129")])
    message = _refus(gp, structure, contenu)
    assert (
        "L'IBAN du document (FR7610107001011234567890129, BT-84) n'est pas parmi les coordonnées bancaires" in message
    )


def test_numero_trop_long_pour_chorus_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = _cii(structure, etat, remplacements=[(b"FAC-2026-0117", b"FAC-2026-0117-AVEC-UN-SUFFIXE")])
    assert "(BT-1) dépasse 20 caractères" in _refus(gp, structure, contenu)
