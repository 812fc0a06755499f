"""« Déposer facture »: format detection from content; a structured document (XML, Factur-X) accepted by its
rules becomes a draft with its own data and amounts, only the cadre and the bank details left to choose; a file
the rules refuse is refused with the errors field by field and nothing is created; a plain PDF pre-fills the
saisie form; signatures, duplicates."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from facturation.enums import ModeDepot, StatutFacture
from facturation.facturx import generer_pdf_facturx
from facturation.lecture_xml import lire_xml
from facturation.models import Facture
from tests import outils
from tests.facturation.depot import deposer
from tests.facturation.externes import adapter
from tests.facturation.test_pdf import pdf_simple, signataire, signer  # noqa: F401  (signing fixture)

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def _du_fournisseur(structure, etat, nom="facture_cii_valide.xml") -> bytes:
    """A test document whose seller is the depositing structure (the pipeline refuses another seller)."""
    return adapter((DATA / nom).read_bytes(), siret_vendeur=structure.identifiant, siret_acheteur=etat.identifiant)


def _formulaire(client):
    """The pre-filled saisie form's current values, as the browser would post them back."""
    response = client.get(reverse("saisir_facture") + "?depot=1")
    form, formset = response.context["form"], response.context["formset"]
    data = {"depot": "1"}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    data.update(
        {
            "lignes-TOTAL_FORMS": str(len(formset.initial)),
            "lignes-INITIAL_FORMS": "0",
            "lignes-MIN_NUM_FORMS": "1",
            "lignes-MAX_NUM_FORMS": "500",
        }
    )
    for i, ligne in enumerate(formset.initial):
        for key, value in ligne.items():
            data[f"lignes-{i}-{key}"] = value
    return response, data


