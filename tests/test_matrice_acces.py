"""Access matrix (ticket 13, item 11): every route of the URLconf × every role, the expected answer.

``MATRICE`` names every route (its URL name, or its pattern for the API's unnamed services): a route added without
an entry, or an entry whose route is gone, fails ``test_chaque_route_a_une_entree``. Each page is asked in GET and
in POST by the six roles of the portal; the POST of a role not listed in the entry's ``ecrit`` (the GP by default)
must leave the database as it was, whatever it answers (an empreinte of every table). Each API service is called by
a technical account of the owning structure A and by one of the stranger C — whose call changes nothing either —
and, with a session only, by the six portal roles (a session never authenticates the API). The admin site's routes
follow one rule (``ADMIN``). Each call runs in its own savepoint, rolled back: a GP's action does not leak into the
next call.

Notation of the expected answers, one token per role in the order of ``ROLES`` (anonyme, autre_structure,
autre_service, consultation, support, gp); ``a|b`` accepts either:

- ``200``, ``400``, ``403``, ``404``, ``405``: that HTTP status;
- ``L``: a redirect to the login page (``/connexion/?next=…``), ``A``: to the admin's login page;
- ``R``: another redirect (after an action, or a refusal told by a flash message), ``r``: the same for a refusal
  (written so that the reader sees it; the database is checked as for any role outside ``ecrit``).

An API token is ``status/codeRetour`` (``chorus.api.kit.CODES_RETOUR``).

Roles. The world (``tests/matrice/monde.py``) gives structure A (public, option « Structure avec MOA ») two
services; A's objects belong to SERVICE_A1. ``autre_structure``: the GP of an unrelated structure C;
``autre_service``: a user attached to A's SERVICE_A2 only, default profiles; ``consultation``: a user attached to A
with every profile in consultation; ``support``: an agent of the support desk (staff, group « Support »), attached
to nothing; ``gp``: A's gestionnaire principal, every profile in modification.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client

from tests.matrice import monde as monde_module
from tests.matrice.appels import ROLES, empreinte_base, reponse_api, routes, url_de

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    get: str
    post: str
    kwargs: Callable = lambda m: {}
    donnees: Callable = lambda m: {}
    # Roles whose POST may write (their own data, or an action they are allowed): every other role's POST must leave
    # the database as it was, whatever it answers.
    ecrit: tuple = ("gp",)


@dataclass(frozen=True)
class Api:
    technique: str
    technique_autre: str
    corps: Callable = lambda m: {}
    methode: str = "post"


def pk(nom):
    return lambda m: {"pk": getattr(m, nom).pk}


MATRICE: dict = {}


# --- Fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monde(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test runs in a savepoint of it
    (pytest-django's ``db``), so what a test changes is undone before the next one."""
    with django_db_blocker.unblock():
        atomique = transaction.atomic()
        atomique.__enter__()
        try:
            yield monde_module.construire()
        finally:
            transaction.set_rollback(True)
            atomique.__exit__(None, None, None)


def client_de(monde, role: str) -> Client:
    client = Client()
    if role != "anonyme":
        client.force_login(monde.utilisateurs[role])
    return client


