"""« Saisir facture »: the recipient found inside the form. A search by SIRET, raison sociale or postal code among
the active public structures of the directory, and the chosen structure's services with their rules. The saisie
page renders both itself (without JavaScript, « Rechercher une structure » re-renders the form); the two fragment
endpoints below give the same HTML to ``static/facturation/destinataire.js``."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chorus.identifiers import normaliser
from chorus.limitation import Limite
from facturation import queries
from facturation.forms import SIRET_ETAT
from organisation import queries as org_queries

# A user searching by hand makes a few searches a minute; a script walking the directory is slowed down.
LIMITE_RECHERCHE = Limite("recherche_destinataires", 60, 60)
LONGUEUR_MIN = 2
LONGUEUR_MAX = 100


def rechercher(user, texte: str) -> dict:
    """The result of one search, as the fragment shows it: ``resultats``, the sentence ``annonce`` (also read by
    the live region), or ``erreur``."""
    texte = " ".join((texte or "").split())
    if len(texte) < LONGUEUR_MIN:
        return {"erreur": "Saisissez au moins 2 caractères : SIRET, raison sociale ou code postal.", "texte": texte}
    if len(texte) > LONGUEUR_MAX:
        return {"erreur": f"La recherche comporte au plus {LONGUEUR_MAX} caractères.", "texte": texte[:LONGUEUR_MAX]}
    if LIMITE_RECHERCHE.depassee(str(user.pk)):
        return {
            "erreur": "Trop de recherches en peu de temps : réessayez dans une minute.",
            "texte": texte,
            "limite": True,
        }
    resultats = list(org_queries.rechercher_destinataires(texte))
    if not resultats:
        annonce = f"Aucune structure publique active ne correspond à « {texte} »."
    elif len(resultats) == 1:
        annonce = "1 structure trouvée."
    elif len(resultats) >= org_queries.LIMITE_DESTINATAIRES:
        annonce = f"Les {len(resultats)} premières structures trouvées sont affichées : précisez la recherche."
    else:
        annonce = f"{len(resultats)} structures trouvées."
    return {"resultats": resultats, "annonce": annonce, "texte": texte}


def siret_choisi(valeur_etat, valeur_siret) -> str:
    """The recipient's SIRET the form designates: the State's single SIRET when « Le destinataire est-il
    l'État ? » is answered yes, else the SIRET typed (spaces removed)."""
    if valeur_etat == "oui":
        return SIRET_ETAT
    return normaliser(valeur_siret or "")


def contexte_destinataire(siret: str) -> dict:
    """The chosen recipient and its active services, for the services block of the form."""
    destinataire, services = org_queries.destinataire_et_services(siret)
    return {"destinataire_choisi": destinataire, "services_destinataire": services}


def _exiger_saisie(user) -> None:
    if not queries.structures_emettrices(user).exists():
        raise PermissionDenied("La saisie exige le profil « Factures émises » en modification.")


@login_required
@require_GET
def resultats(request):
    """The results fragment of « Rechercher une structure » (429 once the user searched too often)."""
    _exiger_saisie(request.user)
    recherche = rechercher(request.user, request.GET.get("recherche_destinataire", ""))
    return render(
        request,
        "facturation/_destinataires_resultats.html",
        {"recherche": recherche},
        status=429 if recherche.get("limite") else 200,
    )


@login_required
@require_GET
def services(request):
    """The services fragment of the chosen recipient (empty when the SIRET is no active public structure)."""
    _exiger_saisie(request.user)
    siret = siret_choisi(request.GET.get("destinataire_etat"), request.GET.get("destinataire_siret"))
    return render(request, "facturation/_destinataire_services.html", contexte_destinataire(siret))
