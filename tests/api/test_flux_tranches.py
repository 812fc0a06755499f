"""A lot split into chunks run in parallel (facturation.api.flux): the flux's final state is set once, by the chunk
that ends last, whatever the order the chunks run in, a chunk delivered twice counts once, a chunk of an attempt
that was taken over does nothing; the lot's invoices are notified once per user (not once per invoice and status);
the rules and the portal's checks run once per invoice; a chunk's good invoices are written together (a constant
number of queries per chunk), with the rows, history chains, counters and per-file outcomes of one-at-a-time
deposits."""

import io
import json
import pathlib
import tarfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from chorus.management.commands.verifier_historiques import premier_maillon_rompu
from chorus.models import Message, OutboxMessage
from facturation import compteurs, en16931
from facturation.api import flux as flux_api
from facturation.api import tasks
from facturation.models import Facture, FluxDepot, HistoriqueFacture
from facturation.services import controles, envoi
from tests.api.test_flux import creer_lot, document
from tests.factories import utilisateur_de

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(etat):
    """An agent of the State holding « Factures reçues »: the recipient user of the lot's invoices."""
    return utilisateur_de(etat, email="agent@etat.gouv.fr", profils={"FACTURES_RECUES": "consultation"})


def _lot(api, etat, numeros, *, doublon=False):
    modele = document(api.compte, etat, "LOT-000")
    membres = [(f"{n}.xml", modele.replace(b"LOT-000", n.encode())) for n in numeros]
    if doublon:
        membres.insert(2, ("copie.xml", membres[0][1]))
    return creer_lot(api.compte, membres)


def _charger(flux):
    return tasks._flux(flux.pk)