# --- The matrix ---------------------------------------------------------------------------------------------------
MATRICE.update(
    {
        # Public pages and the portal's shell.
        "accueil": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "domaines": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "approbations": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "communication": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "support": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "accessibilite": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "mentions_legales": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "donnees_personnelles": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "publication": Page("200 200 200 200 200 200", "200 200 200 200 200 200", kwargs=pk("publication")),
        "health": Page("200|503 200|503 200|503 200|503 200|503 200|503", "405 405 405 405 405 405"),
        "favicon.ico": Page("R R R R R R", "R R R R R R"),
        # Mes messages.
        "mes_messages": Page("L 200 200 200 200 200", "L 405 405 405 405 405"),
        "message": Page("L 404 404 404 404 200", "L 405 405 405 405 405", kwargs=pk("message")),
        "marquer_messages_lus": Page("L 405 405 405 405 405", "L R R R R R"),
        # Each user's own preferences.
        "preferences_messages": Page("L 200 200 200 200 200", "L R R R R R", ecrit=ROLES),
        # Account.
        "connexion": Page("200 R R R R R", "200 R R R R R"),
        "deconnexion": Page("405 405 405 405 405 405", "R R R R R R"),
        "mot_de_passe_oublie": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "mot_de_passe_oublie_envoye": Page("200 200 200 200 200 200", "405 405 405 405 405 405"),
        "nouveau_mot_de_passe": Page(
            "200 200 200 200 200 200",
            "200 200 200 200 200 200",
            kwargs=lambda m: {"uidb64": m.uidb64, "token": m.jeton_faux},
        ),
        "nouveau_mot_de_passe_fait": Page("200 200 200 200 200 200", "405 405 405 405 405 405"),
        "mon_compte": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "changer_mot_de_passe": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "annuler_modification": Page("L 405 405 405 405 405", "L 404 404 404 404 R", kwargs=pk("modification")),
        "creer_compte": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "compte_cree": Page("R R R R R R", "R R R R R R"),
        "activer_compte": Page(
            "400 400 400 400 400 400",
            "400 400 400 400 400 400",
            kwargs=lambda m: {"uidb64": m.uidb64, "token": m.jeton_faux},
        ),
        "renvoyer_activation": Page("405 405 405 405 405 405", "R R R R R R"),
        "mes_rattachements": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "demander_rattachement": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "mes_habilitations": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_mes_habilitations": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "gerer_mes_habilitations": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        # Organisation (the GP's).
        "approbation": Page("L 404 404 404 404 200", "L 404 404 404 404 200", kwargs=pk("approbation")),
        "utilisateurs": Page("L 200 403 403 403 200", "L 200 403 403 403 200"),
        "exporter_utilisateurs": Page("L 200 403 403 403 200", "L 200 403 403 403 200"),
        "exporter_utilisateurs_xlsx": Page("L 200 403 403 403 200", "L 200 403 403 403 200"),
        "rattacher_utilisateur": Page(
            "L 200 403 403 403 200",
            "L 200 403 403 403 200",
            donnees=lambda m: {"structure": m.a.pk, "email": "demandeur@matrice.fr"},
        ),
        "detacher_utilisateur": Page(
            "L 405 405 405 405 405", "L 404 403 403 403 R", kwargs=pk("rattachement_consultation")
        ),
        "gerer_habilitations": Page("L 200 403 403 403 200", "L 200 403 403 403 200"),
        "historique_gestionnaire": Page("L 200 403 403 403 200", "L 200 403 403 403 200"),
        "mes_structures": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "creer_structure": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "gerer_structure": Page(
            "L 404 200 200 404 200",
            "L 404 403 403 404 R",
            donnees=lambda m: {"action": "infos", "infos-raison_sociale": "Renommée"},
            kwargs=lambda m: {"pk": m.a.pk},
        ),
        "modifier_service": Page(
            "L 404 404 404 404 200",
            "L 404 404 404 404 200",
            kwargs=lambda m: {"pk": m.a.pk, "service_pk": m.service_a1.pk},
        ),
        # Raccordements.
        "raccordements_comptes": Page(
            "L 200 403 200 403 200", "L 200 403 200 403 200", donnees=lambda m: {"structure": m.a.pk}
        ),
        "raccordements_renouveler_compte": Page(
            "L 405 405 405 405 405", "L 404 404 404 404 200", kwargs=pk("compte_a")
        ),
        "raccordements_revoquer_compte": Page("L 405 405 405 405 405", "L 404 404 404 404 R", kwargs=pk("compte_a")),
        "raccordements_clients": Page(
            "L 200 403 200 403 200", "L 200 403 200 403 200", donnees=lambda m: {"structure": m.a.pk, "libelle": "ERP"}
        ),
        "raccordements_renouveler_client": Page(
            "L 405 405 405 405 405", "L 404 404 404 404 200", kwargs=pk("client_a")
        ),
        "raccordements_revoquer_client": Page("L 405 405 405 405 405", "L 404 404 404 404 R", kwargs=pk("client_a")),
        "raccordements_mode_echange": Page(
            "L 200 403 200 403 200",
            "L 404 403 403 403 200",
            donnees=lambda m: {"structure": m.a.pk, "emission": "EDI", "reception": "EDI"},
        ),
        "raccordements_flux": Page(
            "L 200 403 200 403 200", "L 200 403 200 403 200", donnees=lambda m: {"structure": m.a.pk}
        ),
        "compte_rendu_flux": Page(
            "L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=lambda m: {"numero": m.flux.numero}
        ),
        "fichier_flux": Page(
            "L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=lambda m: {"numero": m.flux.numero}
        ),
        # Annuaire, INSEE, Vérifier un dépôt.
        "annuaire": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "exporter_annuaire": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "annuaire_structure": Page(
            "200 200 200 200 200 200", "200 200 200 200 200 200", kwargs=lambda m: {"pk": m.a.pk}
        ),
        "insee_siret": Page(
            "200 200 200 200 200 200", "405 405 405 405 405 405", kwargs=lambda m: {"siret": m.b.identifiant}
        ),
        "verifier_depot": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        # Factures émises.
        "factures_emises": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "rechercher_factures": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_factures": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_factures_xlsx": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "tableau_de_bord_factures": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "saisir_facture": Page("L 200 200 403 403 200", "L 200 200 403 403 200"),
        "calculer_montants": Page("L 405 405 405 405 405", "L 200 200 200 200 200"),
        "deposer_facture": Page("L 200 200 403 403 200", "L 200 200 403 403 200"),
        "modifier_brouillon": Page("L 404 404 403 403 200", "L 404 404 403 403 200", kwargs=pk("brouillon")),
        "confirmer_envoi": Page("L 404 404 404 404 200", "L 404 404 404 404 R", kwargs=pk("brouillon")),
        "recapitulatif": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("emise")),
        "facture_emise": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("emise")),
        "telecharger_facture": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("emise")),
        "certificat_depot": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("emise")),
        "ajouter_piece_jointe": Page("L 405 405 405 405 405", "L 404 404 404 404 R", kwargs=pk("brouillon")),
        "telecharger_piece_jointe": Page(
            "L 404 404 200 404 200",
            "L 404 404 200 404 200",
            kwargs=lambda m: {"pk": m.emise.pk, "piece_pk": m.pj_emise.pk},
        ),
        "traiter_rejet": Page("L 405 405 405 405 405", "L 404 404 404 404 R", kwargs=pk("emise")),
        "completer_facture": Page("L 405 405 405 405 405", "L 404 404 404 404 R", kwargs=pk("emise")),
        "recycler_facture": Page("L 404 404 404 404 200", "L 404 404 404 404 200", kwargs=pk("emise")),
        "corriger_valideur": Page("L 404 404 404 404 200", "L 404 404 404 404 200", kwargs=pk("emise_a9")),
        # Factures à valider.
        "factures_a_valider": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "facture_a_valider": Page("L 404 200 200 404 200", "L 404 200 200 404 200", kwargs=pk("a_valider")),
        # The valideur is a structure (``Facture.objects.a_valider_par``): a user of any of its services validates.
        "valider_facture_a_valider": Page(
            "L 404 200 403 404 200", "L 404 R 403 404 R", kwargs=pk("a_valider"), ecrit=("autre_service", "gp")
        ),
        "refuser_facture_a_valider": Page("L 404 200 403 404 200", "L 404 200 403 404 200", kwargs=pk("a_valider")),
        "telecharger_facture_a_valider": Page("L 404 200 200 404 200", "L 404 200 200 404 200", kwargs=pk("a_valider")),
        "telecharger_piece_jointe_a_valider": Page(
            "L 404 200 200 404 200",
            "L 404 200 200 404 200",
            kwargs=lambda m: {"pk": m.a_valider.pk, "piece_pk": m.pj_a_valider.pk},
        ),
        # Factures reçues.
        "factures_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "rechercher_factures_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_factures_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_factures_recues_xlsx": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "tableau_de_bord_factures_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "traiter_factures_recues_en_masse": Page("L 405 405 405 405 405", "L 400 400 403 403 400"),
        "facture_recue": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("recue")),
        "traiter_facture_recue": Page(
            "L 404 404 403 404 200",
            "L 404 404 403 404 200",
            kwargs=lambda m: {"pk": m.recue.pk, "statut": "PRISE_EN_COMPTE_DESTINATAIRE"},
        ),
        # Reading the invoice marks it « téléchargée » (factureTelechargeeParDestinataire), consultation included.
        "telecharger_facture_recue": Page(
            "L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("recue"), ecrit=("consultation", "gp")
        ),
        "telecharger_piece_jointe_recue": Page(
            "L 404 404 200 404 200",
            "L 404 404 200 404 200",
            kwargs=lambda m: {"pk": m.recue.pk, "piece_pk": m.pj_recue.pk},
        ),
        # Sollicitations.
        "sollicitations_emises": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "rechercher_sollicitations_emises": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_sollicitations_emises": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_sollicitations_emises_xlsx": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "saisir_sollicitation": Page("L 200 200 403 403 200", "L 200 200 403 403 200"),
        "structure_publique_sollicitation": Page(
            "L 200 200 200 200 200", "L 405 405 405 405 405", kwargs=lambda m: {"siret": m.destinataire.identifiant}
        ),
        "sollicitation_emise": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("sollicitation_emise")),
        "repondre_sollicitation": Page(
            "L 405 405 405 405 405", "L 404 404 403 404 200", kwargs=pk("sollicitation_emise")
        ),
        "cloturer_sollicitation": Page(
            "L 405 405 405 405 405", "L 404 404 403 404 R", kwargs=pk("sollicitation_emise")
        ),
        "renvoyer_sollicitation": Page(
            "L 405 405 405 405 405", "L 404 404 403 404 200", kwargs=pk("sollicitation_emise")
        ),
        "piece_jointe_sollicitation_emise": Page(
            "L 404 404 200 404 200",
            "L 404 404 200 404 200",
            kwargs=lambda m: {"pk": m.sollicitation_emise.pk, "piece_pk": m.pj_sollicitation_emise.pk},
        ),
        "sollicitations_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "rechercher_sollicitations_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_sollicitations_recues": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "exporter_sollicitations_recues_xlsx": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "tableau_de_bord_sollicitations": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "statistiques_sollicitations": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "sollicitation_recue": Page("L 404 404 200 404 200", "L 404 404 200 404 200", kwargs=pk("sollicitation_recue")),
        "traiter_sollicitation": Page(
            "L 405 405 405 405 405", "L 404 404 403 404 200", kwargs=pk("sollicitation_recue")
        ),
        "piece_jointe_sollicitation_recue": Page(
            "L 404 404 200 404 200",
            "L 404 404 200 404 200",
            kwargs=lambda m: {"pk": m.sollicitation_recue.pk, "piece_pk": m.pj_sollicitation_recue.pk},
        ),
        # Factures de travaux.
        "travaux_synthese": Page("L 200 200 200 403 200", "L 405 405 405 405 405"),
        "travaux_rechercher": Page("L 200 200 200 403 200", "L 405 405 405 405 405"),
        "travaux_exporter": Page("L 200 200 200 403 200", "L 405 405 405 405 405"),
        "travaux_exporter_xlsx": Page("L 200 200 200 403 200", "L 405 405 405 405 405"),
        "travaux_tableau_de_bord": Page("L 200 200 200 403 200", "L 405 405 405 405 405"),
        "travaux_deposer": Page("L 200 200 403 403 200", "L 200 200 403 403 200"),
        "travaux_structures": Page("L 200 200 403 403 200", "L 405 405 405 405 405"),
        # Works dossiers are shared by structures (``PieceTravaux.objects.visibles_par``): no service-level restriction.
        "travaux_confirmer": Page(
            "L 404 200 200 404 200", "L 404 R 403 404 R", kwargs=pk("piece_brouillon"), ecrit=("autre_service", "gp")
        ),
        "travaux_certificat": Page("L 404 200 200 404 200", "L 405 405 405 405 405", kwargs=pk("piece")),
        "travaux_piece": Page("L 404 200 200 404 200", "L 405 405 405 405 405", kwargs=pk("piece")),
        "travaux_telecharger": Page("L 404 200 200 404 200", "L 405 405 405 405 405", kwargs=pk("piece")),
        "travaux_visualiser": Page("L 404 200 200 404 200", "L 405 405 405 405 405", kwargs=pk("piece")),
        "travaux_piece_jointe": Page(
            "L 404 200 200 404 200", "L 405 405 405 405 405", kwargs=lambda m: {"pk": m.piece.pk, "pj": m.pj_piece.pk}
        ),
        "travaux_action": Page(
            "L 405 405 405 405 405",
            "L 404 R r 404 R",
            kwargs=lambda m: {"pk": m.piece_brouillon.pk, "action": "supprimer"},
            ecrit=("autre_service", "gp"),
        ),
        "travaux_dossier": Page("L 404 200 200 404 200", "L 405 405 405 405 405", kwargs=pk("dossier")),
        # The API's own pages.
        "api_token": Page("405 405 405 405 405 405", "400 400 400 400 400 400"),
        "api_schema": Page("200 200 200 200 200 200", "405 405 405 405 405 405"),
        "api_documentation": Page("200 200 200 200 200 200", "200 200 200 200 200 200"),
        "api_chemin_inconnu": Page(
            "404 404 404 404 404 404", "404 404 404 404 404 404", kwargs=lambda m: {"chemin": "inconnu/v1/service"}
        ),
    }
)

