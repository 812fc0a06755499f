"""Domaine « Raccordement EDI » > application « Raccordements »: the technical accounts and API clients of the
structures whose raccordements the user manages (gestionnaire principal, or profile « Raccordements »). Each secret
is shown once, on the page that answers its creation or renewal, and never stored in clear."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from chorus.navigation import fil_ariane
from organisation import forms, queries
from organisation import services as org_services
from organisation.enums import Niveau
from organisation.services import raccordements

MESSAGE_SANS_STRUCTURE = (
    "L'application « Raccordements » est réservée aux gestionnaires de structure et aux utilisateurs rattachés à "
    "toute la structure qui ont le profil « Raccordements »."
)


def _fil(courant: str) -> dict:
    return fil_ariane(("Raccordements", reverse("raccordements_comptes")), courant=courant)


def _structures_ou_403(user, niveau=Niveau.CONSULTATION):
    structures = queries.structures_raccordees_par(user, niveau)
    if not structures.exists():
        raise PermissionDenied(MESSAGE_SANS_STRUCTURE)
    return structures


def _secret(request, *, titre: str, libelle: str, identifiant: str, secret: str, expiration=None, retour: str):
    reponse = render(
        request,
        "organisation/raccordements/secret.html",
        {
            "titre": titre,
            "libelle": libelle,
            "identifiant": identifiant,
            "secret": secret,
            "expiration": expiration,
            "retour": retour,
            "breadcrumb_data": _fil(titre),
        },
    )
    add_never_cache_headers(reponse)  # the secret is in this answer only
    return reponse


@login_required
def comptes_techniques(request):
    _structures_ou_403(request.user)
    modifiables = queries.structures_raccordees_par(request.user, Niveau.MODIFICATION)
    form = forms.StructureRaccordementForm(request.POST or None, structures=modifiables)
    if request.method == "POST":
        if form.is_valid():
            try:
                compte, mot_de_passe = raccordements.creer_compte_technique(
                    structure=form.cleaned_data["structure"], acting_user=request.user
                )
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect("raccordements_comptes")
            return _secret(
                request,
                titre="Compte technique créé",
                libelle="Mot de passe",
                identifiant=compte.login,
                secret=mot_de_passe,
                expiration=compte.expiration_mot_de_passe,
                retour=reverse("raccordements_comptes"),
            )
    return render(
        request,
        "organisation/raccordements/comptes_techniques.html",
        {
            "comptes": queries.comptes_techniques_de(request.user)[:500],
            "modifiables": set(modifiables.values_list("pk", flat=True)),
            "form": form,
            "breadcrumb_data": _fil("Comptes techniques"),
        },
    )


def _compte_modifiable(user, pk):
    return get_object_or_404(queries.comptes_techniques_de(user, Niveau.MODIFICATION), pk=pk)


@login_required
@require_POST
def renouveler_compte_technique(request, pk):
    compte = _compte_modifiable(request.user, pk)
    try:
        compte, mot_de_passe = raccordements.renouveler_compte_technique(compte=compte, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("raccordements_comptes")
    return _secret(
        request,
        titre="Mot de passe renouvelé",
        libelle="Nouveau mot de passe",
        identifiant=compte.login,
        secret=mot_de_passe,
        expiration=compte.expiration_mot_de_passe,
        retour=reverse("raccordements_comptes"),
    )


@login_required
@require_POST
def revoquer_compte_technique(request, pk):
    compte = _compte_modifiable(request.user, pk)
    try:
        raccordements.revoquer_compte_technique(compte=compte, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le compte technique {compte.login} est révoqué : l'API le refuse désormais.")
    return redirect("raccordements_comptes")


@login_required
def clients_api(request):
    _structures_ou_403(request.user)
    modifiables = queries.structures_raccordees_par(request.user, Niveau.MODIFICATION)
    form = forms.StructureRaccordementForm(request.POST or None, structures=modifiables, avec_libelle=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                lien, secret = raccordements.creer_client_api(
                    structure=form.cleaned_data["structure"],
                    acting_user=request.user,
                    libelle=form.cleaned_data["libelle"],
                )
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect("raccordements_clients")
            return _secret(
                request,
                titre="Client API créé",
                libelle="Secret (client_secret)",
                identifiant=lien.client.client_id,
                secret=secret,
                retour=reverse("raccordements_clients"),
            )
    return render(
        request,
        "organisation/raccordements/clients_api.html",
        {
            "clients": queries.clients_api_de(request.user)[:500],
            "modifiables": set(modifiables.values_list("pk", flat=True)),
            "form": form,
            "breadcrumb_data": _fil("Clients API"),
        },
    )


def _client_modifiable(user, pk):
    return get_object_or_404(queries.clients_api_de(user, Niveau.MODIFICATION), pk=pk)


@login_required
@require_POST
def renouveler_secret_client(request, pk):
    lien = _client_modifiable(request.user, pk)
    try:
        lien, secret = raccordements.renouveler_secret_client(lien=lien, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("raccordements_clients")
    return _secret(
        request,
        titre="Secret renouvelé",
        libelle="Nouveau secret (client_secret)",
        identifiant=lien.client.client_id,
        secret=secret,
        retour=reverse("raccordements_clients"),
    )


@login_required
@require_POST
def revoquer_client_api(request, pk):
    lien = _client_modifiable(request.user, pk)
    try:
        raccordements.revoquer_client_api(lien=lien, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le client API {lien.client.client_id} est révoqué : ses jetons sont refusés.")
    return redirect("raccordements_clients")


@login_required
def mode_echange(request):
    """The emission and reception mode of one of the structures whose raccordements the user works with
    (``?structure=`` chooses it; the first by default): read in consultation, chosen in modification."""
    visibles = list(
        queries.structures_raccordees_par(request.user, Niveau.CONSULTATION).order_by("raison_sociale", "pk")
    )
    if not visibles:
        raise PermissionDenied(MESSAGE_SANS_STRUCTURE)
    choisie = request.POST.get("structure") or request.GET.get("structure") or ""
    structure = next((s for s in visibles if str(s.pk) == choisie), None)
    if choisie and structure is None:
        raise Http404("Structure introuvable.")
    structure = structure or visibles[0]
    modifiable = queries.structures_raccordees_par(request.user, Niveau.MODIFICATION).filter(pk=structure.pk).exists()
    if request.method == "POST" and not modifiable:
        raise PermissionDenied("Votre profil « Raccordements » est en consultation : il ne permet pas de modifier.")
    form = forms.ModeEchangeForm(
        request.POST or None, initial=forms.ModeEchangeForm.initiales(structure), publique=structure.est_publique
    )
    if request.method == "POST" and form.is_valid():
        try:
            modification = raccordements.modifier_mode_echange(
                structure=structure,
                acting_user=request.user,
                emetteur_edi=form.cleaned_data["emission"] == "EDI",
                recepteur_edi=form.cleaned_data["reception"] == "EDI",
                mise_en_paiement_non_remontee=form.mise_en_paiement_non_remontee(),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                "Le mode d'émission et de réception est enregistré : il prendra effet le "
                f"{timezone.localtime(modification.effective_at):%d/%m/%Y à %H:%M}.",
            )
        return redirect(f"{reverse('raccordements_mode_echange')}?structure={structure.pk}")
    return render(
        request,
        "organisation/raccordements/mode_echange.html",
        {
            "structures": visibles,
            "structure": structure,
            "form": form,
            "modifiable": modifiable,
            "en_attente": org_services.modifications_en_attente(structure).select_related("demandeur", "content_type"),
            "en_echec": org_services.modifications_en_echec(structure).select_related("demandeur", "content_type"),
            "breadcrumb_data": _fil("Mode d'émission et de réception"),
        },
    )
