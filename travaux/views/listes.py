"""« Factures de travaux »: Synthèse (the pieces awaiting the user's action, late dossiers flagged), Rechercher
(criteria, keyset pagination, CSV and XLSX exports), Tableau de bord (stock) per role. Every list starts from
``PieceTravaux.objects.visibles_par``; a user without the « Factures de travaux » profile is refused (403)."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from chorus import exports
from chorus.navigation import fil_ariane
from chorus.pages import fil_depuis
from chorus.pagination import page_de_recherche, page_par_id
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from organisation.models import Structure
from travaux import queries, recherche, statuts
from travaux.forms.recherche import RechercheTravauxForm, RoleTableauDeBordForm, SyntheseTravauxForm
from travaux.models import PieceTravaux
from travaux.statuts import Role

ACCUEIL = ("Factures de travaux", "travaux_synthese")


_fil = fil_depuis(ACCUEIL)


def profil_travaux(vue):
    """Login, then the « Factures de travaux » profile (consultation or modification) on some structure; the lists
    are read-only (GET)."""

    @login_required
    @require_GET
    @wraps(vue)
    def controlee(request, *args, **kwargs):
        if not org_queries.a_application(request.user, Application.FACTURES_TRAVAUX):
            raise PermissionDenied("Cette page exige le profil « Factures de travaux ».")
        return vue(request, *args, **kwargs)

    return controlee


def _mes_structures(user):
    """The user's structures with « Factures de travaux » (``structures_travaux``), read by their ids from the
    request's perimeter: a primary key lookup instead of the rattachements' and profiles' subqueries."""
    mes = org_queries.structures_du_perimetre(user, Application.FACTURES_TRAVAUX, Niveau.CONSULTATION)
    return Structure.objects.filter(pk__in=mes).order_by("raison_sociale", "pk")


@profil_travaux
def synthese(request):
    """« FACTURE DE TRAVAUX À TRAITER » (seed 001): the pieces waiting for one of the user's structures and the
    user's own pieces to take up again (``queries.condition_a_traiter``), filtered, newest first."""
    form = SyntheseTravauxForm(request.GET, structures=_mes_structures(request.user))
    pieces, suivante = [], None
    if form.is_valid():
        qs = PieceTravaux.objects.visibles_par(request.user).filter(queries.condition_a_traiter(request.user))
        qs = recherche.annoter(qs)
        qs = recherche.filtrer_synthese(form.cleaned_data, qs)
        valeurs, suivante = page_par_id(qs.values(*recherche.COLONNES), request.GET.get("apres", ""))
        pieces = recherche.lignes(valeurs)
    params = request.GET.copy()
    params.pop("apres", None)
    return render(
        request,
        "travaux/synthese.html",
        {
            "form": form,
            "pieces": pieces,
            "suivante": suivante,
            "params": params.urlencode(),
            "peut_deposer": queries.peut_deposer(request.user),
            "breadcrumb_data": fil_ariane(courant=ACCUEIL[0]),
        },
    )


@profil_travaux
def rechercher(request):
    form = RechercheTravauxForm(request.GET, structures=_mes_structures(request.user))
    contexte = page_de_recherche(
        request,
        form,
        recherche.annoter(PieceTravaux.objects.visibles_par(request.user)),
        recherche.COLONNES,
        recherche.lignes,
        filtrer=recherche.filtrer,
        cle="pieces",
    )
    return render(
        request,
        "travaux/rechercher.html",
        {**contexte, "peut_deposer": queries.peut_deposer(request.user), "breadcrumb_data": _fil("Rechercher")},
    )


@profil_travaux
def exporter(request, format_export="csv"):
    """« Exporter »: the search results, same criteria and same scoping, as CSV (streamed) or XLSX."""
    form = RechercheTravauxForm(request.GET, structures=_mes_structures(request.user))
    if not form.is_valid():  # the search page shows what is wrong with the criteria
        return redirect(reverse("travaux_rechercher") + "?" + request.GET.urlencode())
    qs = recherche.filtrer(form.criteres(), recherche.annoter_export(PieceTravaux.objects.visibles_par(request.user)))
    qs = qs.order_by("-id").values_list(*recherche.COLONNES_EXPORT)
    entetes, nom = recherche.ENTETES_EXPORT, "factures_travaux"
    if format_export == "xlsx":
        valeurs = qs.iterator(chunk_size=2000)
        return exports.reponse_xlsx(
            f"{nom}.xlsx",
            "Factures de travaux",
            entetes,
            recherche.lignes_export(valeurs),
            largeurs=recherche.LARGEURS_EXPORT,
        )
    return exports.reponse_csv(f"{nom}.csv", entetes, recherche.lignes_export(qs.iterator(chunk_size=2000)))


@profil_travaux
def tableau_de_bord(request):
    """« Tableau de bord (stock) » (seed 001): for the chosen role, each of the user's structures acting in it with
    the number of pieces per group of statuses (one grouped query), each number a link to Rechercher."""
    form = RoleTableauDeBordForm(request.GET if "role" in request.GET else {"role": Role.FOURNISSEUR})
    lignes, role = [], None
    if form.is_valid():
        role = Role(form.cleaned_data["role"])
        url = reverse("travaux_rechercher")
        for ligne in queries.tableau_de_bord(request.user, role):
            comptes = [
                {
                    "libelle": libelle,
                    "nombre": ligne[code],
                    "url": url
                    + "?"
                    + urlencode({"mon_role": role.value, "ma_structure": ligne["structure_id"], "groupe": code}),
                }
                for code, (libelle, _liste) in statuts.GROUPES_TABLEAU_DE_BORD.items()
            ]
            lignes.append({"structure": ligne["structure"], "comptes": comptes})
    return render(
        request,
        "travaux/tableau_de_bord.html",
        {
            "form": form,
            "role": role,
            "groupes": [libelle for libelle, _liste in statuts.GROUPES_TABLEAU_DE_BORD.values()],
            "lignes": lignes,
            "peut_deposer": queries.peut_deposer(request.user),
            "breadcrumb_data": _fil("Tableau de bord (stock)"),
        },
    )