MATRICE.update(
    {
        "api_health_check": Api("200/None", "200/None", methode="get"),
        "cpro/transverses/v1/recuperer/devises": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/pays": Api("200/0", "200/0"),
        "cpro/structures/v1/rechercher": Api(
            "200/0", "200/0", corps=lambda m: {"structure": {"identifiantStructure": m.a.identifiant}}
        ),
        "cpro/structures/v1/consulter": Api("200/0", "200/0", corps=lambda m: {"idStructure": m.a.pk}),
        "cpro/structures/v1/rechercher/services": Api("200/0", "200/0", corps=lambda m: {"idStructure": m.a.pk}),
        "cpro/structures/v1/consulter/service": Api(
            "200/0", "200/0", corps=lambda m: {"idStructure": m.a.pk, "idService": m.service_a1.pk}
        ),
        "cpro/transverses/v1/rechercher/destinataire": Api(
            "200/0", "200/0", corps=lambda m: {"identifiant": m.a.identifiant}
        ),
        "cpro/transverses/v1/consulter/information/siret": Api(
            "400/20002", "400/20002", corps=lambda m: {"siretStructure": m.a.identifiant}
        ),
        "cpro/transverses/v1/telecharger/annuaire/destinataire": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/typeidentifiant/structure": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/coordbanc/valides": Api(
            "200/0", "400/20002", corps=lambda m: {"idStructure": m.a.pk}
        ),
        "cpro/utilisateurs/v1/monCompte/recuperer/rattachements": Api("200/0", "200/0"),
        "cpro/factures/v1/soumettre": Api(
            "400/20001", "400/20001", corps=lambda m: {"fournisseur": {"idFournisseur": m.a.pk}}
        ),
        "cpro/factures/v1/deposer/flux": Api("400/20001", "400/20001", corps=lambda m: {"nomFichier": "flux.xml"}),
        "cpro/transverses/v1/consulterCRDetaille": Api(
            "200/0", "400/20002", corps=lambda m: {"numeroFluxDepot": m.flux.numero}
        ),
        "cpro/transverses/v1/consulterCR": Api(
            "200/0", "400/20002", corps=lambda m: {"numeroFluxDepot": m.flux.numero}
        ),
        "cpro/factures/v1/rechercher/fournisseur": Api("200/0", "200/0"),
        "cpro/factures/v1/consulter/fournisseur": Api(
            "200/0", "400/20002", corps=lambda m: {"identifiantFactureCPP": m.emise.pk}
        ),
        "cpro/factures/v1/consulter/historique": Api("200/0", "400/20002", corps=lambda m: {"idFacture": m.emise.pk}),
        "cpro/transverses/v1/recuperer/tauxtva": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/modereglements": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/modedepot": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/formatflux": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/cadrefacturation": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/typedp": Api("200/0", "200/0"),
        "cpro/transverses/v1/recuperer/etat/typedp": Api(
            "200/0", "200/0", corps=lambda m: {"typeDemandePaiement": "FACTURE"}
        ),
        "cpro/transverses/v1/recuperer/etats/traitement": Api("400/20001", "400/20001"),
        "cpro/transverses/v1/recuperer/typespj": Api("200/0", "200/0"),
        "cpro/bacasable/v1/forcerStatut": Api(
            "400/20002",
            "400/20002",
            corps=lambda m: {"identifiantFactureCPP": m.emise.pk, "statut": "REJETEE", "motif": "Matrice"},
        ),
        "cpro/factures/v1/rechercher/recipiendaire": Api("200/0", "200/0"),
        "cpro/factures/v1/consulter/recipiendaire": Api(
            "200/0", "400/20002", corps=lambda m: {"identifiantFactureCPP": m.recue.pk}
        ),
        "cpro/factures/v1/traiter/recue": Api(
            "200/0",
            "400/20002",
            corps=lambda m: {"idFacture": m.recue.pk, "nouveauStatut": "PRISE_EN_COMPTE_DESTINATAIRE"},
        ),
        "cpro/factures/v1/telecharger/groupe": Api(
            "200/0", "400/20002", corps=lambda m: {"listeFacture": [{"idFacture": m.recue.pk}]}
        ),
        "cpro/factures/v1/deposer/pdf": Api("400/20001", "400/20001", corps=lambda m: {"nomFichier": "facture.pdf"}),
        "cpro/factures/v1/completer": Api(
            "200/0", "400/20002", corps=lambda m: {"identifiantFactureCPP": m.emise.pk, "commentaire": "Complément"}
        ),
        "cpro/factures/v1/recycler": Api(
            "400/20003", "400/20002", corps=lambda m: {"identifiantFactureCPP": m.emise.pk}
        ),
        "cpro/factures/v1/traiterRejet": Api(
            "400/20003",
            "400/20002",
            corps=lambda m: {"listeDemandePaiement": [{"idDemandePaiement": m.emise.pk}], "motifRejet": "Matrice"},
        ),
        "cpro/factures/v1/corriger/valideur/facture": Api(
            "400/20003", "400/20002", corps=lambda m: {"idFacture": m.emise.pk, "identifiantStructure": m.c.identifiant}
        ),
        "cpro/transverses/v1/ajouter/fichier": Api(
            "400/20001", "400/20001", corps=lambda m: {"pieceJointeNom": "note.txt"}
        ),
        "cpro/factures/v1/rechercher/valideur": Api("200/0", "200/0"),
        "cpro/factures/v1/consulter/valideur": Api(
            "400/20002", "400/20002", corps=lambda m: {"identifiantFactureCPP": m.a_valider.pk}
        ),
        "cpro/factures/v1/traiter/factureAValider": Api(
            "400/20001", "400/20001", corps=lambda m: {"idFacture": m.a_valider.pk, "action": "VALIDER"}
        ),
        "cpro/transverses/v1/recuperer/motifs/refus/Facture/AValider": Api("200/0", "200/0"),
        "cpro/factures/v1/recuperer/statutsFactureVisibles/valideur": Api("200/0", "200/0"),
        "cpro/facturesTravaux/v1/soumettre": Api("400/20001", "400/20001", corps=lambda m: {"idFournisseur": m.a.pk}),
        "cpro/facturesTravaux/v1/rechercher": Api("200/0", "200/0"),
        "cpro/facturesTravaux/v1/consulter": Api(
            "200/0", "400/20002", corps=lambda m: {"idFactureTravaux": m.piece.pk}
        ),
        "cpro/facturesTravaux/v1/consulter/dossierfacturation": Api(
            "200/0", "400/20002", corps=lambda m: {"idDossierFacturation": m.dossier.pk}
        ),
        "cpro/facturesTravaux/v1/telecharger": Api(
            "200/0", "400/20002", corps=lambda m: {"idFactureTravaux": m.piece.pk}
        ),
        "cpro/facturesTravaux/v1/traiter": Api(
            "403/403", "400/20002", corps=lambda m: {"idFactureTravaux": m.piece.pk, "action": "PRENDRE_EN_COMPTE"}
        ),
    }
)


