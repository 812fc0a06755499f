"""Domaine « Raccordement EDI » > application « Raccordements »: the technical accounts and API clients of the
structures whose raccordements the user manages (gestionnaire principal, or profile « Raccordements »). Each secret
is shown once, on the page that answers its creation or renewal, and never stored in clear."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from chorus.pages import fil_depuis
from organisation import forms, queries
from organisation import services as org_services
from organisation.enums import Niveau
from organisation.services import raccordements

MESSAGE_SANS_STRUCTURE = (
    "L'application « Raccordements » est réservée aux gestionnaires de structure et aux utilisateurs rattachés à "
    "toute la structure qui ont le profil « Raccordements »."
)


_fil = fil_depuis(("Raccordements", "raccordements_comptes"))


def _structures_ou_403(user, niveau=Niveau.CONSULTATION):
    structures = queries.structures_raccordees_par(user, niveau)
    if not structures.exists():
        raise PermissionDenied(MESSAGE_SANS_STRUCTURE)
    return structures


@dataclass(frozen=True)
class _Sorte:
    """What tells the technical accounts' pages from the API clients' ones: their list (whose form creates one
    more), renewal and revocation follow one recipe, ``_vues`` below."""

    url: str  # the list page, where every action comes back
    gabarit: str  # a child of raccordements/_liste.html
    titre: str
    nom: str  # one of them (« Aucun … », « Créer un … »); slugified, the rows' data-testid, as the title is the table's
    lister: Callable  # (user, niveau) -> the scoped queryset
    identifiant: Callable  # what the secret page shows as the login
    expiration: Callable  # when the secret expires (None: it does not)
    avec_libelle: bool
    creer: Callable  # (cleaned_data, user) -> (object, secret)
    titre_cree: str
    libelle_cree: str
    renouveler: Callable  # (object, user) -> (object, secret)
    titre_renouvele: str
    libelle_renouvele: str
    revoquer: Callable  # (object, user)
    revoque: str  # the success message, formatted with the identifiant


COMPTES = _Sorte(
    url="raccordements_comptes",
    gabarit="organisation/raccordements/comptes_techniques.html",
    titre="Comptes techniques",
    nom="compte technique",
    lister=queries.comptes_techniques_de,
    identifiant=lambda compte: compte.login,
    expiration=lambda compte: compte.expiration_mot_de_passe,
    avec_libelle=False,
    creer=lambda donnees, user: raccordements.creer_compte_technique(structure=donnees["structure"], acting_user=user),
    titre_cree="Compte technique créé",
    libelle_cree="Mot de passe",
    renouveler=lambda compte, user: raccordements.renouveler_compte_technique(compte=compte, acting_user=user),
    titre_renouvele="Mot de passe renouvelé",
    libelle_renouvele="Nouveau mot de passe",
    revoquer=lambda compte, user: raccordements.revoquer_compte_technique(compte=compte, acting_user=user),
    revoque="Le compte technique {} est révoqué : l'API le refuse désormais.",
)
CLIENTS = _Sorte(
    url="raccordements_clients",
    gabarit="organisation/raccordements/clients_api.html",
    titre="Clients API",
    nom="client API",
    lister=queries.clients_api_de,
    identifiant=lambda lien: lien.client.client_id,
    expiration=lambda lien: None,
    avec_libelle=True,
    creer=lambda donnees, user: raccordements.creer_client_api(
        structure=donnees["structure"], acting_user=user, libelle=donnees["libelle"]
    ),
    titre_cree="Client API créé",
    libelle_cree="Secret (client_secret)",
    renouveler=lambda lien, user: raccordements.renouveler_secret_client(lien=lien, acting_user=user),
    titre_renouvele="Secret renouvelé",
    libelle_renouvele="Nouveau secret (client_secret)",
    revoquer=lambda lien, user: raccordements.revoquer_client_api(lien=lien, acting_user=user),
    revoque="Le client API {} est révoqué : ses jetons sont refusés.",
)


def _secret(request, sorte: _Sorte, objet, secret: str, *, titre: str, libelle: str):
    reponse = render(
        request,
        "organisation/raccordements/secret.html",
        {
            "titre": titre,
            "libelle": libelle,
            "identifiant": sorte.identifiant(objet),
            "secret": secret,
            "expiration": sorte.expiration(objet),
            "retour": reverse(sorte.url),
            "breadcrumb_data": _fil(titre),
        },
    )
    add_never_cache_headers(reponse)  # the secret is in this answer only
    return reponse


def _vues(sorte: _Sorte):
    """The list, renewal and revocation views of one sort of raccordement."""

    @login_required
    def liste(request):
        _structures_ou_403(request.user)
        modifiables = queries.structures_raccordees_par(request.user, Niveau.MODIFICATION)
        form = forms.StructureRaccordementForm(
            request.POST or None, structures=modifiables, avec_libelle=sorte.avec_libelle
        )
        if request.method == "POST" and form.is_valid():
            try:
                objet, secret = sorte.creer(form.cleaned_data, request.user)
            except (PermissionDenied, ValidationError) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect(sorte.url)
            return _secret(request, sorte, objet, secret, titre=sorte.titre_cree, libelle=sorte.libelle_cree)
        return render(
            request,
            sorte.gabarit,
            {
                "sorte": sorte,
                "objets": sorte.lister(request.user)[:500],
                "modifiables": set(modifiables.values_list("pk", flat=True)),
                "form": form,
                "breadcrumb_data": _fil(sorte.titre),
            },
        )

    @login_required
    @require_POST
    def renouveler(request, pk):
        objet = get_object_or_404(sorte.lister(request.user, Niveau.MODIFICATION), pk=pk)
        try:
            objet, secret = sorte.renouveler(objet, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(sorte.url)
        return _secret(request, sorte, objet, secret, titre=sorte.titre_renouvele, libelle=sorte.libelle_renouvele)

    @login_required
    @require_POST
    def revoquer(request, pk):
        objet = get_object_or_404(sorte.lister(request.user, Niveau.MODIFICATION), pk=pk)
        try:
            sorte.revoquer(objet, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, sorte.revoque.format(sorte.identifiant(objet)))
        return redirect(sorte.url)

    return liste, renouveler, revoquer


comptes_techniques, renouveler_compte_technique, revoquer_compte_technique = _vues(COMPTES)
clients_api, renouveler_secret_client, revoquer_client_api = _vues(CLIENTS)


@login_required
def mode_echange(request):
    """The emission and reception mode of one of the structures whose raccordements the user works with
    (``?structure=`` chooses it; the first by default): read in consultation, chosen in modification."""
    visibles = list(
        queries.structures_raccordees_par(request.user, Niveau.CONSULTATION).order_by("raison_sociale", "pk")
    )
    if not visibles:
        raise PermissionDenied(MESSAGE_SANS_STRUCTURE)
    choix = forms.ChoixStructureForm(
        {"structure": request.POST.get("structure") or request.GET.get("structure") or ""},
        structures=visibles,
        avec_identifiant=True,
    )
    if choix.inconnue():
        raise Http404("Structure introuvable.")
    structure = choix.structure_choisie
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
            "choix": choix,
            "structure": structure,
            "form": form,
            "modifiable": modifiable,
            "en_attente": org_services.modifications_en_attente(structure).select_related("demandeur", "content_type"),
            "en_echec": org_services.modifications_en_echec(structure).select_related("demandeur", "content_type"),
            "breadcrumb_data": _fil("Mode d'émission et de réception"),
        },
    )
