"""« Vérifier un certificat de dépôt »: the public page recognises a deposited document by its file, its
certificate digest or its SHA-256, discloses nothing but the deposit's key facts, never a draft, and is
rate-limited per IP address."""

import base64
import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from facturation.certificat import empreinte_fichier
from facturation.enums import StatutFacture
from facturation.models import Facture
from facturation.views.verification import LIMITE_VERIFICATIONS, TAILLE_MAX
from tests import outils
from tests.facturation.factories import FactureFactory, ligne

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% facture F-VERIF-1\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
URL = "/verifier-un-depot/"


def _brouillon(gp, structure, etat, numero="F-VERIF-1", document=None):
    return FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero=numero,
        numero_marche="",
        lignes=[ligne(prix_unitaire_ht="1234.5")],
        document=document,
    )


def _deposee(gp, structure, etat, contenu=PDF, numero="F-VERIF-1"):
    """The draft sent with ``contenu`` as its deposited document (a plain PDF: the document under verification)."""
    return _brouillon(gp, structure, etat, numero=numero, document=contenu)


def _verifier(client, *, fichier=None, empreinte="", **extra):
    data = {"empreinte": empreinte}
    if fichier is not None:
        data["fichier"] = SimpleUploadedFile("facture.pdf", fichier, content_type="application/pdf")
    return client.post(URL, data, **extra)


def _phrase(facture):
    moment = timezone.localtime(facture.date_depot).strftime("%d/%m/%Y à %H:%M:%S")
    return (
        f"Ce document a été déposé sur Chorus Pro le {moment} sous le numéro de facture {facture.numero}, "
        f"à destination de ETAT (SIRET 11000201100044)."
    )


def test_url_et_action_publique(client):
    assert reverse("verifier_depot") == URL
    response = client.get(reverse("accueil"))
    assert f'href="{URL}"' in response.content.decode()
    assert "Vérifier un dépôt" in outils.texte(response)


def test_page_ouverte_sans_connexion(client):
    response = client.get(URL)
    assert response.status_code == 200
    texte = outils.texte(response)
    assert "Vérifier un certificat de dépôt" in texte
    assert 'type="file"' in texte and 'name="empreinte"' in texte
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("maniere", ["fichier", "empreinte", "empreinte_decoupee", "hex", "hex_majuscules", "b64"])
def test_un_document_depose_est_reconnu(client, fournisseur_gp, etat, maniere):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    e = facture.empreinte_certificat
    saisies = {
        "fichier": {"fichier": PDF},
        "empreinte": {"empreinte": e},
        "empreinte_decoupee": {"empreinte": f"  {e[:20]}\n{e[20:]} "},  # copied from the PDF over two lines
        "hex": {"empreinte": hashlib.sha256(PDF).hexdigest()},
        "hex_majuscules": {"empreinte": hashlib.sha256(PDF).hexdigest().upper()},
        "b64": {"empreinte": empreinte_fichier(PDF)},  # base64 SHA-256 of the file alone
    }
    response = _verifier(client, **saisies[maniere])
    assert response.status_code == 200
    texte = outils.texte(response)
    assert _phrase(facture) in texte
    assert f'<code data-testid="empreinte-certificat">{e}</code>' in response.content.decode()
    assert "Aucun dépôt" not in texte


