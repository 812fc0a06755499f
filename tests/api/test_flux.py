"""deposer/flux answers at once; the task integrates each invoice through the portal's deposit analysis; the
client polls consulterCRDetaille then finds the invoices by numeroFluxDepot (the Odoo connector's path)."""

import base64
import io
import os
import re
import tarfile
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from chorus.fichiers import archive_tar_gz
from facturation.api import flux as flux_api
from facturation.api import tasks
from facturation.api.vues_flux import creer_flux
from facturation.conversion import donnees_de
from facturation.facturx import generer_cii, generer_pdf_facturx
from facturation.models import Facture, FluxDepot
from facturation.services import envoi
from tests.facturation.factories import FactureFactory, ligne

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


@pytest.fixture
def synchrone(monkeypatch, django_capture_on_commit_callbacks):
    """The Celery task runs when the deposit's transaction commits, in the test's process."""
    monkeypatch.setattr(tasks, "lancer_flux", lambda flux_id, syntaxe: tasks.traiter_flux(flux_id))
    return django_capture_on_commit_callbacks


def document(compte, etat, numero, *, pdf=False, engagement="EJ-1"):
    """The CII (or Factur-X) of an invoice of the account's structure, built from a draft then discarded."""
    brouillon = FactureFactory(
        fournisseur_gp=(compte.utilisateur, compte.structure),
        destinataire=etat,
        numero=numero,
        numero_engagement=engagement,
        numero_marche="",
        lignes=[ligne("Travaux", quantite=2, prix_unitaire_ht=50)],
    )
    donnees = donnees_de(brouillon)
    contenu = generer_pdf_facturx(donnees) if pdf else generer_cii(donnees)
    brouillon.lignes.all().delete()
    brouillon.recapitulatif_tva.all().delete()
    Facture.objects.filter(pk=brouillon.pk).delete()
    return contenu


def deposer_un_fichier(api, contenu, nom="f.xml"):
    """One file of a flux through the one deposit pipeline, as the flux task hands it over: the sent invoice."""
    return envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX,
        acting_user=api.compte.utilisateur,
        fournisseur=api.compte.structure,
        contenu=contenu,
        nom_fichier=nom,
    )


def deposer(api, contenu, syntaxe="IN_DP_E1_CII_16B", nom="facture.xml"):
    return api.post(
        "factures/v1/deposer/flux",
        {
            "fichierFlux": base64.b64encode(contenu).decode(),
            "nomFichier": nom,
            "syntaxeFlux": syntaxe,
            "avecSignature": False,
            "idUtilisateurCourant": 0,
        },
    )


def test_flux_cii_integre_puis_recherche_par_numero_de_flux(api, etat, synchrone):
    contenu = document(api.compte, etat, "FLX-1")
    with synchrone(execute=True):
        r = deposer(api, contenu)
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and re.match(r"^CPP\d{22}$", corps["numeroFluxDepot"])
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", corps["dateDepot"]) and corps["syntaxeFlux"] == "IN_DP_E1_CII_16B"
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": corps["numeroFluxDepot"]}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE", cr
    assert cr["listeErreurDP"] == [] and RFC3339.match(cr["dateDepotFlux"])
    assert RFC3339.match(cr["dateHeureEtatCourantFlux"])
    trouve = api.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": corps["numeroFluxDepot"]}).json()
    assert [f["numeroFacture"] for f in trouve["listeFactures"]] == ["FLX-1"]
    assert trouve["listeFactures"][0]["numeroFluxDepot"] == corps["numeroFluxDepot"]
    facture = Facture.objects.get(numero="FLX-1")
    assert facture.statut == "MISE_A_DISPOSITION" and facture.mode_depot == "FLUX"
    cr = api.post("transverses/v1/consulterCR", {"numeroFluxDepot": corps["numeroFluxDepot"]}).json()
    assert cr["etatCourantFlux"] == "IN_INTEGRE" and cr["numeroFluxDepot"] == corps["numeroFluxDepot"]