def test_tranches_dans_le_desordre_et_en_double_etat_final_une_fois(
    api, etat, agent, fournisseur_gp, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", 2)
    gp, _ = fournisseur_gp
    with django_capture_on_commit_callbacks(execute=False):
        flux = _lot(api, etat, ["LOT-001", "LOT-002", "LOT-003", "LOT-004", "LOT-005"], doublon=True)
    planifiees = []
    flux = flux_api.traiter(_charger(flux), planifier=lambda *tache: planifiees.append(tache))
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and flux.tranches == 3
    assert [indices for *_, indices in planifiees] == [[0, 1], [3, 4], [5]]  # the copy (position 2) is reported

    # The chunks run in any order; the first one is delivered twice (a worker died before acknowledging it).
    for flux_id, tentative, index, indices in [planifiees[2], planifiees[0], planifiees[0]]:
        tasks.traiter_tranche_flux(flux_id, tentative, index, indices)
    flux.refresh_from_db()
    assert flux.etat == "IN_EN_COURS_TRAITEMENT_CPP" and sorted(flux.tranches_finies) == [0, 2]
    assert Message.objects.filter(destinataire=agent).count() == 0  # nothing notified before the lot ends
    courriels_avant = OutboxMessage.objects.count()
    tasks.traiter_tranche_flux(*planifiees[1])
    flux.refresh_from_db()
    assert flux.etat == "IN_INTEGRE_PARTIEL"
    assert [e["libelleErreurDP"] for e in flux.erreurs_dp] == [
        "Ce fichier figure deux fois dans le lot (même contenu que « LOT-001.xml ») : il est ignoré."
    ]
    numeros = sorted(flux.factures.values_list("numero", flat=True))
    assert numeros == ["LOT-001", "LOT-002", "LOT-003", "LOT-004", "LOT-005"]
    assert Facture.objects.filter(numero__startswith="LOT-").count() == 5  # each exactly once
    assert len(flux.membres_traites) == 5
    for facture in Facture.objects.filter(numero__startswith="LOT-"):
        assert facture.statut == "MISE_A_DISPOSITION" and HistoriqueFacture.chaine_intacte(facture)

    # One message per user for the whole lot: the recipient's agent, the supplier's GP (and its technical account).
    recus = Message.objects.filter(destinataire=agent)
    assert [(m.evenement, m.sujet) for m in recus] == [
        ("FACTURE_RECUE", f"5 nouvelle(s) facture(s) de {api.compte.structure.raison_sociale}")
    ]
    assert "LOT-001, LOT-002, LOT-003, LOT-004, LOT-005" in recus.get().corps
    emis = Message.objects.filter(destinataire=gp, evenement__startswith="FACTURE")
    assert [(m.evenement, m.sujet) for m in emis] == [
        ("FACTURE_STATUT", f"Flux {flux.numero} : 5 facture(s) intégrée(s)")
    ]
    assert "« Mise à disposition du destinataire » : 5 facture(s)" in emis.get().corps
    courriels = [m.payload["to"] for m in OutboxMessage.objects.order_by("pk")[courriels_avant:]]
    # One e-mail per user: the agent, the GP and the technical account's user (« Factures émises » too).
    assert sorted(courriels) == [["agent@etat.gouv.fr"], ["gp@fournisseur.fr"], ["tech_1_martin@cpro.fr"]]

    # A chunk delivered after the end changes nothing, nor notifies again.
    tasks.traiter_tranche_flux(*planifiees[1])
    assert Message.objects.filter(evenement__startswith="FACTURE").count() == 3
    assert FluxDepot.objects.get(pk=flux.pk).etat == "IN_INTEGRE_PARTIEL"


def test_tranche_d_une_tentative_reprise_sans_effet(api, etat, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", 1)
    with django_capture_on_commit_callbacks(execute=False):
        flux = _lot(api, etat, ["LOT-011", "LOT-012"])
    planifiees = []
    flux = flux_api.traiter(_charger(flux), planifier=lambda *tache: planifiees.append(tache))
    FluxDepot.objects.filter(pk=flux.pk).update(tentatives=2)  # another worker took the flux over
    tasks.traiter_tranche_flux(*planifiees[0])
    flux.refresh_from_db()
    assert flux.tranches_finies == [] and flux.etat == "IN_EN_COURS_TRAITEMENT_CPP"
    assert not Facture.objects.filter(numero__startswith="LOT-").exists()


def test_regles_et_controles_une_seule_fois_par_facture(api, etat, agent, monkeypatch):
    appels = {"regles": 0, "controles": 0, "emission": 0}

    def compter(nom, fonction):
        def compte(*args, **kwargs):
            appels[nom] += 1
            return fonction(*args, **kwargs)

        return compte

    monkeypatch.setattr(en16931, "verifier", compter("regles", en16931.verifier))
    monkeypatch.setattr(envoi, "verifier_avant_envoi", compter("controles", controles.verifier_avant_envoi))
    monkeypatch.setattr(envoi, "exiger_emission", compter("emission", envoi.exiger_emission))
    monkeypatch.setattr(tasks, "lancer_flux", lambda *args: None)
    flux = _lot(api, etat, ["LOT-021", "LOT-022", "LOT-023"])
    flux = flux_api.traiter(_charger(flux))
    assert flux.etat == "IN_INTEGRE"
    # The document's own rules once per invoice (never again on a regenerated CII), the portal's checks once per
    # invoice, the depositor's right once per lot.
    assert appels == {"regles": 3, "controles": 3, "emission": 1}
    assert Message.objects.filter(destinataire=agent).count() == 1


def test_fichier_structure_aucun_pdf_rendu_a_l_integration(api, etat, monkeypatch):
    """An invoice deposited as a structured file keeps that file as its document: no Factur-X is rendered while
    the lot is ingested (the download serves the deposited XML)."""

    def interdit(*args, **kwargs):
        raise AssertionError("PDF rendu pendant l'intégration")

    monkeypatch.setattr(envoi, "generer_pdf_facturx", interdit)
    monkeypatch.setattr(tasks, "lancer_flux", lambda *args: None)
    flux = flux_api.traiter(_charger(_lot(api, etat, ["LOT-031"])))
    assert flux.etat == "IN_INTEGRE"
    facture = Facture.objects.get(numero="LOT-031")
    assert facture.fichier.name.endswith(".xml")


def test_grand_lot_au_plus_vingt_tranches(api, monkeypatch, django_capture_on_commit_callbacks):
    """Each chunk reads the lot again: a big lot gets bigger chunks rather than more of them."""
    membres = [(f"{i}.xml", f"<facture n='{i}'/>".encode()) for i in range(2_500)]
    with django_capture_on_commit_callbacks(execute=False):
        flux = creer_lot(api.compte, membres)
    planifiees = []
    flux = flux_api.traiter(_charger(flux), planifier=lambda *tache: planifiees.append(tache))
    assert flux.tranches == flux_api.MAX_TRANCHES == 20
    assert [len(indices) for *_, indices in planifiees] == [125] * 20  # 2,500 files, not 25 chunks of 100
    assert sorted(i for *_, indices in planifiees for i in indices) == list(range(2_500))


def test_tranche_n_extrait_que_ses_fichiers(api, etat, monkeypatch, django_capture_on_commit_callbacks):
    """A chunk reads only its own files out of the lot (counted where tarfile extracts a member), and the split
    extracts each file once without keeping its content: memory does not grow with the lot."""
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", 2)
    extraits = []
    extraire = tarfile.TarFile.extractfile
    monkeypatch.setattr(tarfile.TarFile, "extractfile", lambda self, m: extraits.append(m.name) or extraire(self, m))
    numeros = [f"LOT-04{i}" for i in range(6)]
    with django_capture_on_commit_callbacks(execute=False):
        flux = _lot(api, etat, numeros)
    planifiees = []
    flux = flux_api.traiter(_charger(flux), planifier=lambda *tache: planifiees.append(tache))
    assert extraits == [f"{n}.xml" for n in numeros]  # the split: each file once
    assert [indices for *_, indices in planifiees] == [[0, 1], [2, 3], [4, 5]]
    extraits.clear()
    tasks.traiter_tranche_flux(*planifiees[1])
    assert extraits == ["LOT-042.xml", "LOT-043.xml"]
    assert sorted(Facture.objects.filter(numero__startswith="LOT-").values_list("numero", flat=True)) == [
        "LOT-042",
        "LOT-043",
    ]


def _requetes_d_une_tranche(api, etat, monkeypatch, capture, prefixe, taille):
    """The queries of the first chunk of a lot of two chunks of ``taille`` invoices."""
    monkeypatch.setattr(flux_api, "TAILLE_TRANCHE", taille)
    numeros = [f"{prefixe}{i:03d}" for i in range(2 * taille)]
    planifiees = []
    with capture(execute=False):
        flux = _lot(api, etat, numeros)
    flux = flux_api.traiter(_charger(flux), planifier=lambda *tache: planifiees.append(tache))
    with CaptureQueriesContext(connection) as requetes, capture(execute=False):
        tasks.traiter_tranche_flux(*planifiees[0])
    integrees = Facture.objects.filter(numero__in=numeros[:taille], statut="MISE_A_DISPOSITION")
    assert integrees.count() == taille
    return len(requetes)


# A chunk's queries, whatever its size: the flux read twice (the task, the chunk), the files already linked, the
# depositor's right (2), the duplicates of the chunk's files and numbers (2), the routing lookups (buyer, service,
# bank details: 3), the writing (savepoints, one INSERT of invoices, lines and VAT breakdowns, per target status one
# UPDATE and one INSERT of history rows, the links, the flux row's lock: 13), the chunk counted on the flux (4).
REQUETES_PAR_TRANCHE = 27


def test_requetes_par_facture_bornees(api, etat, agent, monkeypatch, django_capture_on_commit_callbacks):
    """The SQL queries of a chunk of 4 and of 8 invoices: the same, 27 when measured — none per invoice (every file
    is analysed with the chunk's lookups, then the chunk is written by one statement per table and per target
    status). Before this (each invoice written on its own): 144 and 276, 33 per invoice and 12 per chunk."""
    capture = django_capture_on_commit_callbacks
    petite = _requetes_d_une_tranche(api, etat, monkeypatch, capture, "LOT-A", 4)
    grande = _requetes_d_une_tranche(api, etat, monkeypatch, capture, "LOT-B", 8)
    assert grande == petite, (petite, grande)  # nothing per invoice
    assert petite <= REQUETES_PAR_TRANCHE, (petite, grande)


# --- A chunk written together: the same outcome as one file at a time -------------------------------------------

CII = flux_api.SYNTAXES["IN_DP_E1_CII_16B"]


def _deposer_lot(api, membres, django_capture_on_commit_callbacks):
    """A lot of ``membres`` processed at once (one chunk for fewer than ``TAILLE_TRANCHE`` files)."""
    with django_capture_on_commit_callbacks(execute=False):
        flux = creer_lot(api.compte, membres)
    with django_capture_on_commit_callbacks(execute=True):
        return flux_api.traiter(_charger(flux))


def _a_l_unite(api, nom, contenu):
    """The pipeline's answer to this one file deposited alone (``deposer_et_envoyer``), nothing kept."""

    class Annule(Exception):
        pass

    try:
        with transaction.atomic():
            facture = envoi.deposer_et_envoyer(
                canal=envoi.Canal.FLUX,
                acting_user=api.compte.utilisateur,
                fournisseur=api.compte.structure,
                contenu=contenu,
                nom_fichier=nom,
                formats=CII,
            )
            raise Annule(facture.numero)
    except ValidationError as exc:
        return " ".join(exc.messages)
    except Annule:
        return "intégrée"


def _lignes(facture) -> str:
    """The invoice's rows as written, without what differs by nature (ids, number, times, file, digests)."""
    ignores = {"id", "numero", "date_depot", "fichier", "fichier_sha256", "empreinte_certificat", "created_at"}
    rows = {
        "facture": {k: v for k, v in model_to_dict(facture).items() if k not in ignores},
        "lignes": [model_to_dict(ligne, exclude=["id", "facture"]) for ligne in facture.lignes.all()],
        "tva": [model_to_dict(tva, exclude=["id", "facture"]) for tva in facture.recapitulatif_tva.all()],
        "ajustements": [model_to_dict(a, exclude=["id", "facture"]) for a in facture.ajustements.all()],
        "historique": [
            (h.statut_precedent, h.statut, h.role, h.acting_user_id, h.motif)
            for h in facture.historique.order_by("created_at", "id")
        ],
    }
    return json.dumps(rows, default=str, sort_keys=True).replace(facture.numero, "N")


def test_tranche_ecrite_d_un_bloc_bons_integres_mauvais_rapportes_comme_a_l_unite(
    api, etat, agent, django_capture_on_commit_callbacks
):
    modele = document(api.compte, etat, "LOT-000")

    def numero(n: str) -> bytes:
        return modele.replace(b"LOT-000", n.encode())

    # An invoice sent before the lot: the lot repeats its file, and its number in another document.
    premier = _deposer_lot(api, [("deja.xml", numero("LOT-050"))], django_capture_on_commit_callbacks)
    assert premier.etat == "IN_INTEGRE"
    mauvais = {
        "illisible.xml": b"<pas-une-facture/>",
        "sans-engagement.xml": document(api.compte, etat, "LOT-SE", engagement=""),
        "meme-numero-dans-le-lot.xml": numero("LOT-101").replace(b"EJ-1", b"EJ-2"),
        "facturx.pdf": document(api.compte, etat, "LOT-PDF", pdf=True),
        "meme-fichier-qu-avant.xml": numero("LOT-050"),
        "meme-numero-qu-avant.xml": numero("LOT-050").replace(b"EJ-1", b"EJ-3"),
    }
    membres = [
        ("101.xml", numero("LOT-101")),
        *((nom, contenu) for nom, contenu in mauvais.items() if nom != "meme-numero-dans-le-lot.xml"),
        ("meme-numero-dans-le-lot.xml", mauvais["meme-numero-dans-le-lot.xml"]),  # after LOT-101
        ("102.xml", numero("LOT-102")),
    ]
    flux = _deposer_lot(api, membres, django_capture_on_commit_callbacks)

    assert flux.etat == "IN_INTEGRE_PARTIEL"
    assert sorted(flux.factures.values_list("numero", flat=True)) == ["LOT-101", "LOT-102"]
    # Each bad file is reported, in the lot's order, with what the pipeline answers for it deposited alone (the lot's
    # good invoices now sent).
    attendu = [
        (flux_api._erreur_dp(flux, nom, "", contenu)["numeroDP"], _a_l_unite(api, nom, contenu))
        for nom, contenu in membres
        if nom in mauvais
    ]
    assert [(e["numeroDP"], e["libelleErreurDP"]) for e in flux.erreurs_dp] == attendu
    rapport = dict(attendu)
    assert len(attendu) == 6 and "intégrée" not in rapport.values()
    assert rapport["LOT-101"] == (
        "Ce numéro de facture est déjà utilisé par votre structure : la facture n° LOT-101 a déjà été déposée."
    )
    assert rapport["illisible.xml"] == "Ce fichier XML n'est ni une facture UBL 2.1 ni une facture CII (UN/CEFACT)."
    assert "engagement" in rapport["LOT-SE"]

    # The rows written together are those a deposit of one file writes: fields, lines, VAT, history.
    seule = envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX,
        acting_user=api.compte.utilisateur,
        fournisseur=api.compte.structure,
        contenu=numero("LOT-U01"),
        nom_fichier="u.xml",
        formats=CII,
    )
    for facture in Facture.objects.filter(numero__in=["LOT-101", "LOT-102"]):
        assert facture.statut == "MISE_A_DISPOSITION" and facture.mode_depot == "FLUX"
        with facture.fichier.open("rb") as fichier:
            assert facture.empreinte_certificat == envoi.empreinte(fichier.read(), facture)
        assert _lignes(facture) == _lignes(seule)
    # Every history chain holds (the verification of ``verifier_historiques``), and so do the dashboards' counters.
    assert premier_maillon_rompu(HistoriqueFacture) is None
    sortie = io.StringIO()
    call_command("verifier_compteurs", stdout=sortie)  # a drift would raise CommandError
    assert "Compteurs des factures exacts : aucun écart." in sortie.getvalue() and "Écart" not in sortie.getvalue()


def test_ecriture_groupee_refusee_les_factures_ecrites_une_a_une(
    api, etat, agent, monkeypatch, django_capture_on_commit_callbacks
):
    """Two chunks sending one number at the same moment: both read it unused, and the unique index refuses the
    second chunk's writing as a whole. Its invoices are then written one at a time: only that one is refused, with
    the usual answer, and the failed attempt leaves neither rows nor files."""
    modele = document(api.compte, etat, "LOT-000")
    deja = _deposer_lot(api, [("a.xml", modele.replace(b"LOT-000", b"LOT-201"))], django_capture_on_commit_callbacks)
    assert deja.etat == "IN_INTEGRE"
    lire_doublons = envoi.ContexteLot.lire_doublons

    def sans_voir_les_numeros(self, fournisseur, documents):  # as if LOT-201 was committed right after this read
        lire_doublons(self, fournisseur, documents)
        self.numeros_deposes = {}

    monkeypatch.setattr(envoi.ContexteLot, "lire_doublons", sans_voir_les_numeros)
    ecrire = envoi._ecrire_en_masse
    essais = []
    monkeypatch.setattr(envoi, "_ecrire_en_masse", lambda *args: essais.append(1) or ecrire(*args))
    avant = _sur_disque()
    membres = [
        (f"{n}.xml", modele.replace(b"LOT-000", n.encode()).replace(b"EJ-1", b"EJ-9"))
        for n in ("LOT-202", "LOT-201", "LOT-203")
    ]
    flux = _deposer_lot(api, membres, django_capture_on_commit_callbacks)

    assert essais == [1]  # the chunk's writing, refused as a whole, then one invoice at a time
    assert flux.etat == "IN_INTEGRE_PARTIEL"
    assert [(e["numeroDP"], e["libelleErreurDP"]) for e in flux.erreurs_dp] == [
        (
            "LOT-201",
            "Ce numéro de facture est déjà utilisé par votre structure : la facture n° LOT-201 a déjà été déposée.",
        )
    ]
    assert sorted(flux.factures.values_list("numero", flat=True)) == ["LOT-202", "LOT-203"]
    assert Facture.objects.filter(numero="LOT-201").count() == 1
    assert premier_maillon_rompu(HistoriqueFacture) is None
    assert compteurs.ecarts() == []
    # The files of the refused writing were deleted: the lot added to the disk only its invoices' files.
    assert _sur_disque() - avant == {facture.fichier.name for facture in flux.factures.all()}


def _sur_disque() -> set[str]:
    racine = pathlib.Path(settings.MEDIA_ROOT)
    return {p.relative_to(racine).as_posix() for p in (racine / "factures").rglob("*") if p.is_file()}
