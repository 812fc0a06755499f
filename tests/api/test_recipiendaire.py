"""factures/v1 of the recipient: rechercher/recipiendaire, consulter/recipiendaire, traiter/recue (the portal's
« Traiter la facture » service, its coded motifs) and telecharger/groupe, scoped to the invoices the technical
account's structure receives."""

import base64
import io
import re
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from chorus.api import services as api_services
from facturation import documents
from facturation.models import Facture, HistoriqueFacture
from facturation.services import envoi
from organisation import services as org_services
from organisation.api import comptes
from tests.api.conftest import MOT_DE_PASSE, ClientApi
from tests.api.test_flux import document
from tests.factories import StructureFactory, siret_aleatoire
from tests.facturation.factories import FactureFactory, ligne, piece
from tests.facturation.test_recues import _agent as agent_recues

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
JOUR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture
def compte_etat(etat):
    compte, _ = comptes.creer_compte_technique(structure=etat, login="TECH_1_etat@cpro.fr", mot_de_passe=MOT_DE_PASSE)
    return compte


@pytest.fixture
def recipiendaire(client, client_oauth, compte_etat):
    """The State's ERP: a technical account of the recipient structure."""
    return ClientApi(client, api_services.emettre_jeton(client_oauth), compte_etat)


def _envoyer(fournisseur_gp, destinataire, numero, *, pieces=(), statut=None, service="DRFIP_IDF"):
    return FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=destinataire,
        numero=numero,
        service=service,
        lignes=[ligne("Maintenance", quantite=2, prix_unitaire_ht="150")],
        pieces=list(pieces),
        envoyer=True,
        **({"statut": statut} if statut else {}),
    )


@pytest.fixture
def recue(fournisseur_gp, etat):
    return _envoyer(fournisseur_gp, etat, "REC-001", pieces=[piece(designation="Bon de livraison")])


@pytest.fixture
def etrangere(fournisseur_gp):
    """An invoice of the same supplier addressed to another public structure: never the State's."""
    commune = StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Vif", publique=True)
    return _envoyer(fournisseur_gp, commune, "REC-AUTRE", service="")


def _statut(facture) -> str:
    return Facture.objects.values_list("statut", flat=True).get(pk=facture.pk)


# --- rechercher/recipiendaire ----------------------------------------------------------------------------------


def test_rechercher_recipiendaire_types_et_perimetre(recipiendaire, recue, etrangere, fournisseur_gp):
    r = recipiendaire.post("factures/v1/rechercher/recipiendaire", {"paramRecherche": {"nbResultatsParPage": 10}})
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and isinstance(corps["libelle"], str)
    assert [f["numeroFacture"] for f in corps["listeFactures"]] == ["REC-001"]  # not the commune's
    assert (corps["nbResultatsParPage"], corps["pageCourante"], corps["pages"], corps["total"]) == (10, 1, 1, 1)
    f = corps["listeFactures"][0]
    for champ in ("idFacture", "idDestinataire", "idServiceExecutant"):
        assert type(f[champ]) is int, champ
    for champ in ("montantHT", "montantTTC", "montantAPayer"):
        assert type(f[champ]) is float, champ
    assert f["idFacture"] == recue.pk and f["montantHT"] == 300.0 and f["montantTTC"] == 360.0
    assert JOUR.match(f["dateFacture"]) and JOUR.match(f["dateDepot"]) and RFC3339.match(f["dateHeureEtatCourant"])
    assert f["statut"] == "MISE_A_DISPOSITION" and f["typeDemandePaiement"] == "FACTURE"
    assert f["codeServiceExecutant"] == "DRFIP_IDF" and f["codeDestinataire"] == "11000201100044"
    assert f["codeFournisseur"] == fournisseur_gp[1].identifiant and f["typeFacture"] == "FACTURE"
    assert all(isinstance(f[c], str) for c in ("commentaireEtatCourant", "devise", "designationFournisseur"))