# Second factor, invitations, the recipient found in the saisie, the lists' tabs and the ZIP of ticked invoices.
MATRICE.update(
    {
        # Without a password step in progress, « Code de vérification » sends back to the login page.
        "connexion_verification": Page("R R R R R R", "R R R R R R"),
        "double_authentification": Page("L 200 200 200 200 200", "L 200 200 200 200 200"),
        "reinitialiser_double_authentification": Page("L 403 403 403 200 403", "L 403 403 403 200 403"),
        # Only the invited user (C's GP) answers A's invitation.
        "repondre_invitation": Page(
            "L 405 405 405 405 405", "L R 404 404 404 404", kwargs=pk("invitation"), ecrit=("autre_structure",)
        ),
        "rechercher_destinataires": Page("L 200 200 403 403 200", "L 405 405 405 405 405"),
        "services_destinataire": Page("L 200 200 403 403 200", "L 405 405 405 405 405", kwargs=lambda m: {}),
        "archives_emises": Page("L 200 200 200 403 200", "L 200 200 200 403 200"),
        "archives_recues": Page("L 200 200 200 403 200", "L 200 200 200 403 200"),
        "liste_fiscale_emises": Page("L 200 200 200 403 200", "L 200 200 200 403 200"),
        "liste_fiscale_recues": Page("L 200 200 200 403 200", "L 200 200 200 403 200"),
        # Without a period the export sends back to the list, which says what is missing.
        "exporter_liste_fiscale_emises": Page("L R R R 403 R", "L R R R 403 R"),
        # Without a period the export sends back to the list, which says what is missing.
        "exporter_liste_fiscale_recues": Page("L R R R 403 R", "L R R R 403 R"),
        "informations_fournisseur_emises": Page("L 200 200 200 403 200", "L 200 200 200 403 200"),
        "informations_fournisseur_recues": Page("L 200 200 200 403 200", "L 200 200 200 403 200"),
        # A's invoices ticked: refused (and nothing marked) outside A's lists; the recipient's download marks them.
        "telecharger_selection_emises": Page(
            "L 405 405 405 405 405", "L r r 200 403 200", donnees=lambda m: {"facture": [m.emise.pk]}
        ),
        "telecharger_selection_recues": Page(
            "L 405 405 405 405 405",
            "L r r 200 403 200",
            donnees=lambda m: {"facture": [m.recue.pk]},
            ecrit=("consultation", "gp"),
        ),
    }
)


