"""Domaine Organisation > Structures: create a structure, « Gérer une structure » (identity, parameters, statut,
services, bank details, billing mandate, transfer of the GP role) with its pending changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.navigation import fil_ariane
from chorus.workflow import TransitionInterdite
from organisation import forms, queries, services, sirene
from organisation.enums import StatutStructure, TypeIdentifiant
from organisation.models import CoordonneesBancaires, MandatFacturation, ModificationDifferee, Service
from organisation.views.formulaires import page_formulaire


@login_required
def mes_structures(request):
    # Every structure the user is attached to: the ones they manage open « Gérer une structure », the others open
    # the same page in consultation (a simple user reads, never changes, their structure).
    gerees = set(queries.structures_gerees_par(request.user).values_list("pk", flat=True))
    structures = [
        {"structure": s, "peut_modifier": s.pk in gerees}
        for s in queries.structures_consultables_par(request.user).order_by("raison_sociale", "id")
    ]
    return render(
        request,
        "organisation/mes_structures.html",
        {
            "structures": structures,
            "breadcrumb_data": fil_ariane(courant="Gérer mes structures"),
        },
    )


@login_required
def creer_structure(request):
    form = forms.CreerStructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The form's fields are the service's arguments; the typed address only for a structure INSEE does not
            # know, and only the fields filled in.
            adresse = forms.CreerStructureForm.CHAMPS_ADRESSE
            identite = {champ: valeur for champ, valeur in data.items() if champ not in adresse}
            if data["type_identifiant"] != TypeIdentifiant.SIRET:
                identite.update({champ: data[champ] for champ in adresse if data[champ]})
            structure = services.creer_structure_par_utilisateur(acting_user=request.user, **identite)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            if structure.statut == StatutStructure.EN_ATTENTE:
                messages.success(request, "Votre demande de création de structure publique est transmise au support.")
                return redirect("mes_rattachements")
            messages.success(request, "La structure est créée : vous en êtes le gestionnaire principal.")
            return redirect("gerer_structure", pk=structure.pk)
    return page_formulaire(
        request,
        "organisation/creer_structure.html",
        form,
        courant="Créer une structure",
        parent=("Gérer mes structures", "mes_structures"),
    )


def _en_attente(structure, statut=ModificationDifferee.Statut.EN_ATTENTE):
    """Pending (or, with ``statut`` ECHEC, recently failed) changes of the structure and of its services, bank
    details and mandate (one query)."""
    types = ContentType.objects.get_for_models(Service, CoordonneesBancaires, MandatFacturation, structure)
    services_ids = structure.services.values("pk")
    coordonnees_ids = CoordonneesBancaires.objects.filter(structure=structure).values("pk")
    mandat_ids = MandatFacturation.objects.filter(structure=structure).values("pk")
    modifications = ModificationDifferee.objects.filter(statut=statut)
    if statut == ModificationDifferee.Statut.ECHEC:
        modifications = modifications.filter(effective_at__gte=timezone.now() - services.ECHECS_AFFICHES_PENDANT)
    return (
        modifications.filter(
            Q(content_type=types[structure], object_id=structure.pk)
            | Q(content_type=types[Service], object_id__in=services_ids)
            | Q(content_type=types[CoordonneesBancaires], object_id__in=coordonnees_ids)
            | Q(content_type=types[MandatFacturation], object_id__in=mandat_ids)
        )
        .select_related("demandeur", "content_type")
        .order_by("effective_at", "id")
    )


ACTIONS = {
    "infos",
    "insee",
    "parametres",
    "activer",
    "desactiver",
    "service",
    "coordonnees",
    "mandat",
    "transfert",
    "siret",
}


@login_required
def gerer_structure(request, pk):
    # The structures the user is attached to: any other one is a 404, like a missing one. Without « Organisation
    # modification » on it the page is read-only (no form, no button) and any POST is refused.
    structure = get_object_or_404(
        queries.structures_consultables_par(request.user).select_related("gestionnaire_principal"), pk=pk
    )
    peut_modifier = queries.structures_gerees_par(request.user).filter(pk=structure.pk).exists()
    if request.method == "POST" and not peut_modifier:
        raise PermissionDenied("Vous consultez cette structure : seul son gestionnaire peut la modifier.")
    contexte_commun = {
        "structure": structure,
        "peut_modifier": peut_modifier,
        "services_structure": structure.services.order_by("code"),
        "historique_identifiants": structure.historique_identifiants.select_related("acting_user").order_by(
            "-created_at", "-id"
        ),
        "breadcrumb_data": fil_ariane(
            ("Gérer mes structures", reverse("mes_structures")), courant=structure.raison_sociale
        ),
    }
    if not peut_modifier:
        return render(request, "organisation/consulter_structure.html", contexte_commun)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    infos = forms.StructureForm(data if action == "infos" else None, instance=structure, prefix="infos")
    parametres = forms.ParametresStructureForm(
        data if action == "parametres" else None, instance=structure, prefix="parametres"
    )
    service_form = forms.ServiceForm(data if action == "service" else None, prefix="service")
    coordonnees_form = forms.CoordonneesBancairesForm(data if action == "coordonnees" else None, prefix="coordonnees")
    membres = queries.utilisateurs_de(structure).exclude(pk=structure.gestionnaire_principal_id)
    transfert = forms.TransfertGestionnaireForm(
        data if action == "transfert" else None, utilisateurs=membres, prefix="transfert"
    )
    siret_form = forms.ChangementSiretForm(data if action == "siret" else None, prefix="siret")
    formulaires = {
        "infos": infos,
        "parametres": parametres,
        "service": service_form,
        "coordonnees": coordonnees_form,
        "transfert": transfert,
        "siret": siret_form,
    }
    if action in ACTIONS:
        try:
            message = _executer(request.user, structure, action, formulaires)
        except (ValidationError, TransitionInterdite, PermissionDenied) as exc:
            cible = formulaires.get(action)
            if isinstance(exc, ValidationError) and cible is not None:
                erreurs_sur_formulaire(cible, exc)
            else:
                messages.error(request, getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)])))
                return redirect("gerer_structure", pk=structure.pk)
        else:
            if message:
                messages.success(request, message)
                return redirect("gerer_structure", pk=structure.pk)
    return render(
        request,
        "organisation/gerer_structure.html",
        {
            **contexte_commun,
            "infos": infos,
            "parametres": parametres,
            "service_form": service_form,
            "coordonnees_form": coordonnees_form,
            "transfert": transfert,
            "siret_form": siret_form,
            "changement_siret": services.changement_siret_en_attente(structure),
            "coordonnees": structure.coordonnees_bancaires.order_by("-created_at"),
            "mandat": MandatFacturation.objects.filter(structure=structure).first(),
            "en_attente": _en_attente(structure),
            "en_echec": _en_attente(structure, ModificationDifferee.Statut.ECHEC),
            "est_gp": structure.gestionnaire_principal_id == request.user.pk,
        },
    )


def _delai(modification) -> str:
    return f"Elle prendra effet le {modification.effective_at.astimezone().strftime('%d/%m/%Y à %H:%M')}."


def _executer(user, structure, action, formulaires) -> str | None:
    """Run one action of the « Gérer une structure » page; return the success message, or None when a form is
    invalid (its errors are shown next to its fields)."""
    infos, parametres, service_form = formulaires["infos"], formulaires["parametres"], formulaires["service"]
    coordonnees_form, transfert = formulaires["coordonnees"], formulaires["transfert"]
    if action == "siret":
        form = formulaires["siret"]
        if not form.is_valid():
            return None
        services.demander_changement_siret(
            acting_user=user,
            structure=structure,
            nouveau_siret=form.cleaned_data["nouveau_siret"],
            commentaire=form.cleaned_data["commentaire"],
        )
        return "Votre demande de modification du numéro de SIRET est transmise au support, qui l'approuvera ou non."
    if action in ("infos", "parametres"):
        form = infos if action == "infos" else parametres
        if not form.is_valid():
            return None
        changements = {name: form.cleaned_data[name] for name in form.changed_data}
        modification = services.modifier_structure(acting_user=user, structure=structure, changements=changements)
        return f"Votre modification est enregistrée. {_delai(modification)}"
    if action == "insee":
        modification = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=user)
        champs = ", ".join(libelle.lower() for libelle, _ in modification.changements_lisibles())
        return f"Mise à jour depuis la base INSEE enregistrée ({champs}). {_delai(modification)}"
    if action in ("activer", "desactiver"):
        services.changer_statut_structure(acting_user=user, structure=structure, active=action == "activer")
        return "La structure est activée." if action == "activer" else "La structure est désactivée."
    if action == "service":
        if not service_form.is_valid():
            return None
        service = services.creer_service(acting_user=user, structure=structure, **service_form.cleaned_data)
        return f"Le service {service.code} est créé."
    if action == "coordonnees":
        if not coordonnees_form.is_valid():
            return None
        coordonnees = services.ajouter_coordonnees_bancaires(
            acting_user=user, structure=structure, **coordonnees_form.cleaned_data
        )
        modification = services.modifications_en_attente(coordonnees).first()
        return f"Les coordonnées bancaires sont enregistrées. {_delai(modification)}"
    if action == "mandat":
        modification = services.souscrire_mandat_facturation(acting_user=user, structure=structure)
        return f"Votre souscription au mandat de facturation est enregistrée. {_delai(modification)}"
    if action == "transfert":
        if not transfert.is_valid():
            return None
        modification = services.transferer_gestionnaire_principal(
            acting_user=user, structure=structure, nouveau=transfert.cleaned_data["nouveau"]
        )
        return f"Le transfert du rôle de gestionnaire principal est enregistré. {_delai(modification)}"
    return None


@login_required
def modifier_service(request, pk, service_pk):
    structure = get_object_or_404(queries.structures_gerees_par(request.user), pk=pk)
    service = get_object_or_404(Service, structure=structure, pk=service_pk)
    form = forms.ModifierServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        changements = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            modification = services.modifier_service(acting_user=request.user, service=service, changements=changements)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, f"Votre modification du service est enregistrée. {_delai(modification)}")
            return redirect("gerer_structure", pk=structure.pk)
    service.refresh_from_db()
    return render(
        request,
        "organisation/modifier_service.html",
        {
            "structure": structure,
            "service": service,
            "form": form,
            "en_attente": services.modifications_en_attente(service),
            "en_echec": services.modifications_en_echec(service).select_related("demandeur"),
            "breadcrumb_data": fil_ariane(
                ("Gérer mes structures", reverse("mes_structures")),
                (structure.raison_sociale, reverse("gerer_structure", args=[structure.pk])),
                courant=f"Service {service.code}",
            ),
        },
    )