def test_rechercher_recipiendaire_filtres(recipiendaire, recue, fournisseur_gp, etat):
    traitee = _envoyer(fournisseur_gp, etat, "REC-002", statut="SUSPENDUE")

    def numeros(corps):
        r = recipiendaire.post("factures/v1/rechercher/recipiendaire", corps)
        assert r.status_code == 200, r.content
        return [f["numeroFacture"] for f in r.json()["listeFactures"]]

    assert numeros({"statutCourant": ["SUSPENDUE"]}) == ["REC-002"]
    assert numeros({"numeroFacture": "REC-001"}) == ["REC-001"]
    assert numeros({"listeFournisseurs": [{"idFournisseur": fournisseur_gp[1].pk}]}) == ["REC-001", "REC-002"]
    assert numeros({"listeFournisseurs": [{"idFournisseur": etat.pk}]}) == []
    tri = {"triColonne": "NumeroFacture", "triSens": "Descendant"}
    assert numeros({"paramRecherche": tri}) == ["REC-002", "REC-001"]
    assert numeros({"montantTTCMin": 361}) == []
    drfip = etat.services.get(code="DRFIP_IDF").pk
    assert numeros({"idServiceExecutant": drfip}) == ["REC-001", "REC-002"]
    assert numeros({"idServiceExecutant": etat.services.get(code="FACTURES_PUBLIQUES").pk}) == []
    assert numeros({"listeFournisseurs": [{"idFournisseur": fournisseur_gp[1].pk, "listeIdService": [drfip]}]}) == []
    assert numeros({"periodeDateHeureEtatCourantDu": "2000-01-01"}) == ["REC-001", "REC-002"]
    assert numeros({"periodeDateHeureEtatCourantDu": "2999-01-01T00:00:00+01:00"}) == []
    assert numeros({"periodeDateHeureEtatCourantAu": "2000-01-01T00:00:00Z"}) == []
    assert numeros({"typeDemandePaiement": "FACTURE_TRAVAUX"}) == []
    # The suspension's motif is the invoice's current comment.
    r = recipiendaire.post("factures/v1/rechercher/recipiendaire", {"numeroFacture": traitee.numero}).json()
    assert r["listeFactures"][0]["commentaireEtatCourant"] != ""


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"idDestinataire": "abc"}, "Le champ « idDestinataire » doit être un entier."),
        ({"statutCourant": 3}, "Le champ « statutCourant » doit être une liste de chaînes."),
        ({"listeFournisseurs": [{"listeIdService": ["x"]}]}, "doit être une liste d'entiers."),
        ({"periodeDateFactureDu": "31/12/2025"}, "doit être une date"),
        ({"periodeDateHeureEtatCourantDu": "hier"}, "doit être une date et heure"),
        ({"typeDemandePaiement": "DEVIS"}, "Valeur inconnue pour « typeDemandePaiement »"),
        ({"paramRecherche": []}, "Le champ « paramRecherche » doit être un objet."),
    ],
)
def test_rechercher_recipiendaire_corps_malforme(recipiendaire, recue, corps, message):
    r = recipiendaire.post("factures/v1/rechercher/recipiendaire", corps)
    assert r.status_code == 400, r.content
    assert message in r.json()["libelle"] and r.json()["codeRetour"] != 0


def test_rechercher_recipiendaire_nombre_de_requetes_borne(
    recipiendaire, fournisseur_gp, etat, django_assert_max_num_queries
):
    _envoyer(fournisseur_gp, etat, "REC-B0")
    with django_assert_max_num_queries(12) as une:
        assert recipiendaire.post("factures/v1/rechercher/recipiendaire", {}).json()["total"] == 1
    for i in range(1, 6):
        _envoyer(fournisseur_gp, etat, f"REC-B{i}")
    with django_assert_max_num_queries(len(une.captured_queries)):
        assert recipiendaire.post("factures/v1/rechercher/recipiendaire", {}).json()["total"] == 6


# --- consulter/recipiendaire -----------------------------------------------------------------------------------