# --- Calls ----------------------------------------------------------------------------------------------------------


def jeton_page(reponse) -> str:
    """The matrix's token for a page's answer."""
    if reponse.status_code in (301, 302):
        destination = reponse["Location"]
        if destination.startswith("/connexion/?next="):
            return "L"
        if destination.startswith("/administration/login/"):
            return "A"
        return "R"
    return str(reponse.status_code)


def jeton_api(reponse) -> str:
    statut, code = reponse_api(reponse)
    return f"{statut}/{code}"


def conforme(jeton_obtenu: str, attendu: str) -> bool:
    """``attendu`` may list alternatives (``200|503``: /health answers 503 while no worker runs); ``r`` is a
    redirect that refuses (the database is then checked like for any refusal)."""
    return any(jeton_obtenu == (option.upper() if option == "r" else option) for option in attendu.split("|"))


# Answers that refuse: the request must have changed nothing.
REFUS = {"L", "A", "r", "400", "403", "404", "405"}

# Django's admin site: every route is behind ``AdminSite.admin_view`` (staff only), so one rule decides them all —
# a model registered tomorrow is asked here too: a non-staff user is sent to the admin's login page. The support
# desk's agents are staff without any model permission: the index and their own password pages open, every model
# page is refused (403) — or redirects to the index first when the object asked for does not exist.
ADMIN = "A A A A 403|R A"
ADMIN_EXCEPTIONS = {
    "admin:login": "200 200 200 200 R 200",
    "admin:logout": "R R R R 405 R",
    "admin:index": "A A A A 200 A",
    "admin:jsi18n": "A A A A 200 A",
    "admin:password_change": "A A A A 200 A",
    "admin:password_change_done": "A A A A 200 A",
    # An application without any model the agent may see, a model without a public page, an unknown address: 404.
    "admin:app_list": "A A A A 404 A",
    "admin:view_on_site": "A A A A 404 A",
    "administration/(?P<url>.*)$": "A A A A 404 A",
}