def test_depot_cii_valide_devient_un_brouillon_aux_montants_du_document(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    contenu = _du_fournisseur(structure, etat)
    response = deposer(client, structure, contenu, nom="pas-un-pdf.pdf")
    facture = Facture.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("modifier_brouillon", args=[facture.pk])
    _, donnees = lire_xml(contenu)
    assert (facture.numero, facture.numero_engagement, facture.service_destinataire.code) == (
        "FAC-2026-0117",
        "EJ-2026-0042",
        "DRFIP_IDF",
    )
    assert facture.destinataire == etat and facture.coordonnees_bancaires == structure.coordonnees_bancaires.get()
    assert (facture.montant_ht, facture.montant_tva, facture.montant_ttc, facture.montant_a_payer) == (
        donnees.totaux.total_ht,
        donnees.totaux.total_tva,
        donnees.totaux.total_ttc,
        donnees.totaux.net_a_payer,
    )
    assert facture.mode_depot == ModeDepot.DEPOT_XML and facture.analyse_depot["erreurs"] == []

    page = client.get(response["Location"])
    texte = outils.texte(page)
    assert "XML CII (UN/CEFACT)" in texte and "ne se modifient pas" in texte
    assert "formset" not in page.context  # no line to retype: the amounts are the document's
    response = client.post(
        response["Location"],
        {
            "cadre": "A1_FACTURE_FOURNISSEUR",
            "coordonnees_bancaires": facture.coordonnees_bancaires_id,
            "action": "valider",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("confirmer_envoi", args=[facture.pk])
    client.post(reverse("confirmer_envoi", args=[facture.pk]))
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    with facture.fichier.open("rb") as f:
        assert f.read() == contenu  # the deposited file is the certified document


@pytest.mark.parametrize("fichier", ["facture_cii_incoherente.xml", "facture_ubl_incoherente.xml"])
def test_xml_incoherent_erreurs_par_champ_et_rien_n_est_cree(client, fournisseur_gp, etat, fichier):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = deposer(client, structure, _du_fournisseur(structure, etat, fichier), nom=fichier)
    texte = outils.texte(response)
    assert response.status_code == 200
    assert "ne respecte pas la norme EN 16931" in texte
    assert "BT-112" in texte and "Montant total TTC" in texte and "[BR-CO-15]" in texte
    assert "valeur trouvée" in texte and "attendue" in texte
    assert not Facture.objects.exists() and "facturation_depot" not in client.session


def test_vendeur_autre_que_la_structure_refuse(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = deposer(client, structure, (DATA / "facture_cii_valide.xml").read_bytes())
    assert "Le vendeur du document (SIRET 40483304800014, BT-30) n'est pas la structure qui dépose" in outils.texte(
        response
    )
    assert not Facture.objects.exists()


def test_facturx_devient_un_brouillon_aux_montants_du_document(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    _, donnees = lire_xml(_du_fournisseur(structure, etat))
    deposer(client, structure, generer_pdf_facturx(donnees))
    facture = Facture.objects.get()
    assert facture.analyse_depot["libelle_format"] == "PDF Factur-X" and facture.mode_depot == ModeDepot.DEPOT_PDF
    assert facture.numero == "FAC-2026-0117" and facture.lignes.count() == 3
    assert facture.montant_ttc == donnees.totaux.total_ttc


def test_pdf_signe_affiche_sa_signature(client, fournisseur_gp, etat, signataire):  # noqa: F811
    gp, structure = fournisseur_gp
    client.force_login(gp)
    deposer(client, structure, signer(pdf_simple(), signataire))
    page, data = _formulaire(client)
    texte = outils.texte(page)
    assert "PDF signé (PAdES)" in texte
    assert "Signature intacte" in texte and "Jean Signataire" in texte
    assert "Champs pré-remplis à vérifier" in texte
    # Each field read from the PDF's text is marked next to the field itself.
    assert page.context["form"].fields["numero"].help_text.startswith("À vérifier")
    assert texte.count("À vérifier : valeur lue dans le document déposé.") >= 2


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "Le fichier soumis est vide."),
        (b"GIF89a not an invoice", "Format de fichier non reconnu"),
        (b"%PDF-1.4 garbage", "illisible ou endommagé"),
        ((DATA / "doctype_entites.xml").read_bytes(), "DOCTYPE"),
        ((DATA / "mal_forme.xml").read_bytes(), "mal formé"),
    ],
)
def test_mauvais_fichiers_message_clair_et_rien_n_est_cree(client, fournisseur_gp, etat, contenu, message):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = deposer(client, structure, contenu)
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert not Facture.objects.exists()
    assert "facturation_depot" not in client.session


def test_depot_en_double_renvoie_vers_la_facture_existante(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    contenu = _du_fournisseur(structure, etat)
    deposer(client, structure, contenu)
    facture = Facture.objects.get()
    client.post(reverse("confirmer_envoi", args=[facture.pk]))
    facture.refresh_from_db()
    statut = facture.statut

    response = deposer(client, structure, contenu)
    assert "Ce fichier a déjà été déposé" in outils.texte(response)
    assert reverse("facture_emise", args=[facture.pk]) in response.content.decode()
    facture.refresh_from_db()
    assert facture.statut == statut and Facture.objects.count() == 1

    # Same supplier and number in another file: also a duplicate.
    autre = contenu.replace(b"<ram:Name>", b"<ram:Name>X", 1)
    response = deposer(client, structure, autre)
    assert "la facture n° FAC-2026-0117 a déjà été déposée" in outils.texte(response)
    assert Facture.objects.count() == 1


def test_depot_refuse_sans_profil_en_modification(client, fournisseur_gp, etat):
    from tests.factories import UtilisateurFactory

    _gp, structure = fournisseur_gp
    client.force_login(UtilisateurFactory())
    response = deposer(client, structure, (DATA / "facture_cii_valide.xml").read_bytes())
    assert response.status_code == 403


def test_fichiers_de_depots_abandonnes_purges(client, fournisseur_gp, etat):
    from datetime import timedelta

    import time_machine
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from facturation import services

    gp, structure = fournisseur_gp
    client.force_login(gp)
    deposer(client, structure, pdf_simple())  # a plain PDF waits for the user in temporary storage
    chemin = client.session["facturation_depot"]["fichier"]
    assert default_storage.exists(chemin)
    # The file's age is read from the file system, whose clock the suite cannot move: date it « now ».
    maintenant = timezone.now().timestamp()
    os.utime(default_storage.path(chemin), (maintenant, maintenant))
    services.purger_depots_abandonnes()  # other tests' leftovers may go; a fresh deposit stays
    assert default_storage.exists(chemin)
    with time_machine.travel(timezone.now() + timedelta(days=1, hours=1)):
        assert services.purger_depots_abandonnes() >= 1
    assert not default_storage.exists(chemin)


def test_envoi_refuse_si_l_original_depose_a_change(client, fournisseur_gp, etat):
    """The rules ran on the deposited file; sending checks it is still that file (its sha256), not re-run them."""
    gp, structure = fournisseur_gp
    client.force_login(gp)
    deposer(client, structure, _du_fournisseur(structure, etat))
    facture = Facture.objects.get()
    with facture.fichier.open("wb") as fichier:
        fichier.write(b"<autre/>")
    response = client.post(reverse("confirmer_envoi", args=[facture.pk]), follow=True)
    assert "Le fichier déposé n'est plus celui qui a été contrôlé" in outils.texte(response)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.BROUILLON and not facture.empreinte_certificat
