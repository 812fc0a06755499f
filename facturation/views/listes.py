"""The tabs both invoice applications share (seed 004, « Factures reçues » D, E, F; « Factures émises » likewise):
« Informations du fournisseur » (the portal's copy of the INSEE base), « Liste fiscale » (every invoice sent in a
period, for the accountant, with its export), « Archives » (the invoices not modified for more than two years),
and the download of the ticked invoices as one ZIP. One view per tab, for either side (``Cote``): the invoices are
always read through the side's scoped query (``queries.factures_emises`` / ``queries.factures_recues``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chorus.navigation import fil_ariane
from chorus.pagination import page_de_recherche
from facturation import documents, exports, forms, queries, services, statuts
from facturation.models import PieceJointe
from facturation.views import emises, recues
from facturation.views.cote import Cote, page_recherche
from organisation import queries as org_queries
from organisation import sirene

COTES = {cote.code: cote for cote in (emises.COTE, recues.COTE)}


def _cote(request, code: str) -> Cote:
    """The side, for a user who holds its profile somewhere (otherwise 403, as the application's tile is not
    offered to them either)."""
    cote = COTES[code]
    if not org_queries.a_application(request.user, cote.application):
        raise PermissionDenied(f"Vous n'avez pas le profil « {cote.titre} ».")
    return cote


def _contexte(cote: Cote, courant: str) -> dict:
    return {
        "cote": cote,
        "breadcrumb_data": fil_ariane((cote.titre, reverse(cote.accueil)), courant=courant),
    }


# --- « Informations du fournisseur » -------------------------------------------------------------------------


@login_required
def informations_fournisseur(request, cote):
    """A SIRET looked up in the portal's copy of the INSEE base (``manage.py import_sirene``): identity, address
    and activity of a private entity. A « non diffusible » establishment shows its name only, as INSEE publishes
    it; a public one is sent to the annuaire of public structures."""
    cote = _cote(request, cote)
    form = forms.InformationsFournisseurForm(request.GET or None)
    etablissement, cherche = None, False
    if form.is_valid():
        cherche = True
        etablissement = sirene.rechercher(form.cleaned_data["siret"])
    return render(
        request,
        "facturation/listes/informations_fournisseur.html",
        {
            "form": form,
            "etablissement": etablissement,
            "cherche": cherche,
            **_contexte(cote, "Informations du fournisseur"),
        },
    )


# --- « Liste fiscale » ---------------------------------------------------------------------------------------

COLONNES_FISCALES = (
    "pk",
    "numero",
    "type_facture",
    "statut",
    "date_facture",
    "date_depot",
    "devise",
    "montant_ht",
    "montant_tva",
    "montant_ttc",
    "fournisseur__identifiant",
    "fournisseur__raison_sociale",
    "destinataire__identifiant",
    "destinataire__raison_sociale",
)


def _lignes_fiscales(valeurs) -> list[dict]:
    return [{**v, "statut": statuts.libelle(v["statut"]), "avoir": v["type_facture"] == "AVOIR"} for v in valeurs]


@login_required
def liste_fiscale(request, cote):
    """Every invoice of the side sent in the period (dates of deposit), newest first by keyset pages, amounts as
    stored; « Exporter (CSV) » gives the whole period."""
    cote = _cote(request, cote)
    form = forms.ListeFiscaleForm(request.GET or None)
    contexte = page_de_recherche(
        request,
        form,
        cote.perimetre(request.user),
        COLONNES_FISCALES,
        _lignes_fiscales,
        filtrer=queries.liste_fiscale,
        cle="factures",
    )
    return render(
        request,
        "facturation/listes/liste_fiscale.html",
        {
            **contexte,
            "demandee": form.is_bound,
            "url_export": reverse(f"exporter_liste_fiscale_{cote.code}"),
            **_contexte(cote, "Liste fiscale"),
        },
    )


@login_required
def exporter_liste_fiscale(request, cote):
    cote = _cote(request, cote)
    form = forms.ListeFiscaleForm(request.GET)
    if not form.is_valid():  # the page shows what is wrong with the period
        return redirect(reverse(f"liste_fiscale_{cote.code}") + "?" + request.GET.urlencode())
    return exports.exporter(
        "csv",
        nom=f"liste_fiscale_{cote.code}",
        feuille="Liste fiscale",
        colonnes=exports.LISTE_FISCALE,
        factures=queries.liste_fiscale(form.criteres(), cote.perimetre(request.user)),
    )


# --- « Archives » ----------------------------------------------------------------------------------------------


@login_required
def archives(request, cote):
    """« Rechercher » among the invoices not modified for more than two years, with the side's criteria."""
    cote = _cote(request, cote)
    contexte = page_recherche(request, cote, queries.archives(cote.perimetre(request.user)))
    return render(
        request,
        "facturation/listes/archives.html",
        {**contexte, "limite": queries.limite_archives(), **_contexte(cote, "Archives")},
    )


# --- Downloading the ticked invoices --------------------------------------------------------------------------

MAX_SELECTION = 100


@login_required
@require_POST
def telecharger_selection(request, cote):
    """The ticked invoices of a list as one ZIP (each invoice's document and its attachments), made by the code
    behind the API's ``telecharger/groupe`` (``documents.groupe_factures``); the recipient's downloads are marked.
    Nothing ticked, an invoice outside the user's lists, no document or more than 120 Mo: a French message on the
    list, no file."""
    cote = _cote(request, cote)
    retour = request.POST.get("retour", "")
    if not url_has_allowed_host_and_scheme(retour, allowed_hosts={request.get_host()}):
        retour = reverse(cote.accueil)
    pks = list(dict.fromkeys(int(v) for v in request.POST.getlist("facture") if v.isdigit()))
    if not pks:
        messages.error(request, "Sélectionnez au moins une facture à télécharger.")
        return redirect(retour)
    if len(pks) > MAX_SELECTION:
        messages.error(request, f"Téléchargez au plus {MAX_SELECTION} factures à la fois.")
        return redirect(retour)
    factures = list(
        cote.perimetre(request.user)
        .filter(pk__in=pks)
        .prefetch_related(Prefetch("pieces_jointes", queryset=PieceJointe.objects.order_by("id")))
        .order_by("-id")
    )
    if len(factures) != len(pks):
        messages.error(request, "Une facture sélectionnée n'existe pas ou ne vous est pas accessible.")
        return redirect(retour)
    try:
        contenu = documents.groupe_factures(factures, format_groupe=documents.FORMAT_ZIP, avec_pieces=True)
    except documents.GroupeRefuse as exc:
        messages.error(request, str(exc))
        return redirect(retour)
    if cote.marque_telechargees:
        services.marquer_telechargees(acting_user=request.user, factures=factures)
    reponse = HttpResponse(contenu, content_type="application/zip")
    reponse["Content-Disposition"] = f'attachment; filename="factures_{cote.code}.zip"'
    return reponse