def routes_admin() -> list:
    return sorted(cle for cle, chemin in routes().items() if chemin.startswith("administration/"))


def ecarts_de_couverture(toutes: dict) -> tuple[list, list]:
    """(routes without an entry, entries without a route): both must be empty."""
    admin = {cle for cle, chemin in toutes.items() if chemin.startswith("administration/")}
    sans_entree = sorted(set(toutes) - admin - set(MATRICE))
    disparues = sorted(set(MATRICE) - set(toutes))
    return sans_entree, disparues


# --- Tests ----------------------------------------------------------------------------------------------------------


def test_chaque_route_a_une_entree():
    sans_entree, disparues = ecarts_de_couverture(routes())
    assert not sans_entree, (
        f"Routes sans entrée dans la matrice d'accès : décidez qui peut les atteindre : {sans_entree}"
    )
    assert not disparues, f"Entrées de la matrice dont la route n'existe plus : {disparues}"


def test_une_route_ajoutee_sans_entree_est_signalee(settings):
    # The URLconf of the portal plus one new page: the coverage check names it.
    settings.ROOT_URLCONF = "tests.matrice.urls_avec_route_nouvelle"
    sans_entree, disparues = ecarts_de_couverture(routes())
    assert sans_entree == ["page_nouvelle"] and disparues == []


