"""« Factures à valider »: the valideur's side of the A9 (sous-traitant) and A12 (cotraitant) invoices — the list,
one invoice, and the decisions « Valider » / « Refuser » (services ``valider_facture`` / ``refuser_facture``).
Every page reaches the invoices through ``queries.factures_a_valider``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.navigation import fil_ariane
from chorus.pages import fil_depuis, trouve_ou_404
from chorus.pagination import page_de_recherche
from chorus.workflow import TransitionInterdite
from facturation import documents, forms, queries, services, statuts
from facturation.enums import DELAI_VALIDATION_TACITE, Cadre, StatutFacture
from organisation import queries as org_queries
from organisation.enums import Application, Niveau

S = StatutFacture
ACCUEIL = ("Factures à valider", "factures_a_valider")
# What the list displays, read as plain values (no model instance per row, as the supplier's lists).
COLONNES_LISTE = (
    "pk",
    "numero",
    "cadre",
    "statut",
    "date_depot",
    "montant_ttc",
    "devise",
    "fournisseur__raison_sociale",
    "fournisseur__identifiant",
    "destinataire__raison_sociale",
    "a_valider_depuis",
    "validation_tacite_le",
)
_CADRES = dict(Cadre.choices)


_fil = fil_depuis(ACCUEIL)


def _facture_ou_404(user, pk):
    return trouve_ou_404(queries.facture_a_valider(user, pk), "Facture introuvable.")


def _peut_decider(user, facture) -> bool:
    """The « Factures à valider » profile in modification on the invoice's valideur."""
    return org_queries.a_profil(user, facture.valideur, Application.FACTURES_A_VALIDER, Niveau.MODIFICATION)


def _exiger_decision(user, facture) -> None:
    if not _peut_decider(user, facture):
        raise PermissionDenied("Votre profil « Factures à valider » est en consultation : il ne permet pas de décider.")


def _message(exc) -> str:
    return exc.message if isinstance(exc, TransitionInterdite) else " ".join(exc.messages)


def _lignes(valeurs) -> list[dict]:
    """The rows of the list; amounts and dates stay raw, for ``chorus_format``'s filters."""
    detail = reverse("facture_a_valider", args=[0])
    lignes = []
    for v in valeurs:
        a_valider = statuts.attend_validation(v["statut"])
        lignes.append(
            {
                "pk": v["pk"],
                "url": detail.replace("/0/", f"/{v['pk']}/", 1),
                "numero": v["numero"],
                "fournisseur": v["fournisseur__raison_sociale"],
                "siret": v["fournisseur__identifiant"],
                "destinataire": v["destinataire__raison_sociale"] or "—",
                "cadre": v["cadre"].split("_", 1)[0],
                "libelle_cadre": _CADRES.get(v["cadre"], v["cadre"]),
                "date_depot": v["date_depot"],
                "montant": v["montant_ttc"],
                "devise": v["devise"],
                "statut": statuts.libelle(v["statut"]),
                "badge": statuts.badge(v["statut"], statuts.VALIDEUR),
                "depuis": v["a_valider_depuis"] if a_valider else None,
                "echeance": v["validation_tacite_le"] if a_valider else None,
            }
        )
    return lignes


@login_required
def liste(request):
    form = forms.FiltreFacturesAValiderForm(request.GET)
    factures = queries.avec_delai_validation(queries.factures_a_valider(request.user))
    contexte = page_de_recherche(
        request, form, factures, COLONNES_LISTE, _lignes, filtrer=queries.filtrer, cle="factures"
    )
    return render(
        request,
        "facturation/valideur/liste.html",
        {
            **contexte,
            "delai_jours": DELAI_VALIDATION_TACITE.days,
            "breadcrumb_data": fil_ariane(courant=ACCUEIL[0]),
        },
    )


@login_required
def detail(request, pk):
    facture = _facture_ou_404(request.user, pk)
    return render(
        request,
        "facturation/valideur/detail.html",
        {
            "facture": facture,
            "historique": queries.historique(facture),
            "lignes": facture.lignes.all(),
            "recap": facture.recapitulatif_tva.all(),
            "pieces": facture.pieces_jointes.all(),
            "attend_validation": statuts.attend_validation(facture.statut),
            "actions": statuts.actions_valideur(facture.statut) if _peut_decider(request.user, facture) else [],
            "delai_jours": DELAI_VALIDATION_TACITE.days,
            "breadcrumb_data": _fil(f"Facture {facture.numero}"),
        },
    )


@login_required
def valider(request, pk):
    """« Valider »: a confirmation step, then the invoice goes on to its recipient."""
    facture = _facture_ou_404(request.user, pk)
    _exiger_decision(request.user, facture)
    if request.method == "POST":
        try:
            services.valider_facture(acting_user=request.user, facture=facture, accepter=True)
        except (ValidationError, TransitionInterdite) as exc:
            messages.error(request, _message(exc))
            return redirect("facture_a_valider", pk=facture.pk)
        messages.success(request, f"La facture {facture.numero} est validée : elle est transmise à son destinataire.")
        return redirect("factures_a_valider")
    if facture.statut != S.A_VALIDER_1:
        messages.error(request, f"La facture {facture.numero} n'est plus à valider.")
        return redirect("facture_a_valider", pk=facture.pk)
    return render(
        request,
        "facturation/valideur/valider.html",
        {"facture": facture, "breadcrumb_data": _fil(f"Valider la facture {facture.numero}")},
    )


@login_required
def refuser(request, pk):
    """« Refuser »: a motif from the coded list (required) and an optional comment, then confirmation."""
    facture = _facture_ou_404(request.user, pk)
    _exiger_decision(request.user, facture)
    form = forms.RefusValidationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.refuser_facture(
                acting_user=request.user,
                facture=facture,
                motif=form.cleaned_data["motif"],
                commentaire=form.cleaned_data["commentaire"],
            )
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        except TransitionInterdite as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"La facture {facture.numero} est refusée. Le fournisseur en est informé.")
            return redirect("factures_a_valider")
    elif request.method != "POST" and facture.statut != S.A_VALIDER_1:
        messages.error(request, f"La facture {facture.numero} n'est plus à valider.")
        return redirect("facture_a_valider", pk=facture.pk)
    return render(
        request,
        "facturation/valideur/refuser.html",
        {"facture": facture, "form": form, "breadcrumb_data": _fil(f"Refuser la facture {facture.numero}")},
    )


@login_required
def telecharger(request, pk):
    return documents.reponse_facture(_facture_ou_404(request.user, pk))


@login_required
def telecharger_piece_jointe(request, pk, piece_pk):
    return documents.reponse_piece_jointe(_facture_ou_404(request.user, pk), piece_pk)
