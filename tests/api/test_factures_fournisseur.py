"""factures/v1 of the supplier on a sent invoice — completer, recycler, traiterRejet, corriger/valideur/facture — and
the files sent ahead (transverses/v1/ajouter/fichier, factures/v1/deposer/pdf) that soumettre and completer attach
by their pieceJointeId; consulter/historique with its actions and events. Each through the portal's services, scoped
to the technical account's structure; a refusal changes nothing."""

import base64
import hashlib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from chorus.api import services as api_services
from facturation import services
from facturation.enums import Cadre, MotifRefusValidation, StatutFacture
from facturation.models import Facture, HistoriqueFacture, PieceJointe, PieceJointeTeleversee
from organisation.api import comptes
from tests.api.conftest import ClientApi
from tests.api.test_factures import facture as corps_facture
from tests.factories import UtilisateurFactory, structure_privee
from tests.facturation.factories import FactureFactory

pytestmark = pytest.mark.django_db
S = StatutFacture


JOUR_HEURE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
PDF = b"%PDF-1.4 bon de livraison"


def b64(contenu: bytes) -> str:
    return base64.b64encode(contenu).decode()


def pdf_facture(numero: str = "PDF-API-7") -> bytes:
    tampon = io.BytesIO()
    page = canvas.Canvas(tampon, pagesize=A4)
    page.drawString(72, 780, f"Facture n° {numero}")
    page.drawString(72, 760, "Total TTC : 361,00 EUR")
    page.showPage()
    page.save()
    return tampon.getvalue()


@pytest.fixture
def autre(client, client_oauth, etat):
    """The technical account of another supplier structure."""
    gp = UtilisateurFactory()
    structure = structure_privee(gp, "Autre SARL")
    compte, _ = comptes.creer_compte_technique(structure=structure, login="TECH_2@cpro.fr", mot_de_passe="m")
    return ClientApi(client, api_services.emettre_jeton(client_oauth), compte, mot_de_passe="m")


def _facture(fournisseur_gp, etat, statut, **extra):
    return FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, statut=statut, **extra)


def _televerser(api, contenu=PDF, nom="bl.pdf", **extra):
    r = api.post("transverses/v1/ajouter/fichier", {"pieceJointeFichier": b64(contenu), "pieceJointeNom": nom, **extra})
    assert r.status_code == 200, r.content
    return r.json()["pieceJointeId"]


# --- ajouter/fichier ----------------------------------------------------------------------------------------------


def test_ajouter_fichier(api):
    r = api.post(
        "transverses/v1/ajouter/fichier",
        {
            "pieceJointeFichier": b64(PDF),
            "pieceJointeNom": "bon",
            "pieceJointeExtension": "PDF",
            "pieceJointeTypeMime": "application/pdf",
            "idUtilisateurCourant": 0,
        },
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and type(corps["pieceJointeId"]) is int
    piece = PieceJointeTeleversee.objects.get(pk=corps["pieceJointeId"])
    assert piece.nom == "bon.pdf" and piece.taille == len(PDF) and piece.sha256 == hashlib.sha256(PDF).hexdigest()
    assert piece.utilisateur == api.compte.utilisateur and piece.structure == api.compte.structure


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"pieceJointeNom": "a.pdf"}, "Le champ « pieceJointeFichier » est obligatoire."),
        ({"pieceJointeFichier": "%%%", "pieceJointeNom": "a.pdf"}, "encodé en base64"),
        ({"pieceJointeFichier": b64(PDF), "pieceJointeNom": "a.exe"}, "Extension non autorisée"),
        ({"pieceJointeFichier": b64(b"pas un pdf"), "pieceJointeNom": "a.pdf"}, "ne correspond pas à son extension"),
        ({"pieceJointeFichier": b64(PDF), "pieceJointeNom": ["a.pdf"]}, "doit être une chaîne de caractères"),
    ],
)
def test_ajouter_fichier_refus(api, corps, message):
    r = api.post("transverses/v1/ajouter/fichier", corps)
    assert r.status_code == 400 and message in r.json()["libelle"], r.content
    assert type(r.json()["codeRetour"]) is int and r.json()["codeRetour"] != 0
    assert not PieceJointeTeleversee.objects.exists()


