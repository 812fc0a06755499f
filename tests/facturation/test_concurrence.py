"""Concurrent writes on one invoice, run truly in parallel: two threads, each with its own database connection,
committing for real (``transactional_db``). Each test holds the threads at the point where the race happens (both
have read the draft, or both have passed the duplicate check) so that the interleaving is the dangerous one."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from chorus import outbox
from chorus.api import services as api_services
from chorus.api.kit import CODE_DOUBLON
from chorus.models import OutboxMessage
from facturation.enums import StatutFacture
from facturation.models import Facture, HistoriqueFacture
from facturation.services import brouillons, envoi
from organisation.api.comptes import creer_compte_technique
from tests import outils
from tests.api.conftest import ClientApi
from tests.api.test_factures import facture as corps_facture
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db(transaction=True)
ATTENTE = 20  # seconds: a thread stuck longer than this fails the test instead of hanging it


def _en_parallele(*fonctions):
    """Run each function in its own thread (its own database connection); return their results in order, and
    re-raise the first exception a thread raised."""
    resultats, erreurs = [None] * len(fonctions), []

    def lancer(i, fonction):
        try:
            resultats[i] = fonction()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            erreurs.append(exc)
        finally:
            connection.close()

    fils = [threading.Thread(target=lancer, args=(i, f)) for i, f in enumerate(fonctions)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(ATTENTE * 2)
        assert not fil.is_alive(), "une requête est restée bloquée"
    if erreurs:
        raise erreurs[0]
    return resultats


@pytest.fixture
def taches(monkeypatch):
    """Tasks queued after commit are recorded instead of going to the broker."""
    envoyees = []
    monkeypatch.setattr(outbox.app, "send_task", lambda nom, args=(), **_: envoyees.append((nom, args)))
    return envoyees


def _client(user) -> Client:
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def _brouillon(gp, structure, etat) -> Facture:
    client = _client(gp)
    response = client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "valider"})
    facture = Facture.objects.get()
    assert response["Location"] == reverse("confirmer_envoi", args=[facture.pk])
    return facture


def _retenir_a_la_lecture(monkeypatch, barriere: threading.Barrier):
    """Each thread waits, once, in the pre-send checks (after reading the draft, before any write) for the other."""
    original = envoi.verifier_avant_envoi
    deja = threading.local()

    def verifier(facture, **options):
        if not getattr(deja, "fait", False):
            deja.fait = True
            barriere.wait(ATTENTE)
        return original(facture, **options)

    monkeypatch.setattr(envoi, "verifier_avant_envoi", verifier)


def _courriels_deposee(facture) -> int:
    return OutboxMessage.objects.filter(
        kind="chorus.email", payload__subject=f"Chorus Pro - Facture {facture.numero} : Déposée"
    ).count()


def test_deux_confirmer_l_envoi_en_parallele_un_seul_depot_et_un_seul_courriel(
    fournisseur_gp, etat, monkeypatch, taches
):
    gp, structure = fournisseur_gp
    facture = _brouillon(gp, structure, etat)
    _retenir_a_la_lecture(monkeypatch, threading.Barrier(2))
    url = reverse("confirmer_envoi", args=[facture.pk])
    clients = [_client(gp), _client(gp)]

    reponses = _en_parallele(*(lambda c=c: c.post(url) for c in clients))

    assert [r.status_code for r in reponses] == [302, 302]
    assert {r["Location"] for r in reponses} == {reverse("recapitulatif", args=[facture.pk])}
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert HistoriqueFacture.objects.filter(objet=facture, statut=StatutFacture.DEPOSEE).count() == 1
    assert HistoriqueFacture.objects.filter(objet=facture).values("statut").distinct().count() == (
        HistoriqueFacture.objects.filter(objet=facture).count()
    )
    assert _courriels_deposee(facture) == 1
    # The second request tells its user the invoice was already sent.
    suivie = clients[1].get(reverse("recapitulatif", args=[facture.pk]))
    suivie_1 = clients[0].get(reverse("recapitulatif", args=[facture.pk]))
    textes = suivie.content.decode() + suivie_1.content.decode()
    assert "Action déjà effectuée" in textes


def test_enregistrer_pendant_l_envoi_ne_remet_pas_en_brouillon_ni_n_envoie_une_version_perimee(
    fournisseur_gp, etat, monkeypatch, taches
):
    """« Confirmer l'envoi » has read the draft; « Enregistrer » in another tab changes it and commits; the send
    must not go on with what it read (nor overwrite the new data), and the invoice stays a consistent draft."""
    gp, structure = fournisseur_gp
    facture = _brouillon(gp, structure, etat)
    envoi_a_lu, enregistrement_fini = threading.Event(), threading.Event()
    original = envoi.verifier_avant_envoi

    def verifier(f, **options):
        if not envoi_a_lu.is_set():
            envoi_a_lu.set()
            assert enregistrement_fini.wait(ATTENTE)
        return original(f, **options)

    monkeypatch.setattr(envoi, "verifier_avant_envoi", verifier)
    donnees = {**donnees_saisie(structure, etat, numero_marche="M-NOUVEAU"), "action": "enregistrer"}
    client_envoi, client_saisie = _client(gp), _client(gp)

    def enregistrer():
        assert envoi_a_lu.wait(ATTENTE)
        try:
            return client_saisie.post(reverse("modifier_brouillon", args=[facture.pk]), donnees)
        finally:
            enregistrement_fini.set()

    envoyer, enregistre = _en_parallele(
        lambda: client_envoi.post(reverse("confirmer_envoi", args=[facture.pk])), enregistrer
    )

    assert enregistre.status_code == 302 and envoyer.status_code == 302
    assert envoyer["Location"] == reverse("modifier_brouillon", args=[facture.pk])
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.BROUILLON and facture.numero_marche == "M-NOUVEAU"
    assert facture.date_depot is None and not facture.empreinte_certificat
    assert not HistoriqueFacture.objects.filter(objet=facture, statut=StatutFacture.DEPOSEE).exists()
    assert "modifiée pendant l&#x27;envoi" in client_envoi.get(envoyer["Location"]).content.decode()


def test_enregistrer_apres_un_envoi_parallele_est_refuse_sans_rouvrir_la_facture(
    fournisseur_gp, etat, monkeypatch, taches
):
    gp, structure = fournisseur_gp
    facture = _brouillon(gp, structure, etat)
    envoi_fini, saisie_a_lu = threading.Event(), threading.Event()
    original = brouillons.exiger_emission

    def exiger(user, fournisseur, *, service=None):  # « Enregistrer » has read the draft, waits for the send
        saisie_a_lu.set()
        assert envoi_fini.wait(ATTENTE)
        return original(user, fournisseur, service=service)

    monkeypatch.setattr(brouillons, "exiger_emission", exiger)
    donnees = {**donnees_saisie(structure, etat, numero_marche="M-TARDIF"), "action": "enregistrer"}
    client_envoi, client_saisie = _client(gp), _client(gp)

    def envoyer():
        assert saisie_a_lu.wait(ATTENTE)
        try:
            return client_envoi.post(reverse("confirmer_envoi", args=[facture.pk]))
        finally:
            envoi_fini.set()

    enregistre, envoye = _en_parallele(
        lambda: client_saisie.post(reverse("modifier_brouillon", args=[facture.pk]), donnees), envoyer
    )

    assert envoye.status_code == 302 and enregistre.status_code == 200
    assert "Seul un brouillon peut être modifié." in outils.texte(enregistre)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION and facture.numero_marche != "M-TARDIF"
    assert HistoriqueFacture.objects.filter(objet=facture, statut=StatutFacture.DEPOSEE).count() == 1


def test_deux_soumettre_en_parallele_du_meme_numero_un_depot_et_la_reponse_doublon(
    fournisseur_gp, etat, monkeypatch, taches
):
    from tests.api.conftest import CLIENT_ID, CLIENT_SECRET, MOT_DE_PASSE

    _, structure = fournisseur_gp
    client_oauth, _ = api_services.creer_client(client_id=CLIENT_ID, secret=CLIENT_SECRET)
    compte, _ = creer_compte_technique(structure=structure, login="TECH_1_martin@cpro.fr", mot_de_passe=MOT_DE_PASSE)
    jeton = api_services.emettre_jeton(client_oauth)
    barriere = threading.Barrier(2)
    original = envoi.controler_doublons

    def controler(**kwargs):  # both have found no invoice with this number before either writes
        original(**kwargs)
        barriere.wait(ATTENTE)

    monkeypatch.setattr(envoi, "controler_doublons", controler)
    clients = [ClientApi(Client(raise_request_exception=True), jeton, compte) for _ in range(2)]

    reponses = _en_parallele(*(lambda c=c: c.post("factures/v1/soumettre", corps_facture("PAR-001")) for c in clients))

    codes = sorted(r.json()["codeRetour"] for r in reponses)
    assert codes == [0, CODE_DOUBLON], [r.content for r in reponses]
    refus = next(r for r in reponses if r.json()["codeRetour"] == CODE_DOUBLON)
    assert refus.status_code == 400 and "numéro de facture est déjà utilisé" in refus.json()["libelle"]
    assert Facture.objects.filter(numero="PAR-001").exclude(statut=StatutFacture.BROUILLON).count() == 1
    assert Facture.objects.filter(numero="PAR-001").count() == 1  # the refused one left nothing behind
