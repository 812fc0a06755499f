"""A lot split into chunks run in parallel (facturation.api.flux): the flux's final state is set once, by the chunk
that ends last, whatever the order the chunks run in, a chunk delivered twice counts once, a chunk of an attempt
that was taken over does nothing; the lot's invoices are notified once per user (not once per invoice and status);
the rules and the portal's checks run once per invoice."""

import tarfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chorus.models import Message, OutboxMessage
from facturation import en16931
from facturation.api import flux as flux_api
from facturation.api import tasks
from facturation.api.vues_flux import creer_flux
from facturation.models import Facture, FluxDepot, HistoriqueFacture
from facturation.services import controles, envoi
from tests.api.test_flux import document, tar_gz
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
    return creer_flux(
        structure=api.compte.structure,
        compte=api.compte,
        syntaxe="IN_DP_E1_CII_16B",
        nom_fichier="lot.tar.gz",
        contenu=tar_gz(*membres),
    )


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
        flux = creer_flux(
            structure=api.compte.structure,
            compte=api.compte,
            syntaxe="IN_DP_E1_CII_16B",
            nom_fichier="lot.tar.gz",
            contenu=tar_gz(*membres),
        )
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


def test_requetes_par_facture_bornees(api, etat, agent, monkeypatch, django_capture_on_commit_callbacks):
    """The SQL queries of a chunk, per invoice: the difference between a chunk of 4 and a chunk of 8 invoices (the
    chunk's fixed costs cancel out). Measured: 144 and 276 queries, i.e. 33 per invoice and 12 per chunk — the
    document's parties, the duplicate checks, the draft with its lines and VAT breakdown, the sending's update, two
    transitions with their history rows (each reading its chain's tail), the link to the flux, the liveness check."""
    capture = django_capture_on_commit_callbacks
    petite = _requetes_d_une_tranche(api, etat, monkeypatch, capture, "LOT-A", 4)
    grande = _requetes_d_une_tranche(api, etat, monkeypatch, capture, "LOT-B", 8)
    assert (grande - petite) / 4 <= 33, (petite, grande)