def test_lot_tar_gz_partiel_erreur_rattachee_au_numero(api, etat, synchrone):
    bon = document(api.compte, etat, "FLX-2")
    sans_engagement = document(api.compte, etat, "FLX-3", engagement="")
    lot = tar_gz(("a.xml", bon), ("b.xml", sans_engagement))
    with synchrone(execute=True):
        numero = deposer(api, lot, nom="lot.tar.gz").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert [e["numeroDP"] for e in cr["listeErreurDP"]] == ["FLX-3"]
    assert "engagement" in cr["listeErreurDP"][0]["libelleErreurDP"]
    assert Facture.objects.filter(numero="FLX-2", statut="MISE_A_DISPOSITION").exists()
    assert not Facture.objects.filter(numero="FLX-3").exists()


def test_facturx_et_mauvaise_syntaxe(api, etat, synchrone):
    pdf = document(api.compte, etat, "FLX-4", pdf=True)
    with synchrone(execute=True):
        numero = deposer(api, pdf, syntaxe="IN_DP_E1_UBL_INVOICE", nom="f.pdf").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_REJETE"
    assert "PDF Factur-X, pas celui que le flux déclare" in cr["listeErreurDP"][0]["libelleErreurDP"]
    with synchrone(execute=True):
        numero = deposer(api, pdf, syntaxe="IN_DP_E2_CII_FACTURX", nom="f.pdf").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE", cr


def test_deposer_refus(api):
    r = api.post(
        "factures/v1/deposer/flux", {"fichierFlux": "@@@", "nomFichier": "x", "syntaxeFlux": "IN_DP_E1_CII_16B"}
    )
    assert r.status_code == 400 and "base64" in r.json()["libelle"]
    r = api.post("factures/v1/deposer/flux", {"fichierFlux": "eA==", "nomFichier": "x", "syntaxeFlux": "IN_DP_E9"})
    assert r.status_code == 400 and "Syntaxe de flux non prise en charge" in r.json()["libelle"]
    r = api.post("factures/v1/deposer/flux", {"nomFichier": "x", "syntaxeFlux": "IN_DP_E1_CII_16B"})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « fichierFlux » est obligatoire."
    assert not FluxDepot.objects.exists()
    r = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": "CPP0"})
    assert r.status_code == 400 and "accessible" in r.json()["libelle"]


def test_flux_d_une_autre_structure_invisible(api, etat, synchrone, client, client_oauth):
    from chorus.api import services as api_services
    from organisation.api import comptes
    from tests.api.conftest import ClientApi
    from tests.factories import UtilisateurFactory, structure_privee

    with synchrone(execute=True):
        numero = deposer(api, document(api.compte, etat, "FLX-9")).json()["numeroFluxDepot"]
    structure = structure_privee(UtilisateurFactory(), "Autre")
    compte, _ = comptes.creer_compte_technique(structure=structure, login="TECH_9@cpro.fr", mot_de_passe="m")
    autre = ClientApi(client, api_services.emettre_jeton(client_oauth), compte, mot_de_passe="m")
    for chemin in ("transverses/v1/consulterCRDetaille", "transverses/v1/consulterCR"):
        r = autre.post(chemin, {"numeroFluxDepot": numero})
        assert r.status_code == 400 and "accessible" in r.json()["libelle"]
    r = autre.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero})
    assert r.json()["listeFactures"] == []


# --- Flux that never hang and never lie ------------------------------------------------------------------------


def tar_gz(*membres) -> bytes:
    return archive_tar_gz(membres)


def creer_lot(compte, membres, syntaxe: str = "IN_DP_E1_CII_16B"):
    """A lot (.tar.gz of ``membres``: (name, bytes)) deposited by ``compte`` as the API's ``deposer/flux`` does."""
    return creer_flux(
        structure=compte.structure, compte=compte, syntaxe=syntaxe, nom_fichier="lot.tar.gz", contenu=tar_gz(*membres)
    )