def _appel_isole(fonction, *, verifier_base: bool):
    """One call in its own savepoint, rolled back: (token, whether the database changed)."""
    from django.core.cache import cache

    with transaction.atomic():
        cache.clear()
        client, avant = fonction()
        change = False
        reponse = client()
        if reponse.streaming:
            # Read to the end: the test client's wrapper then closes the file (an explicit close() would send
            # request_finished again, which closes the database connection of the test).
            reponse.contenu = b"".join(reponse.streaming_content)
        else:
            reponse.contenu = reponse.content
        if verifier_base:
            change = empreinte_base() != avant
        transaction.set_rollback(True)
    return reponse, change


@pytest.mark.parametrize("cle", sorted(c for c, e in MATRICE.items() if isinstance(e, Page)))
def test_page(monde, cle):
    entree = MATRICE[cle]
    url = url_de(routes()[cle], entree.kwargs(monde))
    ecarts = []
    for methode, attendus in (("get", entree.get), ("post", entree.post)):
        for role, attendu in zip(ROLES, attendus.split(), strict=True):
            verifier = methode == "post" and role not in entree.ecrit

            def preparer(role=role, methode=methode, verifier=verifier):
                client = client_de(monde, role)
                avant = empreinte_base() if verifier else None
                if methode == "get":
                    return (lambda: client.get(url)), avant
                return (lambda: client.post(url, entree.donnees(monde))), avant

            reponse, change = _appel_isole(preparer, verifier_base=verifier)
            obtenu = jeton_page(reponse)
            if not conforme(obtenu, attendu):
                ecarts.append(f"{methode.upper()} {role} : attendu {attendu}, obtenu {obtenu}")
            elif change:
                ecarts.append(f"POST {role} : répond {obtenu} mais la base a changé")
            elif lus := _secrets_lus(monde, role, reponse):
                ecarts.append(f"{methode.upper()} {role} : répond {obtenu} mais montre {lus}")
    assert not ecarts, f"{cle} ({url}) : " + " ; ".join(ecarts)