def test_consulter_recipiendaire(recipiendaire, recue):
    r = recipiendaire.post("factures/v1/consulter/recipiendaire", {"identifiantFactureCPP": recue.pk})
    assert r.status_code == 200, r.content
    f = r.json()["facture"]
    assert f["identifiantFactureCPP"] == recue.pk and f["numeroFacture"] == "REC-001"
    assert f["statutFacture"] == "MISE_A_DISPOSITION"
    assert type(f["destinataire"]["idDestinataire"]) is int and type(f["fournisseur"]["idFournisseur"]) is int
    assert type(f["montantTotal"]["montantTtcTotal"]) is float and f["montantTotal"]["montantTtcTotal"] == 360.0
    assert JOUR.match(f["references"]["dateFacture"])
    ligne_poste = f["lignesDePoste"]["lignePoste"][0]
    assert ligne_poste["lignePosteDenomination"] == "Maintenance" and type(ligne_poste["lignePosteNumero"]) is int


def test_consulter_recipiendaire_facture_d_une_autre_structure_refusee(recipiendaire, etrangere):
    r = recipiendaire.post("factures/v1/consulter/recipiendaire", {"identifiantFactureCPP": etrangere.pk})
    assert r.status_code == 400 and r.json()["codeRetour"] == 20002
    assert r.json()["libelle"] == f"La facture {etrangere.pk} n'existe pas ou ne vous est pas accessible."


def test_consulter_recipiendaire_facture_emise_non_visible_en_reception(api, recue):
    """The supplier's own technical account does not see its invoice as a recipient."""
    r = api.post("factures/v1/consulter/recipiendaire", {"identifiantFactureCPP": recue.pk})
    assert r.status_code == 400 and r.json()["codeRetour"] == 20002


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({}, "Le champ « identifiantFactureCPP » est obligatoire."),
        ({"identifiantFactureCPP": "douze"}, "Le champ « identifiantFactureCPP » doit être un entier."),
    ],
)
def test_consulter_recipiendaire_corps_malforme(recipiendaire, corps, message):
    r = recipiendaire.post("factures/v1/consulter/recipiendaire", corps)
    assert r.status_code == 400 and r.json()["libelle"] == message


# --- traiter/recue ---------------------------------------------------------------------------------------------


def _traiter(recipiendaire, facture, statut, **extra):
    return recipiendaire.post("factures/v1/traiter/recue", {"idFacture": facture.pk, "nouveauStatut": statut, **extra})