def etat_du_flux(numero) -> dict:
    """What the client sees of the flux, and what the database holds behind it."""
    flux = FluxDepot.objects.get(numero=numero)
    return {
        "etat": flux.etat,
        "etat_le": flux.etat_le,
        "erreurs_dp": flux.erreurs_dp,
        "erreurs_techniques": flux.erreurs_techniques,
        "factures": sorted(flux.factures.values_list("numero", flat=True)),
        "toutes_factures": sorted(Facture.objects.values_list("numero", flat=True)),
    }


@pytest.fixture
def analyse_qui_plante(monkeypatch):
    """Inside the pipeline's analysis, the routing of invoice FLX-CRASH raises a Python exception (a parser's bug)."""
    acheminer_document = envoi.acheminer_document

    def plante(document, fournisseur, **kwargs):
        if document.numero == "FLX-CRASH":
            raise RuntimeError("secret interne: /srv/chorus/parser.py ligne 42")
        return acheminer_document(document, fournisseur, **kwargs)

    monkeypatch.setattr(envoi, "acheminer_document", plante)


def test_lot_mixte_partiel_une_erreur_precise_par_fichier_puis_relance_sans_effet(
    api, etat, synchrone, analyse_qui_plante, caplog
):
    a, b = document(api.compte, etat, "FLX-A"), document(api.compte, etat, "FLX-B")
    crash = document(api.compte, etat, "FLX-CRASH")
    gros = b"<a>" + os.urandom(5_500_000).hex().encode() + b"</a>"  # 11 Mo that compress like a document
    lot = tar_gz(("a.xml", a), ("crash.xml", crash), ("lot/gros.xml", gros), ("b.xml", b), ("a-bis.xml", a))
    with synchrone(execute=True):
        numero = deposer(api, lot, nom="lot.tar.gz").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL", cr
    assert [(e["numeroDP"], e["libelleErreurDP"]) for e in cr["listeErreurDP"]] == [
        ("FLX-CRASH", flux_api.ERREUR_TECHNIQUE_FICHIER),
        ("gros.xml", "Le fichier gros.xml dépasse la taille maximale de 10 Mo."),
        ("FLX-A", "Ce fichier figure deux fois dans le lot (même contenu que « a.xml ») : il est ignoré."),
    ]
    assert cr["listeErreurTechnique"] == []
    assert "secret" not in str(cr) and "RuntimeError" not in str(cr)
    assert "RuntimeError: secret interne" in caplog.text  # the traceback is in the logs only
    trouve = api.post("factures/v1/rechercher/fournisseur", {"numeroFluxDepot": numero}).json()
    assert sorted(f["numeroFacture"] for f in trouve["listeFactures"]) == ["FLX-A", "FLX-B"]
    assert not Facture.objects.filter(numero="FLX-CRASH").exists()
    flux = FluxDepot.objects.get(numero=numero)
    assert flux.tentatives == 1 and len(flux.membres_traites) == 2

    # Rerun on the final flux: nothing moves.
    avant = etat_du_flux(numero)
    assert flux_api.traiter(flux).etat == "IN_INTEGRE_PARTIEL"
    assert etat_du_flux(numero) == avant and FluxDepot.objects.get(numero=numero).tentatives == 1

    # Rerun after a crash that came just before the compte rendu was written: the integrated files are counted, not
    # reported as duplicates, and the compte rendu is the same.
    FluxDepot.objects.filter(pk=flux.pk).update(
        etat="IN_EN_COURS_TRAITEMENT_CPP", erreurs_dp=[], traitement_vu_le=timezone.now() - timedelta(minutes=20)
    )
    repris = flux_api.traiter(FluxDepot.objects.get(pk=flux.pk))
    assert repris.etat == "IN_INTEGRE_PARTIEL" and repris.tentatives == 2
    apres = etat_du_flux(numero)
    assert {**apres, "etat_le": None} == {**avant, "etat_le": None}