def test_rien_d_autre_n_est_divulgue(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    texte = outils.texte(_verifier(client, fichier=PDF))
    assert _phrase(facture) in texte
    assert str(facture.montant_ttc) == "1481.40"
    for secret in (
        "1481",
        "1 481",
        "1\u202f481",
        "1234",
        "1 234",
        "246,90",
        "EUR",
        "€",
        gp.email,
        gp.nom,
        structure.raison_sociale,
        structure.identifiant,
        "Mise à disposition",
        "DRFIP",
        "EJ-1",
    ):
        assert secret not in texte, secret


@pytest.mark.parametrize(
    "saisie",
    [
        {"fichier": PDF + b" "},  # one byte more
        {"fichier": PDF.replace(b"F-VERIF-1", b"F-VERIF-2")},
        {"empreinte": empreinte_fichier(b"autre document")},
        {"empreinte": hashlib.sha256(b"autre document").hexdigest()},
    ],
    ids=["octet-ajoute", "modifie", "empreinte-inconnue", "hex-inconnu"],
)
def test_document_modifie_ou_inconnu_non_depose(client, fournisseur_gp, etat, saisie):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    response = _verifier(client, **saisie)
    assert response.status_code == 200
    texte = outils.texte(response)
    assert (
        "Aucun dépôt ne correspond à ce document : il n'a pas été déposé sur Chorus Pro "
        "(ou il a été modifié depuis son dépôt)."
    ) in texte
    assert facture.numero not in texte and "ETAT" not in texte


def test_un_brouillon_n_est_jamais_divulgue(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    brouillon = _brouillon(gp, structure, etat, numero="F-BROUILLON")
    # A draft may carry a file (a deposit being completed) and even a stale digest: it was never deposited.
    Facture.objects.filter(pk=brouillon.pk).update(
        fichier_sha256=hashlib.sha256(PDF).hexdigest(),
        empreinte_certificat=empreinte_fichier(b"x"),
        date_depot=timezone.now(),
    )
    abandonne = _brouillon(gp, structure, etat, numero="F-ABANDON")
    Facture.objects.filter(pk=abandonne.pk).update(
        statut=StatutFacture.ABANDONNEE, fichier_sha256=hashlib.sha256(b"abandon").hexdigest()
    )
    for saisie in (
        {"fichier": PDF},
        {"empreinte": hashlib.sha256(PDF).hexdigest()},
        {"empreinte": empreinte_fichier(b"x")},
        {"fichier": b"abandon"},
    ):
        texte = outils.texte(_verifier(client, **saisie))
        assert "Aucun dépôt ne correspond à ce document" in texte, saisie
        assert "F-BROUILLON" not in texte and "F-ABANDON" not in texte


def test_une_recherche_est_une_seule_requete(client, fournisseur_gp, etat, django_assert_num_queries):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    # A certificate digest is also looked up among the replaced certificates, found or not: two queries each time.
    with django_assert_num_queries(2):
        assert _phrase(facture) in outils.texte(_verifier(client, empreinte=facture.empreinte_certificat))
    with django_assert_num_queries(2):
        assert "Aucun dépôt" in outils.texte(_verifier(client, empreinte=empreinte_fichier(b"inconnu")))
    with django_assert_num_queries(1):
        assert "Aucun dépôt" in outils.texte(_verifier(client, fichier=b"inconnu"))


@pytest.mark.parametrize(
    ("saisie", "champ", "message"),
    [
        ({}, "fichier", "Déposez le document à vérifier ou collez son empreinte."),
        ({"empreinte": "   "}, "empreinte", "Déposez le document à vérifier ou collez son empreinte."),
        ({"fichier": b""}, "fichier", "Le fichier soumis est vide."),
        ({"empreinte": "abc"}, "empreinte", "Cette empreinte n'a pas un format reconnu"),
        ({"empreinte": "A" * 43}, "empreinte", "Cette empreinte n'a pas un format reconnu"),
        ({"empreinte": "A" * 42 + "=="}, "empreinte", "Cette empreinte n'a pas un format reconnu"),
        ({"empreinte": "g" * 64}, "empreinte", "Cette empreinte n'a pas un format reconnu"),
        ({"empreinte": "a" * 63}, "empreinte", "Cette empreinte n'a pas un format reconnu"),
        ({"fichier": b"x" * (TAILLE_MAX + 1)}, "fichier", "Le fichier dépasse la taille maximale autorisée (10 Mo)."),
    ],
    ids=[
        "rien",
        "blanc",
        "fichier-vide",
        "trop-court",
        "sans-egal",
        "trop-de-padding",
        "non-hex",
        "hex-63",
        "trop-gros",
    ],
)
def test_saisie_invalide_message_sur_le_champ(
    client, fournisseur_gp, etat, django_assert_num_queries, saisie, champ, message
):
    gp, structure = fournisseur_gp
    _deposee(gp, structure, etat)
    with django_assert_num_queries(0):  # nothing looked up
        response = _verifier(client, **saisie)
    assert response.status_code == 200
    texte = outils.texte(response)
    assert message in texte
    assert "Ce document a été déposé" not in texte and "Aucun dépôt ne correspond" not in texte
    form = response.context["form"]
    assert message in " ".join(form.errors[champ])
    assert cache.get("chorus:verifier-depot:127.0.0.1") is None  # an invalid input is not counted


def test_fichier_de_10_mo_exactement_accepte(client):
    response = _verifier(client, fichier=b"\0" * TAILLE_MAX)
    assert response.status_code == 200
    assert "Aucun dépôt ne correspond à ce document" in outils.texte(response)


def test_limite_de_verifications_par_adresse_ip(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    for _ in range(LIMITE_VERIFICATIONS):
        response = _verifier(client, empreinte=empreinte_fichier(b"inconnu"), REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200
    response = _verifier(client, empreinte=facture.empreinte_certificat, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    texte = outils.texte(response)
    assert "Trop de vérifications : réessayez dans quelques minutes." in texte
    assert facture.numero not in texte and "Aucun dépôt" not in texte
    # Another address is not affected.
    response = _verifier(client, empreinte=facture.empreinte_certificat, REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 200 and _phrase(facture) in outils.texte(response)
    # Once the window has passed, the first address may verify again.
    cache.delete("chorus:verifier-depot:203.0.113.7")
    response = _verifier(client, empreinte=facture.empreinte_certificat, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200 and _phrase(facture) in outils.texte(response)


def test_la_fenetre_expire(client):
    import time_machine

    with time_machine.travel(timezone.now(), tick=False) as voyage:
        for _ in range(LIMITE_VERIFICATIONS):
            _verifier(client, empreinte="a" * 64)
        assert _verifier(client, empreinte="a" * 64).status_code == 429
        voyage.shift(timedelta(minutes=10, seconds=1))
        assert _verifier(client, empreinte="a" * 64).status_code == 200


def test_formulaire_protege_contre_le_csrf(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    client = Client(enforce_csrf_checks=True)
    assert _verifier(client, fichier=PDF).status_code == 403
    page = client.get(URL)
    jeton = page.cookies["csrftoken"].value
    response = client.post(
        URL,
        {"csrfmiddlewaretoken": jeton, "fichier": SimpleUploadedFile("f.pdf", PDF), "empreinte": ""},
    )
    assert response.status_code == 200 and _phrase(facture) in outils.texte(response)


def test_empreinte_du_certificat_recalculable(fournisseur_gp, etat):
    """The digest shown is the one anyone recomputes from the document and the key data (module docstring)."""
    from facturation.certificat import empreinte_depot

    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    assert facture.empreinte_certificat == empreinte_depot(
        PDF,
        numero=facture.numero,
        siret_fournisseur=structure.identifiant,
        siret_destinataire=etat.identifiant,
        date_depot=facture.date_depot,
    )
    assert base64.b64decode(empreinte_fichier(PDF)).hex() == facture.fichier_sha256


def test_limite_par_adresse_du_client_derriere_le_mandataire_de_confiance(client, settings):
    """Behind the trusted reverse proxy, each client behind it has its own quota; a client that sends
    X-Forwarded-For itself (not through the proxy) is counted by its own address."""
    settings.CHORUS_MANDATAIRES_DE_CONFIANCE = ["10.0.0.0/8"]
    empreinte = empreinte_fichier(b"inconnu")
    derriere = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    for _ in range(LIMITE_VERIFICATIONS):
        assert _verifier(client, empreinte=empreinte, **derriere).status_code == 200
    assert _verifier(client, empreinte=empreinte, **derriere).status_code == 429
    # Another client behind the same proxy is not affected (the proxy's address is not the key).
    autre = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert _verifier(client, empreinte=empreinte, **autre).status_code == 200
    # A forged header prepended by the client is skipped: the proxy appended the real address last.
    forge = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "198.51.100.99, 198.51.100.1"}
    assert _verifier(client, empreinte=empreinte, **forge).status_code == 429


def test_x_forwarded_for_ignore_sans_mandataire_de_confiance(client, settings):
    settings.CHORUS_MANDATAIRES_DE_CONFIANCE = []
    empreinte = empreinte_fichier(b"inconnu")
    for i in range(LIMITE_VERIFICATIONS):
        entete = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"}
        assert _verifier(client, empreinte=empreinte, **entete).status_code == 200
    # Changing the header does not give a fresh quota: the client's own address is counted.
    entete = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.250"}
    assert _verifier(client, empreinte=empreinte, **entete).status_code == 429