def test_soumettre_joint_les_pieces_televersees(api, etat):
    id_piece = _televerser(api)
    r = api.post(
        "factures/v1/soumettre",
        corps_facture(
            pieceJointeComplementaire=[
                {
                    "pieceJointeComplementaireId": id_piece,
                    "pieceJointeComplementaireDesignation": "Bon de livraison",
                    "pieceJointeComplementaireType": "BON_DE_LIVRAISON",
                }
            ]
        ),
    )
    assert r.status_code == 200, r.content
    piece = Facture.objects.get(pk=r.json()["identifiantFactureCPP"]).pieces_jointes.get()
    assert (piece.designation, piece.type_piece) == ("Bon de livraison", "BON_DE_LIVRAISON")
    assert piece.sha256 == hashlib.sha256(PDF).hexdigest()


def test_soumettre_piece_d_un_autre_compte_refusee(api, autre, etat):
    id_piece = _televerser(autre)
    r = api.post(
        "factures/v1/soumettre", corps_facture(pieceJointeComplementaire={"pieceJointeComplementaireId": id_piece})
    )
    assert r.status_code == 400 and "n'existe pas ou ne vous est pas accessible" in r.json()["libelle"]
    assert not Facture.objects.exists()


# --- deposer/pdf then soumettre DEPOT_PDF_API ----------------------------------------------------------------------


def test_deposer_pdf_puis_soumettre(api, etat):
    contenu = pdf_facture()
    r = api.post(
        "factures/v1/deposer/pdf",
        {"fichierFacture": b64(contenu), "nomFichier": "facture.pdf", "formatDepot": "PDF_NON_SIGNE"},
    )
    assert r.status_code == 200, r.content
    depot = r.json()
    assert type(depot["pieceJointeId"]) is int and depot["formatDepot"] == "PDF_NON_SIGNE"
    assert depot["numeroFacture"] == "PDF-API-7"
    r = api.post(
        "factures/v1/soumettre",
        corps_facture(
            numero="PDF-API-7",
            modeDepot="DEPOT_PDF_API",
            pieceJointePrincipale=[{"pieceJointePrincipaleId": depot["pieceJointeId"]}],
        ),
    )
    assert r.status_code == 200, r.content
    facture = Facture.objects.get(pk=r.json()["identifiantFactureCPP"])
    assert facture.mode_depot == "DEPOT_PDF_API" and facture.statut == S.MISE_A_DISPOSITION
    assert facture.fichier_sha256 == hashlib.sha256(contenu).hexdigest()
    # the same PDF a second time is a duplicate deposit
    r = api.post("factures/v1/deposer/pdf", {"fichierFacture": b64(contenu), "nomFichier": "facture.pdf"})
    assert r.status_code == 400 and "déjà été déposé" in r.json()["libelle"] and r.json()["codeRetour"] == 20004


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({"nomFichier": "f.pdf"}, "Le champ « fichierFacture » est obligatoire."),
        ({"fichierFacture": "@@", "nomFichier": "f.pdf"}, "encodé en base64"),
        ({"fichierFacture": b64(PDF), "nomFichier": "f.xml"}, "doit être un PDF"),
        ({"fichierFacture": b64(b"<x/>"), "nomFichier": "f.pdf"}, ""),
        ({"fichierFacture": b64(PDF), "nomFichier": "f.pdf", "formatDepot": "ZIP"}, "formatDepot"),
        ({"fichierFacture": b64(pdf_facture()), "nomFichier": "f.pdf", "formatDepot": "PDF_SIGNE"}, "formatDepot"),
    ],
)
def test_deposer_pdf_refus(api, corps, message):
    r = api.post("factures/v1/deposer/pdf", corps)
    assert r.status_code == 400 and message in r.json()["libelle"] and r.json()["libelle"], r.content
    assert not PieceJointeTeleversee.objects.exists()


def test_soumettre_depot_pdf_api_sans_piece_principale(api, etat):
    r = api.post("factures/v1/soumettre", corps_facture(modeDepot="DEPOT_PDF_API"))
    assert r.status_code == 400 and "pieceJointePrincipale" in r.json()["libelle"]
    r = api.post("factures/v1/soumettre", corps_facture(pieceJointePrincipale={"pieceJointePrincipaleId": 1}))
    assert r.status_code == 400 and "DEPOT_PDF_API" in r.json()["libelle"]
    assert not Facture.objects.exists()