class Tue(BaseException):
    """The worker is killed (nothing in traiter catches it)."""


@pytest.fixture
def tranches_synchrones(monkeypatch, synchrone):
    """Chunks of one file, each run in the test's process when it is queued (so a lot of two runs as two chunks):
    the chunk task's own arguments are the last four the queuing receives."""
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", 1)
    monkeypatch.setattr(tasks, "_planifier", lambda *args: tasks.traiter_tranche_flux(*args[-4:]))
    return synchrone


def _lecture_espionnee(monkeypatch, action):
    """``envoi.lire_et_controler`` (steps 1 to 3 of each file) records the files it reads and runs ``action(nom,
    nombre de fichiers lus)`` first."""
    lire, appels = envoi.lire_et_controler, []

    def espion(*, fournisseur, contenu, nom_fichier, formats=None):
        appels.append(nom_fichier)
        action(nom_fichier, len(appels))
        return lire(fournisseur=fournisseur, contenu=contenu, nom_fichier=nom_fichier, formats=formats)

    monkeypatch.setattr(envoi, "lire_et_controler", espion)
    return appels


def test_flux_tue_en_cours_repris_par_la_tache_beat(api, etat, tranches_synchrones, monkeypatch):
    """Killed in its second chunk: the first chunk's invoice is written and linked (they commit together), the
    second chunk left nothing; the beat resumes the flux, which integrates only what is missing."""
    a, b = document(api.compte, etat, "FLX-R1"), document(api.compte, etat, "FLX-R2")

    def meurt_au_second(nom, lus):
        if lus == 2:
            raise Tue

    appels = _lecture_espionnee(monkeypatch, meurt_au_second)
    with pytest.raises(Tue), tranches_synchrones(execute=True):
        deposer(api, tar_gz(("a.xml", a), ("b.xml", b)), nom="lot.tar.gz")
    flux = FluxDepot.objects.get(structure=api.compte.structure)
    numero = flux.numero
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and flux.tentatives == 1 and flux.tranches_finies == [0]
    assert list(flux.factures.values_list("numero", flat=True)) == ["FLX-R1"]
    assert not Facture.objects.filter(numero="FLX-R2").exists()

    debut = timezone.now()
    with time_machine.travel(debut + timedelta(minutes=5), tick=False):
        assert tasks.relancer_flux_bloques() == 0  # a worker 5 minutes silent may still be alive
        assert flux_api.traiter(flux).tentatives == 1  # nor does a second task take it
    with time_machine.travel(debut + timedelta(minutes=20), tick=False):
        assert tasks.relancer_flux_bloques() == 1
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_INTEGRE" and cr["listeErreurDP"] == [], cr
    flux.refresh_from_db()
    assert flux.tentatives == 2 and appels == ["a.xml", "b.xml", "b.xml"]  # a.xml was not integrated twice
    assert sorted(flux.factures.values_list("numero", flat=True)) == ["FLX-R1", "FLX-R2"]
    assert Facture.objects.filter(numero__startswith="FLX-R").count() == 2


def test_tranche_tuee_pendant_l_analyse_n_ecrit_rien(api, etat, synchrone, monkeypatch):
    """A chunk's invoices are written together once all its files are analysed: killed before, it wrote none."""
    a, b = document(api.compte, etat, "FLX-K1"), document(api.compte, etat, "FLX-K2")

    def meurt_au_second(nom, lus):
        if lus == 2:
            raise Tue

    _lecture_espionnee(monkeypatch, meurt_au_second)
    with pytest.raises(Tue), synchrone(execute=True):
        deposer(api, tar_gz(("a.xml", a), ("b.xml", b)), nom="lot.tar.gz")
    flux = FluxDepot.objects.get(structure=api.compte.structure)
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and flux.tranches_finies == []
    assert not flux.factures.exists() and not Facture.objects.filter(numero__startswith="FLX-K").exists()


def _fichiers_factures() -> set[str]:
    racine = os.path.join(settings.MEDIA_ROOT, "factures")
    return {os.path.join(d, f) for d, _, noms in os.walk(racine) for f in noms}


