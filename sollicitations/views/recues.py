"""« Sollicitations reçues »: the Synthèse « Mes sollicitations à traiter » (seed 001's columns), Rechercher (with
« Exporter »), and the sollicitation's page with « Mise à jour de la sollicitation » (status mandatory, answer,
assignment to a colleague). Every page reaches the sollicitations through ``Sollicitation.objects.recues_par``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.navigation import fil_ariane
from chorus.pages import fil_depuis, trouve_ou_404
from chorus.workflow import TransitionInterdite
from sollicitations import forms, queries, services
from sollicitations.enums import STATUTS_A_TRAITER, StatutSollicitation
from sollicitations.models import Sollicitation
from sollicitations.views.emises import (
    Cote,
    telecharger,
)

S = StatutSollicitation
ACCUEIL = ("Sollicitations reçues", "sollicitations_recues")
RECUES = Cote("recue", forms.RechercheRecuesForm, Sollicitation.objects.recues_par, queries.GROUPES_STATUTS_RECEPTEUR)
MESSAGES_TRAITEMENT = {
    S.EN_COURS: "La sollicitation {n} est prise en charge (« En cours ») : votre brouillon est enregistré.",
    S.DEMANDE_INFORMATION: "Votre demande d'information est transmise au déposant de la sollicitation {n}.",
    S.RESOLUE: "La sollicitation {n} est résolue : votre réponse est transmise au déposant.",
    S.MAUVAISE_AFFECTATION: "La sollicitation {n} est transférée au support Chorus Pro.",
    S.REAFFECTEE: "La sollicitation {n} est transmise {d}.",
}


_fil = fil_depuis(ACCUEIL)


def _sollicitation_ou_404(user, pk):
    return trouve_ou_404(queries.sollicitation_recue(user, pk), "Sollicitation introuvable.")


@login_required
def synthese(request):
    """« Mes sollicitations à traiter »: everything that needs an action of the receiving side, oldest first."""
    qs, page = RECUES.synthese(request, STATUTS_A_TRAITER, croissant=True)
    return render(
        request,
        "sollicitations/recues/synthese.html",
        {
            **page,
            "total": qs.count(),
            "params_export": "statut=MES_A_TRAITER",
            "breadcrumb_data": fil_ariane(courant=ACCUEIL[0]),
        },
    )


@login_required
def rechercher(request):
    return render(
        request,
        "sollicitations/recues/rechercher.html",
        {**RECUES.recherche(request), "breadcrumb_data": _fil("Rechercher")},
    )


@login_required
def exporter_recues(request, format_export="csv"):
    return RECUES.exporter(request, format_export)


def _page(request, s, *, form=None, role=None):
    if form is None:
        role = services.role_recepteur(request.user, s)
        if role is not None and services.statuts_possibles(s, role):
            brouillon = queries.brouillon(s)
            form = forms.TraitementForm(
                initial={
                    "assignee_a": s.assignee_a_id or request.user.pk,
                    "message": brouillon.texte if brouillon else "",
                },
                sollicitation=s,
                role=role,
            )
    return render(
        request,
        "sollicitations/recues/detail.html",
        {**RECUES.fiche(s, _fil), "form": form, "support": role == services.SUPPORT},
    )


@login_required
def detail(request, pk):
    return _page(request, _sollicitation_ou_404(request.user, pk))


@login_required
@require_POST
def traiter(request, pk):
    """« Valider » the « Mise à jour de la sollicitation »: the statut is mandatory (seed 001's error message)."""
    s = _sollicitation_ou_404(request.user, pk)
    role = services.role_recepteur(request.user, s)
    if role is None:
        raise PermissionDenied("Votre profil « Sollicitations reçues » est en consultation : il ne permet pas d'agir.")
    form = forms.TraitementForm(request.POST, request.FILES, sollicitation=s, role=role)
    if form.is_valid():
        donnees = form.donnees()
        try:
            s = services.traiter_sollicitation(acting_user=request.user, sollicitation=s, **donnees)
        except TransitionInterdite as exc:
            messages.error(request, exc.message)
            return redirect("sollicitation_recue", pk=s.pk)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc, forms.CHAMPS_TRAITEMENT)
        else:
            messages.success(
                request, MESSAGES_TRAITEMENT[donnees["statut"]].format(n=s.numero, d=services.destinataire_lisible(s))
            )
            if queries.sollicitation_recue(request.user, s.pk) is None:  # handed to another receiving side
                return redirect("sollicitations_recues")
            return redirect("sollicitation_recue", pk=s.pk)
    return _page(request, s, form=form, role=role)


@login_required
def piece_jointe(request, pk, piece_pk):
    return telecharger(_sollicitation_ou_404(request.user, pk), piece_pk, pour_emetteur=False)


def _chiffres(request, gabarit: str, lignes_chiffres: list, courant: str):
    return render(request, gabarit, {"lignes": lignes_chiffres, "breadcrumb_data": _fil(courant)})


@login_required
def tableau_de_bord(request):
    """The received sollicitations by état; each count opens Rechercher on that état."""
    return _chiffres(
        request,
        "sollicitations/recues/tableau_de_bord.html",
        queries.tableau_de_bord_recues(request.user),
        "Tableau de bord",
    )


@login_required
def statistiques(request):
    """Month by month: received, answered, and the mean delay to the first answer."""
    return _chiffres(
        request, "sollicitations/recues/statistiques.html", queries.statistiques_recues(request.user), "Statistiques"
    )