# --- completer ----------------------------------------------------------------------------------------------------


def test_completer_avec_piece_jointe(moment, api, fournisseur_gp, etat):
    facture = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    id_piece = _televerser(api)
    r = api.post(
        "factures/v1/completer",
        {
            "identifiantFactureCPP": facture.pk,
            "commentaire": "Bon de livraison joint",
            "pieceJointeComplementaire": [
                {"pieceJointeComplementaireId": id_piece, "pieceJointeComplementaireType": "BON_DE_LIVRAISON"}
            ],
        },
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["codeRetour"] == 0 and corps["identifiantFactureCPP"] == facture.pk
    assert corps["numeroFacture"] == facture.numero and corps["dateTraitement"] == "2026-03-10"
    facture.refresh_from_db()
    assert facture.statut == S.COMPLETEE
    assert facture.pieces_jointes.get().sha256 == hashlib.sha256(PDF).hexdigest()
    entree = facture.historique.order_by("-created_at", "-id").first()
    assert entree.statut == S.COMPLETEE and entree.acting_user == api.compte.utilisateur
    assert entree.commentaire == "Bon de livraison joint"


def test_completer_refus_ne_change_rien(api, fournisseur_gp, etat):
    suspendue = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    r = api.post("factures/v1/completer", {"identifiantFactureCPP": suspendue.pk})
    assert r.status_code == 400 and "Ajoutez un commentaire" in r.json()["libelle"]
    recue = _facture(fournisseur_gp, etat, S.MISE_A_DISPOSITION)
    id_piece = _televerser(api)
    r = api.post(
        "factures/v1/completer",
        {
            "identifiantFactureCPP": recue.pk,
            "commentaire": "x",
            "pieceJointeComplementaire": {"pieceJointeComplementaireId": id_piece},
        },
    )
    assert r.status_code == 400 and "suspendue" in r.json()["libelle"]
    assert not PieceJointe.objects.exists()
    suspendue.refresh_from_db()
    recue.refresh_from_db()
    assert (suspendue.statut, recue.statut) == (S.SUSPENDUE, S.MISE_A_DISPOSITION)


@pytest.mark.parametrize(
    ("corps", "message"),
    [
        ({}, "Le champ « identifiantFactureCPP » est obligatoire."),
        ({"identifiantFactureCPP": "abc"}, "Le champ « identifiantFactureCPP » doit être un entier."),
        ({"identifiantFactureCPP": 1, "commentaire": {"a": 1}}, "Le champ « commentaire » doit être une chaîne"),
        ({"identifiantFactureCPP": 1, "pieceJointeComplementaire": "x"}, "pieceJointeComplementaire"),
        (
            {"identifiantFactureCPP": 1, "pieceJointeComplementaire": [{"pieceJointeComplementaireId": "x"}]},
            "Le champ « pieceJointeComplementaire[0].pieceJointeComplementaireId » doit être un entier.",
        ),
    ],
)
def test_completer_corps_invalide(api, corps, message):
    r = api.post("factures/v1/completer", corps)
    assert r.status_code == 400 and message in r.json()["libelle"], r.content


def test_completer_type_de_piece_inconnu(api, fournisseur_gp, etat):
    facture = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    r = api.post(
        "factures/v1/completer",
        {
            "identifiantFactureCPP": facture.pk,
            "pieceJointeComplementaire": {
                "pieceJointeComplementaireId": _televerser(api),
                "pieceJointeComplementaireType": "PHOTO",
            },
        },
    )
    assert r.status_code == 400 and "pieceJointeComplementaireType" in r.json()["libelle"]
    facture.refresh_from_db()
    assert facture.statut == S.SUSPENDUE


def test_actions_sur_la_facture_d_une_autre_structure_refusees(api, autre, fournisseur_gp, etat):
    suspendue = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    a_recycler = _facture(fournisseur_gp, etat, S.A_RECYCLER)
    rejetee = _facture(fournisseur_gp, etat, S.REJETEE)
    appels = [
        ("factures/v1/completer", {"identifiantFactureCPP": suspendue.pk, "commentaire": "x"}),
        ("factures/v1/recycler", {"identifiantFactureCPP": a_recycler.pk}),
        ("factures/v1/traiterRejet", {"listeDemandePaiement": [{"idDemandePaiement": rejetee.pk}]}),
        ("factures/v1/corriger/valideur/facture", {"idFacture": rejetee.pk, "identifiantStructure": "1"}),
    ]
    for chemin, corps in appels:
        r = autre.post(chemin, corps)
        assert r.status_code == 400 and "ne vous est pas accessible" in r.json()["libelle"], chemin
    etats = {f.pk: (f.statut, f.rejet_traite) for f in Facture.objects.all()}
    assert etats == {
        suspendue.pk: (S.SUSPENDUE, False),
        a_recycler.pk: (S.A_RECYCLER, False),
        rejetee.pk: (S.REJETEE, False),
    }


# --- recycler -----------------------------------------------------------------------------------------------------


def test_recycler(moment, api, fournisseur_gp, etat):
    facture = _facture(fournisseur_gp, etat, S.A_RECYCLER)
    r = api.post(
        "factures/v1/recycler",
        {
            "identifiantFactureCPP": facture.pk,
            "commentaire": "Bon numéro d'engagement",
            "destinataire": {"codeDestinataire": etat.identifiant, "codeServiceExecutant": "DRFIP_IDF"},
            "reference": {"numeroBonCommande": "EJ-2026-99"},
        },
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    assert corps["identifiantFactureCPP"] == facture.pk and corps["statutFacture"] == "MISE_A_DISPOSITION"
    assert corps["dateDepot"] == "2026-03-10" and corps["numeroFacture"] == facture.numero
    facture.refresh_from_db()
    assert facture.numero_engagement == "EJ-2026-99" and facture.statut == S.MISE_A_DISPOSITION
    assert facture.historique.filter(statut=S.DEPOSEE, commentaire="Recyclage : Bon numéro d'engagement").exists()


def test_recycler_refus(api, fournisseur_gp, etat):
    facture = _facture(fournisseur_gp, etat, S.A_RECYCLER)
    r = api.post(
        "factures/v1/recycler",
        {
            "identifiantFactureCPP": facture.pk,
            "destinataire": {"codeDestinataire": "99999999999999"},
            "reference": {"numeroBonCommande": "EJ-X"},
        },
    )
    assert r.status_code == 400 and "annuaire" in r.json()["libelle"]
    r = api.post("factures/v1/recycler", {"identifiantFactureCPP": facture.pk, "destinataire": "x"})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « destinataire » doit être un objet."
    recue = _facture(fournisseur_gp, etat, S.MISE_A_DISPOSITION)
    r = api.post("factures/v1/recycler", {"identifiantFactureCPP": recue.pk})
    assert r.status_code == 400 and "peut être recyclée" in r.json()["libelle"]
    facture.refresh_from_db()
    assert facture.statut == S.A_RECYCLER and facture.numero_engagement == "EJ-1"


# --- traiterRejet -------------------------------------------------------------------------------------------------


def test_traiter_rejet(api, fournisseur_gp, etat):
    rejetees = [_facture(fournisseur_gp, etat, S.REJETEE) for _ in range(2)]
    r = api.post(
        "factures/v1/traiterRejet",
        {
            "listeDemandePaiement": [{"idDemandePaiement": f.pk} for f in rejetees],
            "motifRejet": "Erreur de destinataire",
            "cpltInfos": "Facture redéposée",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"codeRetour": 0, "libelle": "TRA_MSG_00.000"}
    for f in rejetees:
        f.refresh_from_db()
        assert f.rejet_traite and f.statut == S.REJETEE
        entree = f.historique.order_by("-created_at", "-id").first()
        assert entree.motif == "Erreur de destinataire – Facture redéposée"
    r = api.post("factures/v1/traiterRejet", {"listeDemandePaiement": [{"idDemandePaiement": rejetees[0].pk}]})
    assert r.status_code == 400 and "pas de rejet à traiter" in r.json()["libelle"]


def test_traiter_rejet_tout_ou_rien(api, fournisseur_gp, etat):
    rejetee = _facture(fournisseur_gp, etat, S.REJETEE)
    recue = _facture(fournisseur_gp, etat, S.MISE_A_DISPOSITION)
    r = api.post(
        "factures/v1/traiterRejet",
        {"listeDemandePaiement": [{"idDemandePaiement": rejetee.pk}, {"idDemandePaiement": recue.pk}]},
    )
    assert r.status_code == 400 and f"Facture {recue.pk}" in r.json()["libelle"]
    rejetee.refresh_from_db()
    assert not rejetee.rejet_traite
    for corps, message in [
        ({}, "au moins une facture"),
        ({"listeDemandePaiement": [{}]}, "Le champ « listeDemandePaiement[0].idDemandePaiement » est obligatoire."),
        ({"listeDemandePaiement": 3}, "listeDemandePaiement"),
        ({"listeDemandePaiement": [{"idDemandePaiement": i} for i in range(501)]}, "au plus 500 factures"),
        ({"listeDemandePaiement": [{"idDemandePaiement": rejetee.pk}], "motifRejet": [1]}, "motifRejet"),
    ]:
        r = api.post("factures/v1/traiterRejet", corps)
        assert r.status_code == 400 and message in r.json()["libelle"], (corps, r.content)


# --- corriger/valideur/facture ----------------------------------------------------------------------------------


def _structure_privee(raison_sociale):
    gp = UtilisateurFactory()
    return structure_privee(gp, raison_sociale), gp


def test_corriger_valideur(api, fournisseur_gp, etat):
    mauvais, gp_mauvais = _structure_privee("Mauvais Titulaire")
    bon, _ = _structure_privee("Bon Titulaire")
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, valideur=mauvais, a_valider=True)
    services.refuser_facture(acting_user=gp_mauvais, facture=facture, motif=MotifRefusValidation.ERREUR_VALIDEUR)
    assert Facture.objects.get(pk=facture.pk).statut == S.ERREUR_FOURNISSEUR_SUR_VALIDEUR
    r = api.post("factures/v1/corriger/valideur/facture", {"idFacture": facture.pk, "identifiantStructure": "123"})
    assert r.status_code == 400 and "SIRET" in r.json()["libelle"]
    r = api.post("factures/v1/corriger/valideur/facture", {"idFacture": facture.pk, "idStructure": mauvais.pk})
    assert r.status_code == 400 and "n'est pas le bon" in r.json()["libelle"]
    r = api.post("factures/v1/corriger/valideur/facture", {"idFacture": facture.pk})
    assert r.status_code == 400 and "identifiantStructure" in r.json()["libelle"]
    r = api.post("factures/v1/corriger/valideur/facture", {"idFacture": "x", "idStructure": bon.pk})
    assert r.status_code == 400 and r.json()["libelle"] == "Le champ « idFacture » doit être un entier."
    assert Facture.objects.get(pk=facture.pk).valideur == mauvais
    r = api.post(
        "factures/v1/corriger/valideur/facture",
        {"idFacture": facture.pk, "identifiantStructure": bon.identifiant, "typeIdentifiantStructure": "SIRET"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["idFacture"] == facture.pk and type(r.json()["idFacture"]) is int
    facture.refresh_from_db()
    assert facture.valideur == bon and facture.statut == S.A_VALIDER_1


def test_corriger_valideur_hors_erreur_de_valideur(api, fournisseur_gp, etat):
    bon, _ = _structure_privee("Bon Titulaire")
    facture = _facture(fournisseur_gp, etat, S.MISE_A_DISPOSITION, cadre=Cadre.A1)
    r = api.post("factures/v1/corriger/valideur/facture", {"idFacture": facture.pk, "idStructure": bon.pk})
    assert r.status_code == 400 and "Erreur fournisseur sur valideur" in r.json()["libelle"]


# --- consulter/historique -------------------------------------------------------------------------------------------


def test_historique_actions_et_evenements(api, fournisseur_gp, etat):
    facture = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    api.post("factures/v1/completer", {"identifiantFactureCPP": facture.pk, "commentaire": "Précisions"})
    r = api.post(
        "factures/v1/consulter/historique",
        {
            "idFacture": facture.pk,
            "paramRechercheHistoActionsUtilisateurs": {"nbResultatsParPageListeHistoAction": 2},
        },
    )
    assert r.status_code == 200, r.content
    corps = r.json()
    actions = corps["historiquesDesActionsUtilisateurs"]
    assert [a["histoActionCode"] for a in actions["histoAction"]] == ["COMPLETION_FACTURE", "TRAITEMENT_SUSPENDUE"]
    assert actions["totalHistoAction"] == 3 and actions["pagesHistoAction"] == 2
    premiere = actions["histoAction"][0]
    assert type(premiere["histoActionId"]) is int and JOUR_HEURE.match(premiere["histoActionDateHeure"])
    assert premiere["histoActionUtilisateurEmail"] == api.compte.utilisateur.email
    evenements = corps["historiquesDesEvenementsComplementaires"]
    assert [e["evenementLibelle"] for e in evenements["evenement"]] == ["Facture mise à disposition du destinataire"]
    assert evenements["totalEvenement"] == 1 and type(evenements["evenement"][0]["evenementId"]) is int
    assert evenements["evenement"][0]["evenementQui"] == "Chorus Pro"
    assert corps["derniereAction"] == {
        "derniereActionCode": "COMPLETION_FACTURE",
        "derniereActionId": HistoriqueFacture.objects.filter(objet=facture, statut=S.COMPLETEE).get().pk,
    }
    r = api.post(
        "factures/v1/consulter/historique",
        {
            "idFacture": facture.pk,
            "paramRechercheHistoActionsUtilisateurs": {
                "pageResultatDemandeeListeHistoAction": 2,
                "nbResultatsParPageListeHistoAction": 2,
            },
        },
    )
    assert [a["histoActionCode"] for a in r.json()["historiquesDesActionsUtilisateurs"]["histoAction"]] == [
        "DEPOT_FACTURE"
    ]
    r = api.post(
        "factures/v1/consulter/historique",
        {"idFacture": facture.pk, "paramRechercheHistoEvenementsComplementaires": "x"},
    )
    assert r.status_code == 400 and "paramRechercheHistoEvenementsComplementaires" in r.json()["libelle"]


def test_historique_en_requetes_bornees(api, fournisseur_gp, etat, django_assert_max_num_queries):
    """One query for the whole history, whatever its length (the acting users joined)."""

    def compter(facture) -> int:
        with CaptureQueriesContext(connection) as requetes:
            r = api.post("factures/v1/consulter/historique", {"idFacture": facture.pk})
        assert r.status_code == 200
        return len(requetes)

    courte = compter(_facture(fournisseur_gp, etat, S.MISE_A_DISPOSITION))
    longue = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    api.post("factures/v1/completer", {"identifiantFactureCPP": longue.pk, "commentaire": "x"})
    assert compter(longue) == courte
    with django_assert_max_num_queries(10):
        api.post("factures/v1/consulter/historique", {"idFacture": longue.pk})


def test_soumettre_pdf_principal_d_un_autre_compte_refuse(api, autre, etat):
    r = autre.post("factures/v1/deposer/pdf", {"fichierFacture": b64(pdf_facture()), "nomFichier": "facture.pdf"})
    assert r.status_code == 200, r.content
    r = api.post(
        "factures/v1/soumettre",
        corps_facture(
            modeDepot="DEPOT_PDF_API", pieceJointePrincipale={"pieceJointePrincipaleId": r.json()["pieceJointeId"]}
        ),
    )
    assert r.status_code == 400 and "n'existe pas ou ne vous est pas accessible" in r.json()["libelle"]
    assert not Facture.objects.exists()


def test_soumettre_pdf_principal_illisible(api, etat):
    id_piece = _televerser(api)  # starts like a PDF, is not one
    r = api.post(
        "factures/v1/soumettre",
        corps_facture(modeDepot="DEPOT_PDF_API", pieceJointePrincipale={"pieceJointePrincipaleId": id_piece}),
    )
    assert r.status_code == 400 and "PDF" in r.json()["libelle"], r.content
    assert not Facture.objects.exists()


def test_completer_par_une_seule_piece_jointe(api, fournisseur_gp, etat):
    """A file attached since the suspension completes the invoice without a comment (the portal's rule)."""
    facture = _facture(fournisseur_gp, etat, S.SUSPENDUE)
    r = api.post(
        "factures/v1/completer",
        {
            "identifiantFactureCPP": facture.pk,
            "pieceJointeComplementaire": {"pieceJointeComplementaireId": _televerser(api)},
        },
    )
    assert r.status_code == 200, r.content
    facture.refresh_from_db()
    assert facture.statut == S.COMPLETEE
    piece = facture.pieces_jointes.get()
    assert (piece.type_piece, piece.designation) == ("AUTRE", "bl.pdf")