def _secrets_lus(monde, role: str, reponse) -> list:
    """A's objects a role must never read, whatever page answers it (lists, exports, messages): an answer may be a
    200 and still leak. Read in the text answers (HTML, CSV, JSON); PDF and XLSX are compressed."""
    type_contenu = reponse.get("Content-Type", "")
    if not type_contenu.startswith(("text/", "application/json")) or role in ("consultation", "gp"):
        return []
    o = monde.objets
    secrets = [
        o["emise"].numero,
        o["brouillon"].numero,
        o["emise_a9"].numero,
        o["recue"].numero,
        o["sollicitation_emise"].numero,
        o["sollicitation_recue"].numero,
        o["compte_a"].login,
        o["client_a"].client.client_id,
        o["flux"].numero,
    ]
    if role != "autre_service":  # the valideur and the works dossiers are A's as a whole structure
        secrets += [o["a_valider"].numero, o["piece"].numero, o["piece_brouillon"].numero]
    texte = reponse.contenu.decode("utf-8", errors="replace")
    return [secret for secret in secrets if secret in texte]


@pytest.mark.parametrize("cle", sorted(c for c, e in MATRICE.items() if isinstance(e, Api)))
def test_api(monde, cle):
    """The six portal roles call with their session only: never authenticated (401, except the public
    health-check); the stranger's technical account changes nothing, whatever it answers."""
    entree = MATRICE[cle]
    public = cle == "api_health_check"
    attendus = {role: "200/None" if public else "401/401" for role in ROLES}
    attendus |= {"technique": entree.technique, "technique_autre": entree.technique_autre}
    ecarts = []
    for role, attendu in attendus.items():
        verifier = role != "technique"

        def preparer(role=role, verifier=verifier):
            client = client_de(monde, role) if role in ROLES else Client()
            avant = empreinte_base() if verifier else None
            return (lambda: _requete_api(client, monde, entree, cle, role)), avant

        reponse, change = _appel_isole(preparer, verifier_base=verifier)
        obtenu = jeton_api(reponse)
        if obtenu != attendu:
            ecarts.append(f"{role} : attendu {attendu}, obtenu {obtenu}")
        elif change:
            ecarts.append(f"{role} : répond {obtenu} mais la base a changé")
    assert not ecarts, f"{cle} : " + " ; ".join(ecarts)


def _requete_api(client, monde, entree, cle, role):
    url = url_de(routes()[cle], {})
    entetes = monde.entetes_api.get(role, {})
    if entree.methode == "get":
        return client.get(url, **entetes)
    corps = json.dumps(entree.corps(monde))
    return client.post(url, data=corps, content_type="application/json;charset=utf-8", **entetes)


@pytest.mark.parametrize("cle", routes_admin())
def test_administration(monde, cle):
    from django.contrib.contenttypes.models import ContentType

    from organisation.models import Structure

    valeurs = {
        "object_id": monde.a.pk,
        "id": monde.utilisateurs["gp"].pk,
        "app_label": "organisation",
        "content_type_id": ContentType.objects.get_for_model(Structure).pk,
        "url": "inconnu/",
    }
    url = url_de(routes()[cle], valeurs)
    ecarts = []
    for role, attendu in zip(ROLES, ADMIN_EXCEPTIONS.get(cle, ADMIN).split(), strict=True):

        def preparer(role=role):
            client = client_de(monde, role)
            return (lambda: client.get(url)), None

        reponse, _ = _appel_isole(preparer, verifier_base=False)
        obtenu = jeton_page(reponse)
        if not conforme(obtenu, attendu):
            ecarts.append(f"GET {role} : attendu {attendu}, obtenu {obtenu}")
    assert not ecarts, f"{cle} ({url}) : " + " ; ".join(ecarts)