def test_flux_repris_pendant_l_ecriture_le_premier_n_ecrit_rien(api, etat, synchrone, monkeypatch):
    """Taken for dead while it analysed its chunk, a worker finds it out when it links the chunk's invoices (under
    the flux row's lock, in the writing's transaction): nothing of the chunk is kept, not even its stored files."""
    a, b = document(api.compte, etat, "FLX-W1"), document(api.compte, etat, "FLX-W2")

    def repris_au_second(nom, lus):
        if lus == 2:  # meanwhile this worker was taken for dead and another one took the flux (its attempt n° 2)
            FluxDepot.objects.filter(structure=api.compte.structure).update(tentatives=2)

    appels = _lecture_espionnee(monkeypatch, repris_au_second)
    avant = _fichiers_factures()
    with synchrone(execute=True):
        numero = deposer(api, tar_gz(("a.xml", a), ("b.xml", b)), nom="lot.tar.gz").json()["numeroFluxDepot"]
    flux = FluxDepot.objects.get(numero=numero)
    assert appels == ["a.xml", "b.xml"]  # both analysed: the writing is where it stopped
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and flux.erreurs_dp == [] and flux.tranches_finies == []
    assert not flux.factures.exists() and not Facture.objects.filter(numero__startswith="FLX-W").exists()
    assert _fichiers_factures() == avant


def test_flux_repris_pendant_l_analyse_le_premier_s_arrete_au_signe_de_vie(api, etat, synchrone, monkeypatch):
    """A worker shows it is alive between the files it analyses (here after each one): taken for dead, it stops
    there, without reading the chunk's other files nor writing anything."""
    monkeypatch.setattr(flux_api, "SIGNE_DE_VIE", -1.0)
    membres = [(f"{n}.xml", document(api.compte, etat, f"FLX-V{n}")) for n in (1, 2, 3)]

    def repris_au_second(nom, lus):
        if lus == 2:
            FluxDepot.objects.filter(structure=api.compte.structure).update(tentatives=2)

    appels = _lecture_espionnee(monkeypatch, repris_au_second)
    with synchrone(execute=True):
        numero = deposer(api, tar_gz(*membres), nom="lot.tar.gz").json()["numeroFluxDepot"]
    assert appels == ["1.xml", "2.xml"]
    flux = FluxDepot.objects.get(numero=numero)
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and flux.tranches_finies == []
    assert not Facture.objects.filter(numero__startswith="FLX-V").exists()


def test_flux_recu_dont_la_tache_s_est_perdue(api, etat, synchrone):
    with synchrone(execute=False):  # the broker lost the task
        numero = deposer(api, document(api.compte, etat, "FLX-P")).json()["numeroFluxDepot"]
    assert FluxDepot.objects.get(numero=numero).etat == "IN_RECU"
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False):
        assert tasks.relancer_flux_bloques() == 1
    assert FluxDepot.objects.get(numero=numero).etat == "IN_INTEGRE"


def test_flux_qui_plante_toujours_rejete_apres_trois_tentatives(api, etat, synchrone, monkeypatch, caplog):
    def plante(contenu, nom, indices=None):
        raise RuntimeError("panne interne")

    monkeypatch.setattr(flux_api.lots, "parcourir_lot", plante)
    with synchrone(execute=True):
        numero = deposer(api, document(api.compte, etat, "FLX-T")).json()["numeroFluxDepot"]
    flux = FluxDepot.objects.get(numero=numero)
    assert (flux.etat, flux.tentatives) == ("IN_EN_COURS_TRAITEMENT_CPP", 1)
    debut = timezone.now()
    for tentative in (2, 3):
        with time_machine.travel(debut + timedelta(minutes=11 * (tentative - 1)), tick=False):
            assert tasks.relancer_flux_bloques() == 1
        flux.refresh_from_db()
        assert flux.tentatives == tentative
    assert flux.etat == "IN_REJETE"  # the last attempt closed it at once
    assert flux.erreurs_techniques == [
        {
            "codeErreur": "FLUX_ECHEC_TECHNIQUE",
            "natureErreur": "FLUX",
            "libelleErreur": "Le traitement du flux a échoué 3 fois (erreur technique) : "
            "aucune facture n'a été intégrée. "
            "Déposez le flux à nouveau ; si l'erreur persiste, contactez le support de Chorus Pro.",
        }
    ]
    assert caplog.text.count("RuntimeError: panne interne") == 3
    with time_machine.travel(debut + timedelta(hours=1), tick=False):
        assert tasks.relancer_flux_bloques() == 0
    assert FluxDepot.objects.get(pk=flux.pk).tentatives == 3


