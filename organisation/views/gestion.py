"""The gestionnaire's pages (domaine Organisation > Utilisateurs) and the decision on an approbation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus import exports
from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.navigation import fil_ariane
from chorus.pages import trouve_ou_404
from chorus.workflow import TransitionInterdite
from organisation import forms, queries, services
from organisation.enums import Application, StatutApprobation, StatutRattachement
from organisation.models import Rattachement
from organisation.views.formulaires import page_formulaire


@login_required
def approbation(request, pk):
    item = trouve_ou_404(queries.approbation_visible(request.user, pk), "Demande introuvable.")
    peut_decider = item.statut == StatutApprobation.DEMANDE and item.demandeur_id != request.user.pk
    if peut_decider:
        try:
            services.role_decideur(request.user, item)
        except PermissionDenied:
            peut_decider = False
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST":
        if not peut_decider:
            raise PermissionDenied("Vous ne pouvez pas décider de cette demande.")
        if form.is_valid():
            approuver = form.cleaned_data["decision"] == "APPROUVER"
            try:
                services.decider(
                    approbation=item, acting_user=request.user, approuver=approuver, motif=form.cleaned_data["motif"]
                )
            except TransitionInterdite as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                # A request that can no longer apply (a SIRET taken meanwhile...): nothing changed.
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, "La demande a été approuvée." if approuver else "La demande a été refusée.")
            return redirect("approbations")
    return render(
        request,
        "organisation/approbation.html",
        {
            "approbation": item,
            "form": form,
            "peut_decider": peut_decider,
            "profils_demandes": _profils_lisibles(item.donnees.get("profils", {})),
            "breadcrumb_data": fil_ariane(("Approbations", reverse("approbations")), courant=item.get_type_display()),
        },
    )


def _profils_lisibles(profils: dict) -> list[str]:
    lignes = []
    for application, niveau in profils.items():
        libelle = Application(application).label
        lignes.append(f"Supprimer « {libelle} »" if niveau is None else f"{libelle} {niveau}")
    return lignes


def _structures_gerees_ou_403(user):
    structures = queries.structures_gerees_par(user)
    if not structures.exists():
        raise PermissionDenied(
            "Cette application est réservée aux gestionnaires (profil « Organisation modification »)."
        )
    return structures


@login_required
def utilisateurs(request):
    structures = _structures_gerees_ou_403(request.user)
    rattachements = (
        Rattachement.objects.filter(structure__in=structures, statut=StatutRattachement.ACTIF)
        .select_related("utilisateur", "structure", "service")
        .order_by("structure__raison_sociale", "utilisateur__nom", "utilisateur__prenom", "id")
    )
    # The GP's invitations the users have not answered yet: not attached, shown so that the GP knows they went out.
    invitations = (
        Rattachement.objects.filter(structure__in=structures, statut=StatutRattachement.INVITE)
        .select_related("utilisateur", "structure", "service")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "organisation/utilisateurs.html",
        {
            "rattachements": rattachements,
            "invitations": invitations,
            "breadcrumb_data": fil_ariane(courant="Utilisateurs de mes structures"),
        },
    )


ENTETES_UTILISATEURS = [
    "Nom",
    "Prénom",
    "Adresse électronique",
    "Téléphone",
    "Structure",
    "SIRET",
    "Service",
    "Rôle",
    "Rattaché le",
    "Profils",
]


@login_required
def exporter_utilisateurs(request, format_export="csv"):
    """« Exporter » the users of my structures: one row per active rattachement, with the user's profiles there."""
    lignes = (
        [
            r.utilisateur.nom,
            r.utilisateur.prenom,
            r.utilisateur.email,
            r.utilisateur.telephone,
            r.structure.raison_sociale,
            r.structure.identifiant,
            r.service.code if r.service_id else "Toute la structure",
            "Gestionnaire principal" if r.utilisateur_id == r.structure.gestionnaire_principal_id else "Utilisateur",
            r.created_at,
            ", ".join(profils),
        ]
        for r, profils in queries.utilisateurs_avec_profils(_structures_gerees_ou_403(request.user))
    )
    if format_export == "xlsx":
        return exports.reponse_xlsx(
            "utilisateurs.xlsx",
            "Utilisateurs",
            ENTETES_UTILISATEURS,
            lignes,
            largeurs=(18, 18, 32, 16, 30, 16, 20, 22, 18, 80),
        )
    return exports.reponse_csv("utilisateurs.csv", ENTETES_UTILISATEURS, lignes)


