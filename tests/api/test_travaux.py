"""facturesTravaux/v1/*: each actor of a works dossier — fournisseur, MOE, MOA, each a structure reached only through
its technical account — deposits the next piece of the chain (A4 → A15 → A19), searches, consults and processes the
pieces through ``travaux.services`` and ``travaux.queries``, as on the portal's pages; a structure outside the dossier
and the wrong actor are refused, malformed bodies answer 400 with a French libelle and change nothing."""

import base64
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chorus.api import services as api_services
from facturation.enums import Cadre, StatutFacture
from facturation.models import Facture
from organisation import services as org_services
from organisation.api import comptes
from organisation.enums import Application, OptionMoa
from tests.api.conftest import MOT_DE_PASSE, ClientApi
from tests.travaux.factories import acteur, deposer_initial, pdf
from travaux.models import DossierFacturation, HistoriquePiece, PieceTravaux
from travaux.statuts import Role, StatutPiece

S = StatutPiece
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
JOUR_HEURE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
MAINTENANT = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def horloge():
    with time_machine.travel(MAINTENANT, tick=True):
        yield


@pytest.fixture
def structures(db):
    """Three actors without any portal user: only their technical accounts act."""
    return {
        "fournisseur": acteur("CEGELEC PERPIGNAN", niveau=None)[1],
        "moe": acteur("MB INGENIERIE", niveau=None)[1],
        "moa": acteur("ACADEMIE DE MONTPELLIER", publique=True, option_moa=OptionMoa.AVEC_MOA, niveau=None)[1],
        "etranger": acteur("AUTRE ENTREPRISE", niveau=None)[1],
    }


@pytest.fixture
def apis(client, client_oauth, structures):
    resultat = {}
    for role, structure in structures.items():
        compte, _ = comptes.creer_compte_technique(
            structure=structure, login=f"TECH_{role}@cpro.fr", mot_de_passe=MOT_DE_PASSE
        )
        resultat[role] = ClientApi(client, api_services.emettre_jeton(client_oauth), compte)
    return resultat