def test_traiter_recue_jusqu_a_la_mise_en_paiement(recipiendaire, recue, compte_etat):
    for statut in ("PRISE_EN_COMPTE_DESTINATAIRE", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"):
        r = _traiter(recipiendaire, recue, statut, numeroDPMandat="", champInconnu=1)
        assert r.status_code == 200, r.content
        corps = r.json()
        assert corps["codeRetour"] == 0 and corps["nouveauStatut"] == statut
        assert corps["idFacture"] == recue.pk and type(corps["idFacture"]) is int
        assert corps["numeroFacture"] == "REC-001" and JOUR.match(corps["dateTraitement"])
        assert _statut(recue) == statut
    historique = HistoriqueFacture.objects.filter(objet=recue, role="DESTINATAIRE").order_by("id")
    assert [h.statut for h in historique] == [
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "SERVICE_FAIT",
        "MANDATEE",
        "MISE_EN_PAIEMENT",
    ]
    assert {h.acting_user_id for h in historique} == {compte_etat.utilisateur_id}


def test_traiter_recue_suspension_motif_code_ou_libelle(recipiendaire, recue, fournisseur_gp, etat):
    r = _traiter(recipiendaire, recue, "SUSPENDUE", motif="JUSTIFICATIF")
    assert r.status_code == 200, r.content
    entree = HistoriqueFacture.objects.filter(objet=recue).order_by("-id").first()
    assert (entree.statut, entree.motif) == ("SUSPENDUE", "Justificatif absent ou insuffisant")
    autre = _envoyer(fournisseur_gp, etat, "REC-003")
    r = _traiter(recipiendaire, autre, "REJETEE", motif="montant de la facture erroné")
    assert r.status_code == 200, r.content
    assert HistoriqueFacture.objects.filter(objet=autre).order_by("-id").first().motif == "Montant de la facture erroné"


@pytest.mark.parametrize(
    ("statut", "extra", "message"),
    [
        ("SUSPENDUE", {}, "Le champ « motif » est obligatoire pour le statut « SUSPENDUE » (codes : JUSTIFICATIF"),
        ("REJETEE", {"motif": "Pas content"}, "Motif inconnu pour le statut « REJETEE » : « Pas content »"),
        ("A_RECYCLER", {"motif": "JUSTIFICATIF"}, "Motif inconnu pour le statut « A_RECYCLER »"),
        ("SERVICE_FAIT", {"motif": "AUTRE"}, "Le statut « SERVICE_FAIT » ne prend pas de motif"),
        ("PAYEE", {}, "Valeur inconnue pour « nouveauStatut » : PAYEE"),
        ("COMPLETEE", {}, "Valeur inconnue pour « nouveauStatut » : COMPLETEE"),
        ("COMPTABILISEE", {"idFacture": "x"}, "Le champ « idFacture » doit être un entier."),
        ("", {}, "Le champ « nouveauStatut » est obligatoire."),
        ("SERVICE_FAIT", {"motif": ["a"]}, "Le champ « motif » doit être une chaîne de caractères."),
    ],
)
def test_traiter_recue_refus_rien_ne_change(recipiendaire, recue, statut, extra, message):
    r = _traiter(recipiendaire, recue, statut, **extra)
    assert r.status_code == 400, r.content
    assert message in r.json()["libelle"] and r.json()["codeRetour"] != 0
    assert _statut(recue) == "MISE_A_DISPOSITION"
    assert not HistoriqueFacture.objects.filter(objet=recue, role="DESTINATAIRE").exists()


def test_traiter_recue_transition_interdite(recipiendaire, fournisseur_gp, etat):
    payee = _envoyer(fournisseur_gp, etat, "REC-004", statut="MISE_EN_PAIEMENT")
    r = _traiter(recipiendaire, payee, "SERVICE_FAIT")
    assert r.status_code == 400 and r.json()["codeRetour"] == 20003
    assert r.json()["libelle"] == (
        "L'action « Service fait » n'est pas possible : la facture REC-004 est au statut « Mise en paiement »."
    )
    assert _statut(payee) == "MISE_EN_PAIEMENT"


def test_traiter_recue_facture_d_une_autre_structure_refusee(recipiendaire, etrangere):
    r = _traiter(recipiendaire, etrangere, "SERVICE_FAIT")
    assert r.status_code == 400 and r.json()["codeRetour"] == 20002
    assert _statut(etrangere) == "MISE_A_DISPOSITION"


def test_traiter_recue_profil_en_consultation_refuse(recipiendaire, recue, compte_etat, etat):
    org_services.definir_profils(
        utilisateur=compte_etat.utilisateur, structure=etat, profils={"FACTURES_RECUES": "consultation"}
    )
    r = _traiter(recipiendaire, recue, "SERVICE_FAIT")
    assert r.status_code == 403 and r.json()["codeRetour"] == 403
    assert "Factures reçues" in r.json()["libelle"]
    assert _statut(recue) == "MISE_A_DISPOSITION"


# --- telecharger/groupe ----------------------------------------------------------------------------------------


def _groupe(recipiendaire, factures, **extra):
    return recipiendaire.post(
        "factures/v1/telecharger/groupe", {"listeFacture": [{"idFacture": f.pk} for f in factures], **extra}
    )


def test_telecharger_groupe_zip_avec_pieces_jointes(recipiendaire, recue, fournisseur_gp, etat):
    autre = _envoyer(fournisseur_gp, etat, "REC-005")
    r = _groupe(recipiendaire, [recue, autre], format="ZIP", avecPiecesJointesComplementaires="OUI")
    assert r.status_code == 200, r.content
    assert r.json()["codeRetour"] == 0 and isinstance(r.json()["fichierResultat"], str)
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(r.json()["fichierResultat"])))
    noms = archive.namelist()
    assert f"facture_REC-001_{recue.pk}.pdf" in noms and f"facture_REC-005_{autre.pk}.pdf" in noms
    pieces = [n for n in noms if n.startswith(f"facture_REC-001_{recue.pk}_pieces_jointes/")]
    assert len(pieces) == 1 and archive.read(pieces[0]) == b"%PDF-1.4 Bon de livraison"
    with recue.fichier.open("rb") as original:
        assert archive.read(f"facture_REC-001_{recue.pk}.pdf") == original.read()
    # Without the attachments: the invoices only.
    r = _groupe(recipiendaire, [recue], format="ZIP")
    assert zipfile.ZipFile(io.BytesIO(base64.b64decode(r.json()["fichierResultat"]))).namelist() == [
        f"facture_REC-001_{recue.pk}.pdf"
    ]