def test_worker_mort_a_la_derniere_tentative_factures_integrees_jamais_rejete(api, etat, synchrone):
    with synchrone(execute=True):
        numero = deposer(api, document(api.compte, etat, "FLX-D")).json()["numeroFluxDepot"]
    # As if the third attempt's worker died after integrating the invoice, before the compte rendu.
    FluxDepot.objects.filter(numero=numero).update(
        etat="IN_EN_COURS_TRAITEMENT_CPP", tentatives=3, traitement_vu_le=timezone.now()
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=False):
        assert tasks.relancer_flux_bloques() == 1
    flux = FluxDepot.objects.get(numero=numero)
    assert flux.etat == "IN_INTEGRE_PARTIEL" and flux.tentatives == 3
    assert list(flux.factures.values_list("numero", flat=True)) == ["FLX-D"]
    assert flux.erreurs_techniques[0]["libelleErreur"].startswith(
        "Le traitement du flux a échoué 3 fois (erreur technique) : 1 facture(s) intégrée(s), les autres fichiers "
        "n'ont pas été traités."
    )


def test_lot_hostile_rejete_sans_rien_garder(api, etat, synchrone):
    attente = os.path.join(settings.MEDIA_ROOT, "depots", "attente")
    avant = set(os.listdir(attente)) if os.path.isdir(attente) else set()
    tampon = io.BytesIO()
    with tarfile.open(fileobj=tampon, mode="w:gz") as archive:
        contenu = document(api.compte, etat, "FLX-H")
        info = tarfile.TarInfo("a.xml")
        info.size = len(contenu)
        archive.addfile(info, io.BytesIO(contenu))
        lien = tarfile.TarInfo("b.xml")
        lien.type, lien.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(lien)
    with synchrone(execute=True):
        numero = deposer(api, tampon.getvalue(), nom="lot.tar.gz").json()["numeroFluxDepot"]
    cr = api.post("transverses/v1/consulterCRDetaille", {"numeroFluxDepot": numero}).json()
    assert cr["etatCourantDepotFlux"] == "IN_REJETE" and cr["listeErreurDP"] == []
    assert cr["listeErreurTechnique"] == [
        {
            "codeErreur": "FLUX_ILLISIBLE",
            "natureErreur": "FLUX",
            "libelleErreur": "Le lot est refusé : le membre « b.xml » est un lien vers « /etc/passwd ».",
        }
    ]
    assert not Facture.objects.filter(numero="FLX-H").exists()
    assert (set(os.listdir(attente)) if os.path.isdir(attente) else set()) == avant


def test_beat_relance_les_flux_bloques_plus_souvent_que_le_delai():
    from celery.schedules import crontab

    from chorus.celery import app

    app.loader.import_default_modules()
    entrees = [e for e in app.conf.beat_schedule.values() if e["task"] == "chorus.api.tasks.relancer_flux_bloques"]
    assert [e["schedule"] for e in entrees] == [crontab(minute="*/5")]
    assert "chorus.api.tasks.relancer_flux_bloques" in app.tasks
    assert flux_api.DELAI_BLOCAGE == timedelta(minutes=10) and flux_api.MAX_TENTATIVES == 3