def piece(cadre="A4", numero="PDM-001", precedente=None, **extra):
    corps = {
        "cadreDeFacturation": {"codeCadreFacturation": cadre},
        "numeroFactureSaisi": numero,
        "dateFacture": "2026-03-09",
        "fichierFacture": base64.b64encode(pdf()).decode(),
        "nomFichier": f"{numero}.pdf",
        "formatDepot": "PDF_NON_SIGNE",
        "references": {"numeroMarche": "M-2026-042", "numeroBonCommande": "EJ-7", "typeTva": "TVA_SUR_DEBIT"},
        "montantTotal": {"montantHtTotal": 1000, "montantTVA": 200, "montantTtcTotal": 1200, "montantAPayer": 1200},
        "recapitulatifDeTva": [
            {"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 1000, "ligneTvaMontantTvaParTaux": 200}
        ],
        "champInconnu": "ignoré",
    }
    if precedente is not None:
        corps["piecePrecedente"] = {"idPiecePrecedente": precedente}
    corps.update(extra)
    return corps


def a4_corps(structures, **extra):
    return piece(
        structureMoe={"identifiantStructureMoe": structures["moe"].identifiant},
        structureMoa={"idStructureMoa": structures["moa"].pk},
        **extra,
    )


def ok(reponse) -> dict:
    assert reponse.status_code == 200, reponse.content.decode()
    donnees = reponse.json()
    assert donnees["codeRetour"] == 0
    return donnees


def refus(reponse, status=400) -> dict:
    assert reponse.status_code == status, reponse.content.decode()
    donnees = reponse.json()
    assert type(donnees["codeRetour"]) is int and donnees["codeRetour"] != 0
    return donnees


@pytest.fixture
def a4(apis, structures):
    return ok(apis["fournisseur"].post("facturesTravaux/v1/soumettre", a4_corps(structures)))


def test_chaine_a4_a15_a19_par_l_api_jusqu_aux_factures_recues(apis, structures, a4):
    f, moe, moa = apis["fournisseur"], apis["moe"], apis["moa"]
    assert type(a4["idFactureTravaux"]) is int and a4["statut"] == S.MISE_A_DISPOSITION_MOE
    assert a4["typeFactureTravaux"] == "A4_PROJET_DECOMPTE_MENSUEL_FOURNISSEUR" and a4["roleDeposant"] == "FOURNISSEUR"
    assert a4["dateDepot"] == "2026-03-10" and a4["identifiantFactureCPP"] == 0
    dossier = DossierFacturation.objects.get(pk=a4["idDossierFacturation"])
    assert a4["numeroDossierFacturation"] == dossier.numero
    assert (dossier.fournisseur, dossier.moe, dossier.moa) == (
        structures["fournisseur"],
        structures["moe"],
        structures["moa"],
    )

    # The MOE finds it in its role, takes it on, and deposits its état d'acompte from it.
    # Only the MOE may deposit the next piece, and only the « avec MOA » branch (A15, not A16).
    for api, attendus in ((f, []), (moe, ["A15_ETAT_ACOMPTE_MOE"])):
        fiche = ok(api.post("facturesTravaux/v1/consulter", {"idFactureTravaux": a4["idFactureTravaux"]}))
        assert fiche["factureTravaux"]["cadresSuivantsPossibles"] == attendus
    trouve = ok(moe.post("facturesTravaux/v1/rechercher", {"roleUtilisateur": "MOE"}))["listeFacturesTravaux"]
    assert [p["idFactureTravaux"] for p in trouve] == [a4["idFactureTravaux"]]
    assert ok(f.post("facturesTravaux/v1/rechercher", {"roleUtilisateur": "MOE"}))["listeFacturesTravaux"] == []
    pris = ok(
        moe.post(
            "facturesTravaux/v1/traiter", {"idFactureTravaux": a4["idFactureTravaux"], "action": "PRENDRE_EN_COMPTE"}
        )
    )
    assert pris["nouveauStatut"] == S.PRISE_EN_COMPTE_MOE and pris["dateTraitement"] == "2026-03-10"
    # (its PDF sent as MIME-style base64, wrapped in lines of 76 characters)
    corps = piece("A15", "EA-001", a4["idFactureTravaux"], fichierFacture=base64.encodebytes(pdf()).decode())
    a15 = ok(moe.post("facturesTravaux/v1/soumettre", corps))
    assert a15["statut"] == S.MISE_A_DISPOSITION_MOA and a15["roleDeposant"] == "MOE"
    assert a15["idDossierFacturation"] == a4["idDossierFacturation"]

    # The MOA sees what it may do, then deposits the état d'acompte validé: the payable piece becomes an invoice.
    vue = ok(moa.post("facturesTravaux/v1/consulter", {"idFactureTravaux": a15["idFactureTravaux"]}))
    assert {"PRENDRE_EN_COMPTE", "DEPOSER_PIECE_SUIVANTE", "REFUSER", "SUSPENDRE"} <= set(
        vue["factureTravaux"]["actionsPossibles"]
    )
    assert vue["factureTravaux"]["cadresSuivantsPossibles"] == ["A19_ETAT_ACOMPTE_VALIDE_MOA"]
    a19 = ok(moa.post("facturesTravaux/v1/soumettre", piece("A19", "EAV-001", a15["idFactureTravaux"])))
    facture = Facture.objects.get(pk=a19["identifiantFactureCPP"])
    assert a19["statut"] == StatutFacture.MISE_A_DISPOSITION == facture.statut
    assert facture.destinataire == structures["moa"] and facture.fournisseur == structures["fournisseur"]
    assert facture.piece_travaux.pk == a19["idFactureTravaux"]

    # The fournisseur follows its A4: associated, with its next piece and its dated history.
    suivi = ok(f.post("facturesTravaux/v1/consulter", {"idFactureTravaux": a4["idFactureTravaux"]}))["factureTravaux"]
    assert suivi["statut"] == S.ASSOCIEE and suivi["libelleStatut"] == "Associée"
    assert suivi["pieceSuivante"]["idPieceSuivante"] == a15["idFactureTravaux"]
    historique = suivi["historiquesDesStatuts"]["histoStatut"]
    assert [h["histoStatutCode"] for h in historique] == [
        S.BROUILLON,
        S.DEPOSEE,
        S.MISE_A_DISPOSITION_MOE,
        S.PRISE_EN_COMPTE_MOE,
        S.ASSOCIEE,
    ]
    assert all(JOUR_HEURE.match(h["histoStatutDatePassage"]) for h in historique)
    assert historique[3]["histoStatutRole"] == Role.MOE
    # The dossier: its pieces in order and its payment clock (30 days from the mise à disposition of the MOE).
    dossier_api = ok(
        f.post("facturesTravaux/v1/consulter/dossierfacturation", {"numeroDossierFacturation": dossier.numero})
    )
    assert [p["idFactureTravaux"] for p in dossier_api["listeFacturesTravaux"]] == [
        a4["idFactureTravaux"],
        a15["idFactureTravaux"],
        a19["idFactureTravaux"],
    ]
    fiche_dossier = dossier_api["dossierFacturation"]
    assert fiche_dossier["idDossierFacturation"] == dossier.pk and fiche_dossier["delaiPaiementJours"] == 30
    assert RFC3339.match(fiche_dossier["dateDebutDelaiPaiement"])
    assert fiche_dossier["dateEcheancePaiement"] == "2026-04-09" and fiche_dossier["enRetard"] is False
    assert fiche_dossier["idMoa"] == structures["moa"].pk and fiche_dossier["idDestinataire"] == structures["moa"].pk
    # Every change was made by the technical accounts' users, in the history chain.
    auteurs = set(HistoriquePiece.objects.exclude(acting_user=None).values_list("acting_user", flat=True))
    assert auteurs == {f.compte.utilisateur_id, moe.compte.utilisateur_id, moa.compte.utilisateur_id}


def test_types_des_champs(apis, structures, a4, django_assert_max_num_queries):
    f = apis["fournisseur"]
    ok(f.post("facturesTravaux/v1/soumettre", a4_corps(structures, numeroFactureSaisi="PDM-002")))
    with django_assert_max_num_queries(6):
        reponse = ok(f.post("facturesTravaux/v1/rechercher", {"rechercheFactureTravaux": {"nbResultatsParPage": 1}}))
    assert reponse["parametresRetour"] == {"nbResultatsParPage": 1, "pageCourante": 1, "pages": 2, "total": 2}
    ligne = reponse["listeFacturesTravaux"][0]
    for cle in (
        "idFactureTravaux",
        "idDossierFacturation",
        "idFournisseur",
        "idMoe",
        "idMoa",
        "idDeposant",
        "idDestinataire",
        "idServiceExecutant",
        "identifiantFactureCPP",
    ):
        assert type(ligne[cle]) is int, cle
    for cle in ("montantHT", "montantTTC", "montantAPayer"):
        assert isinstance(ligne[cle], int | float) and not isinstance(ligne[cle], bool), cle
    assert ligne["montantTTC"] == 1200 and type(ligne["factureTelechargeeParDestinataire"]) is bool
    assert RFC3339.match(ligne["dateHeureEtatCourant"]) and ligne["dateFacture"] == "2026-03-09"
    assert ligne["identifiantMoe"] == structures["moe"].identifiant
    with django_assert_max_num_queries(12):
        detail = ok(f.post("facturesTravaux/v1/consulter", {"idFactureTravaux": str(a4["idFactureTravaux"])}))
    with django_assert_max_num_queries(7):
        dossier = f.post(
            "facturesTravaux/v1/consulter/dossierfacturation", {"idDossierFacturation": a4["idDossierFacturation"]}
        )
    assert len(ok(dossier)["listeFacturesTravaux"]) == 1
    fiche = detail["factureTravaux"]
    assert fiche["montantTotal"] == {
        "montantHtTotal": 1000,
        "montantTVA": 200,
        "montantTtcTotal": 1200,
        "montantAPayer": 1200,
    }
    assert fiche["recapitulatifDeTva"]["ligneTva"] == [
        {"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 1000, "ligneTvaMontantTvaParTaux": 200}
    ]
    assert fiche["cadreDeFacturation"]["idMoa"] == structures["moa"].pk
    assert fiche["references"]["numeroMarche"] == "M-2026-042" and fiche["references"]["dateDepot"] == "2026-03-10"
    assert fiche["piecePrecedente"] == {
        "idPiecePrecedente": 0,
        "numeroPiecePrecedente": "",
        "cadreFacturationPiecePrecedente": "",
    }
    # Search criteria: number, dossier, cadre by its code, status, period of the current status.
    for criteres, attendus in (
        ({"numeroFacture": "PDM-002"}, 1),
        ({"numeroDossierFacturation": a4["numeroDossierFacturation"]}, 1),
        ({"typeFactureTravaux": "A4"}, 2),
        ({"typeFactureTravaux": "A15"}, 0),
        ({"statutCourant": ["MISE_A_DISPOSITION_MOE"]}, 2),
        ({"periodeDateHeureEtatCourantDu": "2026-03-11"}, 0),
        ({"periodeDateHeureEtatCourantAu": "2026-03-10T23:00:00+01:00", "flagTelecharge": False}, 2),
    ):
        assert ok(f.post("facturesTravaux/v1/rechercher", criteres))["parametresRetour"]["total"] == attendus, criteres


def test_structure_hors_du_dossier_refusee(apis, structures, a4):
    etranger = apis["etranger"]
    id_a4 = a4["idFactureTravaux"]
    for chemin, corps in (
        ("facturesTravaux/v1/consulter", {"idFactureTravaux": id_a4}),
        ("facturesTravaux/v1/traiter", {"idFactureTravaux": id_a4, "action": "PRENDRE_EN_COMPTE"}),
        ("facturesTravaux/v1/soumettre", piece("A15", "EA-X", id_a4)),
    ):
        donnees = refus(etranger.post(chemin, corps))
        assert donnees["codeRetour"] == 20002 and f"La pièce de travaux {id_a4} n'existe pas" in donnees["libelle"]
    donnees = refus(
        etranger.post(
            "facturesTravaux/v1/consulter/dossierfacturation", {"idDossierFacturation": a4["idDossierFacturation"]}
        )
    )
    assert donnees["codeRetour"] == 20002 and "ne vous est pas accessible" in donnees["libelle"]
    assert ok(etranger.post("facturesTravaux/v1/rechercher", {}))["listeFacturesTravaux"] == []
    assert PieceTravaux.objects.count() == 1
    assert PieceTravaux.objects.get().statut == S.MISE_A_DISPOSITION_MOE


def test_mauvais_acteur_refuse(apis, structures, a4):
    f, moe = apis["fournisseur"], apis["moe"]
    id_a4 = a4["idFactureTravaux"]
    # The fournisseur does not process the piece it sent to the MOE.
    donnees = refus(
        f.post("facturesTravaux/v1/traiter", {"idFactureTravaux": id_a4, "action": "PRENDRE_EN_COMPTE"}), 403
    )
    assert donnees["libelle"] == "Cette pièce n'attend pas d'action de votre structure."
    # Nor deposits the MOE's état d'acompte (the MOE has an account).
    donnees = refus(f.post("facturesTravaux/v1/soumettre", piece("A15", "EA-F", id_a4)))
    assert donnees["codeRetour"] == 20003 and "maîtrise d'œuvre" in donnees["libelle"]
    # The MOE cannot deposit a cadre that does not follow an A4; the message names the allowed cadres.
    donnees = refus(moe.post("facturesTravaux/v1/soumettre", piece("A17", "PDG-1", id_a4)))
    assert (
        "ne peut pas suivre" in donnees["libelle"] and "A15 – État d'acompte déposé par une MOE" in donnees["libelle"]
    )
    # A MOE refuses only for an error in the routing data.
    donnees = refus(
        moe.post(
            "facturesTravaux/v1/traiter",
            {"idFactureTravaux": id_a4, "action": "REFUSER", "motifRefus": "AUTRE", "commentaire": "Montants"},
        )
    )
    assert "Erreur dans les données d'acheminement" in donnees["libelle"]
    donnees = refus(moe.post("facturesTravaux/v1/traiter", {"idFactureTravaux": id_a4, "action": "SUSPENDRE"}))
    assert donnees["libelle"] == "Indiquez les informations manquantes."
    assert PieceTravaux.objects.count() == 1
    assert PieceTravaux.objects.get().statut == S.MISE_A_DISPOSITION_MOE
    # Then the right refusal: « Refusée par la MOE pour erreur dans les données d'acheminement ».
    refuse = ok(
        moe.post(
            "facturesTravaux/v1/traiter",
            {"idFactureTravaux": id_a4, "action": "refuser", "commentaire": "Pas notre marché"},
        )
    )
    assert refuse["nouveauStatut"] == S.ERREUR_FOURNISSEUR_SUR_MOE
    # « Corriger et redéposer »: the fournisseur names the right MOE; the piece is routed to it.
    fiche = ok(f.post("facturesTravaux/v1/consulter", {"idFactureTravaux": id_a4}))["factureTravaux"]
    assert fiche["actionsPossibles"] == ["CORRIGER_ACHEMINEMENT"]
    corps = {"idFactureTravaux": id_a4, "action": "CORRIGER_ACHEMINEMENT"}
    donnees = refus(f.post("facturesTravaux/v1/traiter", corps))
    assert donnees["libelle"] == "Indiquez la structure corrigée (« structureCorrigee »)."
    autre_moe = {"identifiantStructureCorrigee": structures["etranger"].identifiant}
    refus(moe.post("facturesTravaux/v1/traiter", {**corps, "structureCorrigee": autre_moe}), 403)
    corrige = ok(f.post("facturesTravaux/v1/traiter", {**corps, "structureCorrigee": autre_moe}))
    assert corrige["nouveauStatut"] == S.MISE_A_DISPOSITION_MOE
    # The new MOE now sees and processes it; the MOE that refused it is no longer an actor of the dossier.
    assert refus(moe.post("facturesTravaux/v1/consulter", {"idFactureTravaux": id_a4}))["codeRetour"] == 20002
    assert ok(apis["etranger"].post("facturesTravaux/v1/consulter", {"idFactureTravaux": id_a4}))["factureTravaux"][
        "actionsPossibles"
    ]
    pris = ok(
        apis["etranger"].post("facturesTravaux/v1/traiter", {"idFactureTravaux": id_a4, "action": "PRENDRE_EN_COMPTE"})
    )
    assert pris["nouveauStatut"] == S.PRISE_EN_COMPTE_MOE


def test_depot_pour_le_compte_d_un_acteur_sans_compte(apis, structures):
    """Seed 000 « jouer le rôle d'un autre acteur »: the MOA deposits the MOE's état d'acompte for a MOE without any
    account; naming another actor than the cadre's is refused by the same service rule as the portal's form."""
    f, moa = apis["fournisseur"], apis["moa"]
    moe_sans_compte = acteur("MOE SANS COMPTE", niveau=None)[1]
    a4 = ok(
        f.post(
            "facturesTravaux/v1/soumettre",
            piece(
                structureMoe={"idStructureMoe": moe_sans_compte.pk},
                structureMoa={"idStructureMoa": structures["moa"].pk},
            ),
        )
    )
    # In an initial deposit, one deposits for the fournisseur's account: naming another fournisseur is refused.
    donnees = refus(
        moa.post(
            "facturesTravaux/v1/soumettre",
            a4_corps(
                structures,
                structureFournisseur={"idStructureFournisseur": structures["fournisseur"].pk},
                structurePourLeCompteDe={"idStructurePourLeCompteDe": moe_sans_compte.pk},
            ),
        )
    )
    assert "Dans un dépôt initial, vous déposez pour le compte du fournisseur" in donnees["libelle"]
    assert PieceTravaux.objects.count() == 1
    mauvais = {"identifiantStructurePourLeCompteDe": structures["fournisseur"].identifiant}
    donnees = refus(
        moa.post(
            "facturesTravaux/v1/soumettre",
            piece("A15", "EA-2", a4["idFactureTravaux"], structurePourLeCompteDe=mauvais),
        )
    )
    assert "est déposé par l'acteur MOE SANS COMPTE" in donnees["libelle"] and "n'a pas ce rôle" in donnees["libelle"]
    assert PieceTravaux.objects.count() == 1
    bon = {"identifiantStructurePourLeCompteDe": moe_sans_compte.identifiant}
    a15 = ok(
        moa.post(
            "facturesTravaux/v1/soumettre", piece("A15", "EA-2", a4["idFactureTravaux"], structurePourLeCompteDe=bon)
        )
    )
    fiche = ok(moa.post("facturesTravaux/v1/consulter", {"idFactureTravaux": a15["idFactureTravaux"]}))
    assert fiche["factureTravaux"]["pourLeCompteDe"]["idPourLeCompteDe"] == moe_sans_compte.pk
    assert fiche["factureTravaux"]["roleDeposant"] == "MOE"
    assert fiche["factureTravaux"]["idDeposant"] == structures["moa"].pk


def test_telecharger_marque_la_piece_telechargee_par_son_destinataire(apis, a4):
    f, moe = apis["fournisseur"], apis["moe"]
    corps = {"idFactureTravaux": a4["idFactureTravaux"]}
    # The depositor's own download does not mark it.
    ok(f.post("facturesTravaux/v1/telecharger", corps))
    assert ok(moe.post("facturesTravaux/v1/rechercher", {"flagTelecharge": True}))["listeFacturesTravaux"] == []
    fichier = ok(moe.post("facturesTravaux/v1/telecharger", corps))
    piece = PieceTravaux.objects.get(pk=a4["idFactureTravaux"])
    with piece.fichier.open("rb") as contenu:
        assert base64.b64decode(fichier["fichierResultat"]) == contenu.read()
    assert fichier["nomFichier"] == "PDM-001.pdf" and fichier["formatDepot"] == "PDF_NON_SIGNE"
    telechargees = ok(moe.post("facturesTravaux/v1/rechercher", {"flagTelecharge": True}))["listeFacturesTravaux"]
    assert [p["idFactureTravaux"] for p in telechargees] == [a4["idFactureTravaux"]]
    assert telechargees[0]["factureTelechargeeParDestinataire"] is True
    assert ok(moe.post("facturesTravaux/v1/rechercher", {"flagTelecharge": False}))["listeFacturesTravaux"] == []
    donnees = refus(apis["etranger"].post("facturesTravaux/v1/telecharger", corps))
    assert donnees["codeRetour"] == 20002


def test_compte_technique_sans_le_profil_factures_de_travaux_refuse(apis, structures):
    f = apis["fournisseur"]
    org_services.definir_profils(
        utilisateur=f.compte.utilisateur,
        structure=structures["fournisseur"],
        profils={Application.FACTURES_TRAVAUX: None},
    )
    donnees = refus(f.post("facturesTravaux/v1/soumettre", a4_corps(structures)), 403)
    assert (
        donnees["libelle"] == "Vous n'avez pas le profil « Factures de travaux » en modification sur cette structure."
    )
    assert not PieceTravaux.objects.exists()


def test_suspendre_puis_completer(apis, a4):
    f, moe = apis["fournisseur"], apis["moe"]
    id_a4 = a4["idFactureTravaux"]
    suspendue = ok(
        moe.post(
            "facturesTravaux/v1/traiter",
            {"idFactureTravaux": id_a4, "action": "SUSPENDRE", "commentaire": "Il manque le métré"},
        )
    )
    assert suspendue["nouveauStatut"] == S.SUSPENDUE
    # Only the depositor completes; the MOE cannot.
    refus(
        moe.post("facturesTravaux/v1/traiter", {"idFactureTravaux": id_a4, "action": "COMPLETER", "commentaire": "x"}),
        403,
    )
    complete = ok(
        f.post(
            "facturesTravaux/v1/traiter",
            {"idFactureTravaux": id_a4, "action": "COMPLETER", "commentaire": "Métré ajouté"},
        )
    )
    assert complete["nouveauStatut"] == S.MISE_A_DISPOSITION_MOE
    historique = ok(f.post("facturesTravaux/v1/consulter", {"idFactureTravaux": id_a4}))["factureTravaux"][
        "historiquesDesStatuts"
    ]["histoStatut"]
    assert [(h["histoStatutCode"], h["histoStatutCommentaire"]) for h in historique[-2:]] == [
        (S.SUSPENDUE, "Il manque le métré"),
        (S.MISE_A_DISPOSITION_MOE, "Métré ajouté"),
    ]
    assert historique[-2]["histoStatutMotif"] == "Informations manquantes"


def test_sous_traitant_a10_valide_par_le_titulaire(client, client_oauth, apis, structures):
    titulaire = acteur("TITULAIRE DU MARCHE", niveau=None)[1]
    compte, _ = comptes.creer_compte_technique(
        structure=titulaire, login="TECH_titulaire@cpro.fr", mot_de_passe=MOT_DE_PASSE
    )
    api_titulaire = ClientApi(client, api_services.emettre_jeton(client_oauth), compte)
    a10 = ok(
        apis["fournisseur"].post(
            "facturesTravaux/v1/soumettre",
            a4_corps(
                structures,
                cadreDeFacturation={"codeCadreFacturation": "A10"},
                structureValideur={"idStructureValideur": titulaire.pk},
            ),
        )
    )
    assert a10["statut"] == S.A_VALIDER_1
    # The MOE waits for the titulaire: it cannot take the piece on yet.
    refus(
        apis["moe"].post(
            "facturesTravaux/v1/traiter", {"idFactureTravaux": a10["idFactureTravaux"], "action": "PRENDRE_EN_COMPTE"}
        ),
        403,
    )
    valide = ok(
        api_titulaire.post(
            "facturesTravaux/v1/traiter", {"idFactureTravaux": a10["idFactureTravaux"], "action": "VALIDER"}
        )
    )
    assert valide["nouveauStatut"] == S.MISE_A_DISPOSITION_MOE
    pris = ok(
        apis["moe"].post(
            "facturesTravaux/v1/traiter", {"idFactureTravaux": a10["idFactureTravaux"], "action": "PRENDRE_EN_COMPTE"}
        )
    )
    assert pris["nouveauStatut"] == S.PRISE_EN_COMPTE_MOE


@pytest.mark.parametrize(
    ("chemin", "corps", "message"),
    [
        ("soumettre", piece(numeroFactureSaisi=None), "Le champ « numeroFactureSaisi » est obligatoire."),
        ("soumettre", piece(fichierFacture="pas du base64 !"), "doit être le fichier PDF encodé en base64"),
        ("soumettre", piece(fichierFacture=base64.b64encode(b"texte").decode()), "se dépose au format PDF"),
        ("soumettre", piece(cadre="A99"), "n'est pas un cadre de factures de travaux (attendu : A4, A5"),
        ("soumettre", piece(cadre="A1_FACTURE_FOURNISSEUR"), "n'est pas un cadre de factures de travaux"),
        ("soumettre", piece(cadreDeFacturation=None), "Le champ « cadreDeFacturation » est obligatoire."),
        (
            "soumettre",
            piece(montantTotal={"montantHtTotal": "abc", "montantTVA": 1}),
            "Le champ « montantTotal.montantHtTotal » doit être un nombre.",
        ),
        (
            "soumettre",
            piece(montantTotal={"montantHtTotal": 100, "montantTVA": 20, "montantTtcTotal": 130}),
            "doit être égal au montant HT plus la TVA",
        ),
        ("soumettre", piece(dateFacture="31/12/2025"), "Le champ « dateFacture » doit être une date"),
        ("soumettre", piece(dateFacture="2026-04-01"), "ne peut pas être postérieure à la date du jour"),
        ("soumettre", piece(formatDepot="WORD"), "Valeur inconnue pour « formatDepot »"),
        ("soumettre", piece(references={"deviseFacture": "USD"}), "seul EUR est accepté"),
        ("soumettre", piece(structureMoe={"identifiantStructureMoe": "99999999999999"}), "n'existe pas sur Chorus"),
        ("soumettre", piece(structureMoe=[1]), "Le champ « structureMoe » doit être un objet."),
        ("soumettre", piece(), "est transmis à la maîtrise d'œuvre : indiquez sa structure."),
        ("rechercher", {"roleUtilisateur": "CHEF"}, "Valeur inconnue pour « roleUtilisateur »"),
        ("rechercher", {"statutCourant": 3}, "Le champ « statutCourant » doit être une liste de chaînes."),
        ("consulter", {}, "Le champ « idFactureTravaux » est obligatoire."),
        ("consulter/dossierfacturation", {"idDossierFacturation": None}, "« idDossierFacturation » (ou"),
        ("consulter", {"idFactureTravaux": "douze"}, "Le champ « idFactureTravaux » doit être un entier."),
        ("traiter", {"idFactureTravaux": 1, "action": "DANSER"}, "Valeur inconnue pour « action »"),
    ],
)
def test_corps_mal_formes_400_en_francais_et_rien_de_change(apis, structures, chemin, corps, message):
    donnees = refus(apis["fournisseur"].post(f"facturesTravaux/v1/{chemin}", corps))
    assert message in donnees["libelle"], donnees
    assert not PieceTravaux.objects.exists() and not DossierFacturation.objects.exists()


def test_chaque_acteur_du_dossier_trouve_la_piece_par_l_api(client, client_oauth):
    """The API's perimeter is the pages' (``PieceTravaux.objects.visibles_par``): each of the dossier's actors — the
    validateur (titulaire) and the service financier too, which the piece reaches through its own copies of the
    dossier's actors — finds the sous-traitant's piece; a structure outside the dossier does not."""
    sous_traitant = acteur("SOUS-TRAITANT SARL")
    qui = {
        "titulaire": acteur("TITULAIRE DU MARCHE", niveau=None)[1],
        "moe": acteur("MB INGENIERIE", niveau=None)[1],
        "moa": acteur("ACADEMIE DE MONTPELLIER", publique=True, option_moa=OptionMoa.AVEC_MOA, niveau=None)[1],
        "service_financier": acteur("DRFIP OCCITANIE", publique=True, niveau=None)[1],
        "etranger": acteur("AUTRE ENTREPRISE", niveau=None)[1],
    }
    a10 = deposer_initial(
        sous_traitant,
        cadre=Cadre.A10,
        numero="A10-API",
        validateur=qui["titulaire"],
        moe=qui["moe"],
        moa=qui["moa"],
        destinataire=qui["service_financier"],
    )
    for nom, structure in qui.items():
        compte, _ = comptes.creer_compte_technique(
            structure=structure, login=f"TECH_{nom}@cpro.fr", mot_de_passe=MOT_DE_PASSE
        )
        api = ClientApi(client, api_services.emettre_jeton(client_oauth), compte)
        trouves = ok(api.post("facturesTravaux/v1/rechercher", {}))["listeFacturesTravaux"]
        assert [p["idFactureTravaux"] for p in trouves] == ([] if nom == "etranger" else [a10.pk]), nom