@login_required
def rattacher_utilisateur(request):
    structures = _structures_gerees_ou_403(request.user)
    form = forms.RattacherUtilisateurForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rattacher_utilisateur(
                acting_user=request.user, email=data["email"], structure=data["structure"], service=data["service"]
            )
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(
                request,
                "L'invitation est envoyée : l'utilisateur sera rattaché lorsqu'il l'aura acceptée "
                "dans « Mes rattachements ».",
            )
            return redirect("utilisateurs")
    return page_formulaire(
        request,
        "organisation/rattacher_utilisateur.html",
        form,
        courant="Rattacher un utilisateur",
        parent=("Utilisateurs de mes structures", "utilisateurs"),
    )


@login_required
@require_POST
def detacher_utilisateur(request, pk):
    structures = _structures_gerees_ou_403(request.user)
    rattachement = get_object_or_404(Rattachement.objects.filter(structure__in=structures), pk=pk)
    try:
        services.detacher_utilisateur(acting_user=request.user, rattachement=rattachement)
    except (ValidationError, TransitionInterdite) as exc:
        messages.error(request, exc.message if isinstance(exc, TransitionInterdite) else " ".join(exc.messages))
    else:
        messages.success(request, f"{rattachement.utilisateur.get_full_name()} est détaché de la structure.")
    return redirect("utilisateurs")


@login_required
def gerer_habilitations(request):
    """« Gérer les habilitations des utilisateurs »: choose a structure and a user, then add, change or remove."""
    structures = _structures_gerees_ou_403(request.user)
    choix = forms.ChoixUtilisateurForm(request.GET, structures=structures)
    structure, utilisateur = choix.structure_choisie, choix.utilisateur_choisi()
    form = forms.ProfilForm(request.POST or None, structures=structures.filter(pk=structure.pk))
    if request.method == "POST" and utilisateur is not None and form.is_valid():
        try:
            modification = services.demander_modification_habilitations(
                acting_user=request.user, utilisateur=utilisateur, structure=structure, profils=form.profils()
            )
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(
                request,
                "La modification des habilitations est enregistrée. Elle prendra effet le "
                f"{modification.effective_at.astimezone().strftime('%d/%m/%Y à %H:%M')}.",
            )
            return redirect(f"{reverse('gerer_habilitations')}?structure={structure.pk}&utilisateur={utilisateur.pk}")
    profils = services.profils_de(utilisateur=utilisateur, structure=structure) if utilisateur else {}
    return render(
        request,
        "organisation/gerer_habilitations.html",
        {
            "choix": choix,
            "structure": structure,
            "utilisateur_choisi": utilisateur,
            "profils": _profils_lisibles(profils),
            "en_attente": [
                m
                for m in services.modifications_en_attente(structure).select_related("demandeur")
                if utilisateur and m.changements.get("profils", {}).get("utilisateur") == utilisateur.pk
            ],
            "en_echec": [
                m
                for m in services.modifications_en_echec(structure).select_related("demandeur")
                if utilisateur and m.changements.get("profils", {}).get("utilisateur") == utilisateur.pk
            ],
            "form": form,
            "breadcrumb_data": fil_ariane(courant="Gérer les habilitations des utilisateurs"),
        },
    )


ENTETES_HISTORIQUE = ["Date", "Acteur", "Structure", "Objet", "Action", "Motif", "Commentaire"]


@login_required
def historique_gestionnaire(request):
    """« Historique des actions du gestionnaire »: every change recorded on the structures I manage."""
    structures = _structures_gerees_ou_403(request.user)
    form = forms.HistoriqueGestionnaireForm(request.GET or None, structures=structures)
    lignes, suivante = [], None
    filtres = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if not form.is_bound or filtres:
        lignes, suivante = queries.historique_gestionnaire(
            request.user,
            structure=filtres.get("structure"),
            du=filtres.get("du"),
            au=filtres.get("au"),
            apres=request.GET.get("apres", ""),
        )
    if request.GET.get("format") == "csv" and (not form.is_bound or filtres):
        return exports.reponse_csv(
            "historique_gestionnaire.csv", ENTETES_HISTORIQUE, _tout_l_historique(request, filtres)
        )
    params = request.GET.copy()
    params.pop("apres", None)
    params.pop("format", None)
    return render(
        request,
        "organisation/historique_gestionnaire.html",
        {
            "form": form,
            "lignes": lignes,
            "suivante": suivante,
            "params": params.urlencode(),
            "breadcrumb_data": fil_ariane(courant="Historique des actions du gestionnaire"),
        },
    )


def _tout_l_historique(request, filtres):
    """Every row of the history for the CSV export, read page after page with the same keyset."""
    apres = ""
    while True:
        lignes, apres = queries.historique_gestionnaire(
            request.user,
            structure=filtres.get("structure"),
            du=filtres.get("du"),
            au=filtres.get("au"),
            apres=apres,
            taille=1000,
        )
        for ligne in lignes:
            yield [ligne[cle] for cle in ("date", "acteur", "structure", "objet", "action", "motif", "commentaire")]
        if not apres:
            return