def test_telecharger_groupe_pdf(recipiendaire, recue, fournisseur_gp, etat):
    autre = _envoyer(fournisseur_gp, etat, "REC-006")
    r = _groupe(recipiendaire, [recue, autre], format="PDF")
    assert r.status_code == 200, r.content
    contenu = base64.b64decode(r.json()["fichierResultat"])
    pages = 0
    for f in (recue, autre):
        with f.fichier.open("rb") as fichier:
            pages += len(PdfReader(io.BytesIO(fichier.read())).pages)
    assert contenu.startswith(b"%PDF") and len(PdfReader(io.BytesIO(contenu)).pages) == pages


def test_telecharger_groupe_facture_d_une_autre_structure_refusee(recipiendaire, recue, etrangere):
    r = _groupe(recipiendaire, [recue, etrangere], format="ZIP")
    assert r.status_code == 400 and r.json()["codeRetour"] == 20002
    assert str(etrangere.pk) in r.json()["libelle"] and "fichierResultat" not in r.json()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"format": "DOCX"}, "Format inconnu : « DOCX » (attendu : PDF, ZIP)."),
        (
            {"avecPiecesJointesComplementaires": "PEUT-ETRE"},
            "Valeur inconnue pour « avecPiecesJointesComplementaires »",
        ),
        ({"listeFacture": []}, "doit contenir au moins une facture"),
        ({"listeFacture": [{"idFacture": "x"}]}, "Le champ « listeFacture[0].idFacture » doit être un entier."),
        ({"listeFacture": "tout"}, "Le champ « listeFacture » doit être une liste d'objets."),
        ({"avecPiecesJointesComplementaires": "OUI", "format": "PDF"}, "n'est pas un PDF"),
    ],
)
def test_telecharger_groupe_corps_malforme(recipiendaire, fournisseur_gp, etat, extra, message):
    facture = _envoyer(fournisseur_gp, etat, "REC-007", pieces=[piece(nom="photo.png", contenu=b"\x89PNG\r\n\x1a\n")])
    r = _groupe(recipiendaire, [facture], **extra)
    assert r.status_code == 400, r.content
    assert message in r.json()["libelle"] and r.json()["codeRetour"] != 0


def test_telecharger_groupe_au_dela_de_120_mo(recipiendaire, recue, monkeypatch):
    monkeypatch.setattr(documents, "TAILLE_MAX_GROUPE", 10)
    r = _groupe(recipiendaire, [recue], format="ZIP")
    assert r.status_code == 413 and r.json()["libelle"].startswith("Les documents demandés dépassent 120 Mo")
    assert r.json()["codeRetour"] == 413


def test_telecharger_groupe_facture_deposee_en_xml(recipiendaire, api, etat, fournisseur_gp):
    """An invoice deposited as XML has no PDF: the ZIP carries its XML as deposited, the PDF format is refused."""
    gp, structure = fournisseur_gp
    contenu = document(api.compte, etat, "REC-XML")
    facture = envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX, acting_user=gp, fournisseur=structure, contenu=contenu, nom_fichier="rec.xml"
    )
    r = _groupe(recipiendaire, [facture], format="ZIP")
    assert r.status_code == 200, r.content
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(r.json()["fichierResultat"])))
    assert archive.read(f"facture_REC-XML_{facture.pk}.xml") == contenu
    r = _groupe(recipiendaire, [facture], format="PDF")
    assert r.status_code == 400 and r.json()["libelle"] == (
        "La facture n° REC-XML a été déposée en XML : demandez le format ZIP pour la télécharger."
    )


