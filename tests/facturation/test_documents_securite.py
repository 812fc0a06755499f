"""Issue 13, item 5 (documents): invoice numbers restricted to the characters Chorus Pro allows (one check for the
saisie, the dépôt and the API), attachments of invoices checked by their content (the sniffing shared with the
sollicitations, ``chorus.fichiers``), an unknown or too long ``type_piece`` a form error, and documents served as
attachments that no cache keeps."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus import fichiers
from facturation import services
from facturation.enums import StatutFacture
from facturation.models import Facture, PieceJointe
from facturation.services import envoi
from facturation.services.controles import erreur_numero
from tests import outils
from tests.factories import UtilisateurFactory
from tests.facturation.factories import FactureFactory, ligne
from tests.facturation.test_acheminement_document import _cii, _refus
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
OLE2 = fichiers.SIGNATURE_OLE2 + b"\x00" * 64


@pytest.mark.parametrize("numero", ["F-1\nBcc: x@y.fr", "F-1\r2", "F\x00-1", "F-1\u202e", 'F"1', "F<1>", "F\\1"])
def test_numero_avec_caractere_interdit_refuse(numero):
    assert "caractère non autorisé" in erreur_numero(numero)


@pytest.mark.parametrize("numero", ["F2026-001", "FA/2026/17", "F 2026.001_B", "FAC-2026-0117", "Fé(1)+#:&"])
def test_numero_usuel_accepte(numero):
    assert erreur_numero(numero) is None


def test_saisie_d_un_numero_avec_retour_a_la_ligne_erreur_de_formulaire(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    donnees = {**donnees_saisie(structure, etat), "numero": "F1\nBcc: pirate@x.fr", "action": "enregistrer"}
    response = client.post(reverse("saisir_facture"), donnees)
    assert response.status_code == 200
    assert "Le numéro de facture contient un caractère non autorisé" in outils.texte(response)
    assert not Facture.objects.exists()


def test_enregistrer_un_brouillon_au_numero_interdit_refuse_sans_rien_ecrire(fournisseur_gp, etat):
    with pytest.raises(ValidationError) as refus:
        FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F\x0b2026")
    assert "caractère non autorisé" in " ".join(refus.value.messages)
    assert not Facture.objects.exists()


def test_envoi_d_un_brouillon_au_numero_interdit_refuse_la_facture_reste_brouillon(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    Facture.objects.filter(pk=facture.pk).update(numero="F\u20282026")  # a draft written before this check
    facture.refresh_from_db()
    with pytest.raises(ValidationError) as refus:
        envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=gp, facture=facture)
    assert "caractère non autorisé" in " ".join(refus.value.messages)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.BROUILLON and not facture.empreinte_certificat


def test_depot_d_un_document_au_numero_interdit_refuse(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    # Line breaks are collapsed by the XML reader; an invisible right-to-left override is not.
    contenu = _cii(structure, etat, remplacements=[(b"FAC-2026-0117", "FAC\u202e2026-0117".encode())])
    assert "Le numéro de facture (BT-1) contient un caractère non autorisé" in _refus(gp, structure, contenu)


def _piece(client, facture, nom, contenu, type_piece="BON_DE_LIVRAISON"):
    return client.post(
        reverse("ajouter_piece_jointe", args=[facture.pk]),
        {"type_piece": type_piece, "designation": "Pièce", "fichier": SimpleUploadedFile(nom, contenu)},
        follow=True,
    )


@pytest.mark.parametrize(
    "nom, contenu",
    [
        ("devis.doc", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),  # an executable renamed .doc
        ("tableau.xls", b"MZ\x90\x00"),
        ("notes.txt", b"MZ\x90\x00\x03\x00\xff\xfe"),
        ("facture.xml", b"\x7fELF\x02\x01\x01"),
        ("liste.csv", b"\x00\x01\x02binaire"),
        ("signature.p7s", b"MZ\x90\x00"),
    ],
)
def test_piece_jointe_controlee_par_son_contenu(client, fournisseur_gp, etat, nom, contenu):
    gp, _structure = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    client.force_login(gp)
    texte = outils.texte(_piece(client, facture, nom, contenu))
    assert f"Le contenu du fichier ne correspond pas à son extension {Path(nom).suffix}." in texte
    assert not PieceJointe.objects.exists()


def test_piece_jointe_doc_et_texte_acceptes_selon_leur_contenu(client, fournisseur_gp, etat):
    gp, _structure = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    client.force_login(gp)
    assert "La pièce jointe est ajoutée." in outils.texte(_piece(client, facture, "devis.doc", OLE2))
    assert "La pièce jointe est ajoutée." in outils.texte(_piece(client, facture, "liste.csv", "a;é\n".encode()))
    assert PieceJointe.objects.filter(facture=facture).count() == 2


@pytest.mark.parametrize("nom", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "a/b.pdf", "bl\n.pdf"])
def test_piece_jointe_au_nom_de_chemin_refusee(client, fournisseur_gp, etat, nom):
    gp, _structure = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    with pytest.raises(ValidationError) as refus:
        services.ajouter_piece_jointe(
            acting_user=gp, facture=facture, type_piece="AUTRE", designation="Pièce", nom=nom, contenu=b"%PDF-1.4"
        )
    assert "ni chemin" in " ".join(refus.value.messages)
    assert not PieceJointe.objects.exists()


@pytest.mark.parametrize("type_piece", ["X" * 31, "INCONNU", ""])
def test_type_piece_inconnu_ou_trop_long_erreur_de_formulaire(client, fournisseur_gp, etat, type_piece):
    gp, _structure = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    client.force_login(gp)
    response = _piece(client, facture, "bl.pdf", b"%PDF-1.4 bl", type_piece=type_piece)
    assert response.status_code == 200
    if type_piece:  # an empty choice means « Autre », as the form offers it
        assert "Le type de pièce jointe est inconnu" in outils.texte(response)
        assert not PieceJointe.objects.exists()
    else:
        assert PieceJointe.objects.get().type_piece == "AUTRE"


def test_documents_servis_en_piece_jointe_sans_cache(client, fournisseur_gp, etat):
    gp, _structure = fournisseur_gp
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        envoyer=True,
        lignes=[ligne()],
        pieces=[{"type_piece": "AUTRE", "designation": "Bon", "nom": "bon.pdf", "contenu": b"%PDF-1.4 bon"}],
    )
    piece = facture.pieces_jointes.get()
    client.force_login(gp)
    for url in (
        reverse("telecharger_facture", args=[facture.pk]),
        reverse("certificat_depot", args=[facture.pk]),
        reverse("telecharger_piece_jointe", args=[facture.pk, piece.pk]),
    ):
        response = client.get(url)
        for fermer in response._resource_closers:  # response.close() would also close the database connection
            fermer()
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
        assert response["Content-Disposition"].startswith("attachment;"), url
    # Another structure's user reaches none of them.
    client.force_login(UtilisateurFactory())
    assert client.get(reverse("telecharger_facture", args=[facture.pk])).status_code == 404


def test_nom_de_fichier_sur_pour_l_en_tete():
    assert fichiers.nom_de_fichier_sur('facture_F1\r\nSet-Cookie: x="y".pdf') == "facture_F1_Set-Cookie_ x_y_.pdf"
    assert fichiers.nom_de_fichier_sur("../../etc/passwd") == "etc_passwd"
    assert fichiers.nom_de_fichier_sur("réponse (1).pdf") == "réponse (1).pdf"
    assert fichiers.nom_de_fichier_sur("\n") == "document"
