"""The user's own pages: Mes rattachements (and the request to join a structure), Mes habilitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from chorus import exports
from chorus.criteres import conditions
from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.navigation import fil_ariane
from chorus.workflow import TransitionInterdite
from organisation import forms, queries, services, statuts
from organisation.enums import StatutRattachement, StatutStructure
from organisation.models import Structure
from organisation.views.formulaires import page_formulaire


@login_required
def mes_rattachements(request):
    rattachements = list(queries.rattachements_de(request.user))
    for r in rattachements:
        r.badge = statuts.badge_rattachement(r.statut)
        r.actions = statuts.actions_utilisateur(r.statut)
    return render(
        request,
        "organisation/mes_rattachements.html",
        {
            "rattachements": rattachements,
            "breadcrumb_data": fil_ariane(courant="Mes rattachements"),
        },
    )


@login_required
@require_POST
def repondre_invitation(request, pk):
    """« Accepter » or « Refuser » an invitation of a gestionnaire: only the invited user's own rows are reachable."""
    rattachement = get_object_or_404(queries.rattachements_de(request.user), pk=pk)
    cible = request.POST.get("statut")
    if cible not in (StatutRattachement.ACTIF, StatutRattachement.REFUSE):
        messages.error(request, "Choisissez « Accepter » ou « Refuser ».")
        return redirect("mes_rattachements")
    accepter = cible == StatutRattachement.ACTIF
    try:
        services.repondre_invitation(utilisateur=request.user, rattachement=rattachement, accepter=accepter)
    except TransitionInterdite:
        messages.error(request, "Action déjà effectuée : cette invitation n'attend plus de réponse.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Vous êtes rattaché à la structure {rattachement.structure.raison_sociale}."
            if accepter
            else "Vous avez refusé l'invitation : vous n'êtes pas rattaché.",
        )
    return redirect("mes_rattachements")


# « Rechercher une structure » to join: each criterion of the form and the lookup it filters on.
CRITERES_RECHERCHE = {
    "type_identifiant": "type_identifiant",
    "type_structure": "type_structure",
    "siret": "identifiant__startswith",
    "raison_sociale": "raison_sociale__icontains",
    "ville": "ville__icontains",
}


def _recherche(form) -> Structure.objects:
    qs = Structure.objects.filter(statut=StatutStructure.ACTIVE)
    return qs.filter(**conditions(form.cleaned_data, CRITERES_RECHERCHE)).order_by("raison_sociale", "id")


@login_required
def demander_rattachement(request):
    """Search a structure (type, SIRET or raison sociale, ville), choose structure or service level, comment."""
    recherche = forms.RechercheStructureForm(request.GET or None)
    resultats = Structure.objects.none()
    if recherche.is_bound and recherche.is_valid():
        resultats = _recherche(recherche)[:50]
    ids = [s.pk for s in resultats] if request.method == "GET" else request.POST.getlist("structure")
    structures = Structure.objects.filter(Q(pk__in=[i for i in ids if str(i).isdigit()]), statut=StatutStructure.ACTIVE)
    form = forms.DemandeRattachementForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.demander_rattachement(
                utilisateur=request.user,
                structure=data["structure"],
                service=data["service"],
                commentaire=data["commentaire"],
            )
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(
                request,
                "Votre demande de rattachement a été transmise au gestionnaire principal de la structure. "
                "Vous recevrez un courriel lors de sa décision.",
            )
            return redirect("mes_rattachements")
    return page_formulaire(
        request,
        "organisation/demander_rattachement.html",
        form,
        courant="Demander un rattachement",
        parent=("Mes rattachements", "mes_rattachements"),
        recherche=recherche,
        resultats=resultats,
    )


@login_required
def mes_habilitations(request):
    return render(
        request,
        "organisation/mes_habilitations.html",
        {
            "habilitations": queries.habilitations_de(request.user),
            "breadcrumb_data": fil_ariane(courant="Mes habilitations"),
        },
    )


@login_required
def exporter_mes_habilitations(request):
    lignes = (
        [hab.content_object.raison_sociale, hab.content_object.identifiant, hab.permission.name]
        for hab in queries.habilitations_de(request.user).iterator()
    )
    return exports.reponse_csv("mes_habilitations.csv", ["Structure", "SIRET", "Profil"], lignes)


@login_required
def gerer_mes_habilitations(request):
    """« Gérer mes habilitations »: ask the GP to add, change or remove one of my profiles."""
    form = forms.ProfilForm(request.POST or None, structures=queries.structures_de(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.demander_habilitations(
                utilisateur=request.user,
                structure=form.cleaned_data["structure"],
                profils=form.profils(),
                commentaire=form.cleaned_data["commentaire"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, str(exc) if isinstance(exc, PermissionDenied) else exc)
        else:
            messages.success(request, "Votre demande a été transmise au gestionnaire principal pour approbation.")
            return redirect("mes_habilitations")
    return page_formulaire(
        request,
        "organisation/gerer_mes_habilitations.html",
        form,
        courant="Gérer mes habilitations",
        parent=("Mes habilitations", "mes_habilitations"),
    )