def test_telecharger_groupe_nombre_de_requetes_borne(
    recipiendaire, fournisseur_gp, etat, django_assert_max_num_queries
):
    factures = [_envoyer(fournisseur_gp, etat, f"REC-Q{i}", pieces=[piece()]) for i in range(4)]
    corps = {"format": "ZIP", "avecPiecesJointesComplementaires": "OUI"}
    with django_assert_max_num_queries(12) as une:
        assert _groupe(recipiendaire, factures[:1], **corps).status_code == 200
    with django_assert_max_num_queries(len(une.captured_queries)):
        assert _groupe(recipiendaire, factures, **corps).status_code == 200


def _telecharger(client, url):
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content).startswith(b"%PDF")  # read to the end: the client closes the file


def test_facture_telechargee_par_destinataire(recipiendaire, recue, fournisseur_gp, etat, client):
    """A recipient's ERP fetches only the invoices not yet downloaded: telecharger/groupe (or the portal's
    « Télécharger ») marks them; the supplier downloading its own invoice marks nothing."""
    autre = _envoyer(fournisseur_gp, etat, "REC-008")
    portail = _envoyer(fournisseur_gp, etat, "REC-009")

    def numeros(telechargee):
        r = recipiendaire.post(
            "factures/v1/rechercher/recipiendaire", {"factureTelechargeeParDestinataire": telechargee}
        )
        assert r.status_code == 200, r.content
        assert all(f["factureTelechargeeParDestinataire"] is telechargee for f in r.json()["listeFactures"])
        return [f["numeroFacture"] for f in r.json()["listeFactures"]]

    assert numeros(False) == ["REC-001", "REC-008", "REC-009"] and numeros(True) == []
    client.force_login(fournisseur_gp[0])
    _telecharger(client, reverse("telecharger_facture", args=[autre.pk]))
    assert numeros(True) == []
    assert _groupe(recipiendaire, [recue], format="ZIP").status_code == 200
    client.force_login(agent_recues(etat))
    _telecharger(client, reverse("telecharger_facture_recue", args=[portail.pk]))
    assert numeros(False) == ["REC-008"] and numeros(True) == ["REC-001", "REC-009"]
    premier = Facture.objects.get(pk=recue.pk).telechargee_le
    assert _groupe(recipiendaire, [recue], format="ZIP").status_code == 200
    assert Facture.objects.get(pk=recue.pk).telechargee_le == premier  # the first download is kept


def test_traiter_recue_mandatee_avec_numero_dp_mandat(recipiendaire, recue):
    """« Numéro DP mandat » (seed 004) is kept with « Mandatée »; given with another status it is refused."""
    assert _traiter(recipiendaire, recue, "SERVICE_FAIT").status_code == 200
    r = _traiter(recipiendaire, recue, "MANDATEE", numeroDPMandat="DP-2026-7")
    assert r.status_code == 200, r.content
    assert Facture.objects.values_list("statut", "numero_dp_mandat").get(pk=recue.pk) == ("MANDATEE", "DP-2026-7")
    r = _traiter(recipiendaire, recue, "MISE_EN_PAIEMENT", numeroDPMandat="DP-AUTRE")
    assert r.status_code == 400 and "seulement avec l'action « Mandater »" in r.json()["libelle"]
    assert Facture.objects.values_list("statut", "numero_dp_mandat").get(pk=recue.pk) == ("MANDATEE", "DP-2026-7")


def test_traiter_recue_motifs_du_seed(recipiendaire, recue):
    """The API's motifs follow the enum: the seed's new ones are accepted, the codes listed on a refusal."""
    r = _traiter(recipiendaire, recue, "REJETEE", motif="Pièce illisible")
    assert (
        r.status_code == 400 and "PAIEMENT_REGIE" in r.json()["libelle"] and "MAUVAIS_VALIDEUR" in r.json()["libelle"]
    )
    r = _traiter(recipiendaire, recue, "REJETEE", motif="Transfert pour paiement en régie")
    assert r.status_code == 200, r.content
    assert HistoriqueFacture.objects.filter(objet=recue).first().motif == "Transfert pour paiement en régie"
