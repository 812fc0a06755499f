"""« Factures reçues »: the public recipient's side — Synthèse (the « Factures à traiter »), Rechercher (filters,
keyset pagination, exports), Tableau de bord (counts by status), the invoice with its documents and history, and
« Traiter la facture » (the actions the transition table allows from the current status, service
``traiter_facture_recue``). Every page reaches the invoices through ``queries.factures_recues``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus.navigation import fil_ariane
from chorus.pages import fil_depuis, trouve_ou_404
from facturation import documents, exports, forms, queries, services, statuts
from facturation.enums import MOTIFS_DESTINATAIRE, STATUTS_A_TRAITER_DESTINATAIRE, StatutFacture
from facturation.statuts import ACTIONS_DESTINATAIRE, DESTINATAIRE, actions_destinataire
from facturation.views import cote
from organisation.enums import Application, Niveau

S = StatutFacture
ACCUEIL = ("Factures reçues", "factures_recues")
TAILLE_SYNTHESE = 50
# What the lists display (Chorus Pro's « Factures à traiter » columns), read as plain values: no model instance
# per row. ``updated_at`` is the date of the current status: a sent invoice changes only by its transitions.
COLONNES_LISTE = (
    "pk",
    "numero",
    "type_facture",
    "statut",
    "date_depot",
    "updated_at",
    "montant_a_payer",
    "devise",
    "numero_engagement",
    "fournisseur__raison_sociale",
    "fournisseur__identifiant",
    "destinataire__raison_sociale",
    "service_destinataire__code",
)


_fil = fil_depuis(ACCUEIL)


def _facture_ou_404(user, pk):
    return trouve_ou_404(queries.facture_recue(user, pk), "Facture introuvable.")


def _lignes(valeurs) -> list[dict]:
    """The rows of the lists; amounts and dates stay raw, for ``chorus_format``'s filters."""
    detail = reverse("facture_recue", args=[0])
    return [
        {
            "pk": v["pk"],
            "url": detail.replace("/0/", f"/{v['pk']}/", 1),
            "numero": v["numero"],
            "fournisseur": v["fournisseur__raison_sociale"],
            "siret": v["fournisseur__identifiant"],
            "destinataire": v["destinataire__raison_sociale"],
            "service": v["service_destinataire__code"] or "—",
            "date_depot": v["date_depot"],
            "date_statut": v["updated_at"],
            "statut": statuts.libelle(v["statut"]),
            "badge": statuts.badge(v["statut"], DESTINATAIRE),
            "net_a_payer": v["montant_a_payer"],
            "devise": v["devise"],
            "engagement": v["numero_engagement"] or "—",
            "avoir": v["type_facture"] == "AVOIR",
        }
        for v in valeurs
    ]


COTE = cote.Cote(
    "recues",
    Application.FACTURES_RECUES,
    "Factures reçues",
    "FACTURES_RECUES",
    "factures_recues",
    "rechercher_factures_recues",
    "exporter_factures_recues",
    queries.factures_recues,
    forms.RechercheFacturesRecuesForm,
    COLONNES_LISTE,
    _lignes,
    "facturation/recues/_table.html",
    exports.RECUES,
    marque_telechargees=True,
)


@login_required
def synthese(request):
    """« Factures à traiter »: what awaits the recipient (mise à disposition, complétée, prise en compte), the
    50 whose status changed last, narrowed by the filters; the full list is one click away in Rechercher
    (« À traiter »)."""
    return _page_synthese(request, _filtres(request))


def _filtres(request):
    """The Synthèse's filters, « Filtre Structure » among the user's structures holding « Factures reçues »."""
    return forms.FiltreFacturesATraiterForm(
        request.GET,
        auto_id="filtre_%s",
        structures=queries.structures_du_filtre(request.user, Application.FACTURES_RECUES),
    )


def _page_synthese(request, filtres, *, form_masse=None, cochees=frozenset()):
    """The Synthèse; after a refused « Traiter la sélection », with the posted action and the ticked invoices kept
    and the form's errors shown."""
    valeurs = (
        queries.filtrer(filtres.criteres(), queries.factures_recues(request.user))
        .filter(statut__in=STATUTS_A_TRAITER_DESTINATAIRE)
        .order_by("-updated_at", "-id")
        .values(*COLONNES_LISTE)[:TAILLE_SYNTHESE]
    )
    factures = _lignes(valeurs)
    for ligne in factures:
        ligne["cochee"] = ligne["pk"] in cochees
    en_masse = bool(factures) and queries.traite_des_factures_recues(request.user)
    return render(
        request,
        "facturation/recues/synthese.html",
        {
            "factures": factures,
            "filtres": filtres,
            "filtre_actif": bool(filtres.criteres()),
            "form_masse": (form_masse or forms.TraitementEnMasseForm()) if en_masse else None,
            "taille": TAILLE_SYNTHESE,
            "a_traiter": forms.RechercheFacturesRecuesForm.A_TRAITER,
            "breadcrumb_data": fil_ariane(courant=ACCUEIL[0]),
        },
        status=400 if form_masse is not None else 200,
    )


@login_required
def rechercher(request):
    contexte = cote.page_recherche(request, COTE, queries.factures_recues(request.user))
    return render(request, "facturation/recues/rechercher.html", {**contexte, "breadcrumb_data": _fil("Rechercher")})


@login_required
def exporter(request, format_export="csv"):
    return cote.exporter(request, COTE, format_export)


@login_required
def tableau_de_bord(request):
    """The count of invoices by status (read from the counters, flat in volume: BENCHMARKS.md), each linked to
    Rechercher filtered by that status."""
    comptes = queries.comptes_recues(request.user)
    lignes = [{"statut": s.value, "libelle": s.label, "nombre": comptes[s]} for s in S if comptes.get(s)]
    return render(
        request,
        "facturation/recues/tableau_de_bord.html",
        {
            "lignes": lignes,
            "a_traiter": sum(comptes.get(s, 0) for s in STATUTS_A_TRAITER_DESTINATAIRE),
            "code_a_traiter": forms.RechercheFacturesRecuesForm.A_TRAITER,
            "total": sum(comptes.values()),
            "breadcrumb_data": _fil("Tableau de bord"),
        },
    )


def _remontee(facture) -> bool:
    """Whether the invoice's recipient reports the « Mise en paiement » status (its structure's parameter)."""
    return not facture.destinataire.mise_en_paiement_non_remontee


@login_required
def detail(request, pk):
    """« Consulter la facture »: the supplier, the recipient and its service, the cadre and references, the
    lines, the VAT recap, the amounts, the documents, the history; the actions for a profile in modification."""
    facture = _facture_ou_404(request.user, pk)
    actions = (
        actions_destinataire(facture.statut, mise_en_paiement_remontee=_remontee(facture))
        if queries.peut_traiter(request.user, facture)
        else []
    )
    return render(
        request,
        "facturation/recues/detail.html",
        {
            "facture": facture,
            "actions": actions,
            "historique": queries.historique(facture),
            "lignes": facture.lignes.all(),
            "recap": facture.recapitulatif_tva.all(),
            "pieces": facture.pieces_jointes.all(),
            "url_facture": "telecharger_facture_recue",
            "url_piece": "telecharger_piece_jointe_recue",
            "breadcrumb_data": _fil(f"Facture {facture.numero}"),
        },
    )


@login_required
def traiter(request, pk, statut):
    """« Traiter la facture », one action: the motif of its coded list when it needs one and the « Compléments
    d'information », then « Enregistrer » (this page is the confirmation step). Consultation only: 403."""
    if statut not in ACTIONS_DESTINATAIRE:
        raise Http404("Action inconnue.")
    facture = _facture_ou_404(request.user, pk)
    if not queries.peut_traiter(request.user, facture):
        raise PermissionDenied("Votre profil « Factures reçues » est en consultation : il ne permet pas de traiter.")
    libelle = ACTIONS_DESTINATAIRE[statut]
    form = forms.TraitementFactureRecueForm(request.POST or None, statut=statut, initial={"statut_vu": facture.statut})
    if request.method == "POST" and form.is_valid():
        try:
            services.traiter_facture_recue(
                acting_user=request.user,
                facture=facture,
                statut=statut,
                motif=form.cleaned_data.get("motif", ""),
                commentaire=form.cleaned_data["commentaire"],
                statut_vu=form.cleaned_data["statut_vu"],
                numero_dp_mandat=form.cleaned_data.get("numero_dp_mandat", ""),
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the invoice moved on: its page shows what can be done now
                messages.error(request, " ".join(exc.messages))
                return redirect("facture_recue", pk=facture.pk)
            for champ, erreurs in exc.error_dict.items():
                form.add_error(champ if champ in form.fields else None, erreurs)
        else:
            messages.success(
                request,
                f"La facture {facture.numero} est au statut « {S(statut).label} ». Le fournisseur en est informé.",
            )
            return redirect("facture_recue", pk=facture.pk)
    elif request.method != "POST" and statut not in dict(
        actions_destinataire(facture.statut, mise_en_paiement_remontee=_remontee(facture))
    ):
        messages.error(
            request,
            f"L'action « {libelle} » n'est pas possible : la facture {facture.numero} est au statut "
            f"« {facture.get_statut_display()} ».",
        )
        return redirect("facture_recue", pk=facture.pk)
    return render(
        request,
        "facturation/recues/traiter.html",
        {
            "facture": facture,
            "form": form,
            "libelle_action": libelle,
            "nouvel_etat": S(statut).label,
            "avec_motif": statut in MOTIFS_DESTINATAIRE,
            "avec_numero_dp_mandat": "numero_dp_mandat" in form.fields,
            "breadcrumb_data": _fil(
                f"Traiter la facture {facture.numero}",
                (f"Facture {facture.numero}", reverse("facture_recue", args=[facture.pk])),
            ),
        },
    )


@login_required
@require_POST
def traiter_en_masse(request):
    """« Traiter la sélection » from Factures à traiter: a confirmation page listing the selected invoices (those
    of the user's perimeter in modification) with what the action will do to each, then each is processed on its
    own (``services.traiter_en_masse``): the others go on when one is refused, and each refusal is reported."""
    if not queries.traite_des_factures_recues(request.user):
        raise PermissionDenied("Votre profil « Factures reçues » est en consultation : il ne permet pas de traiter.")
    form = forms.TraitementEnMasseForm(request.POST)
    pks = [int(v) for v in request.POST.getlist("facture") if v.isdigit()][:TAILLE_SYNTHESE]
    valide = form.is_valid()
    if not pks:
        form.add_error(None, "Sélectionnez au moins une facture dans la liste.")
    if not valide or not pks:
        # The page again, with the chosen action and the ticked invoices kept (issue 14 item 10).
        return _page_synthese(
            request,
            _filtres(request),
            form_masse=form,
            cochees=frozenset(pks),
        )
    statut = form.cleaned_data["statut"]
    factures = list(
        queries.factures_recues(request.user, Niveau.MODIFICATION)
        .filter(pk__in=pks)
        .select_related("fournisseur", "destinataire", "service_destinataire")
        .order_by("-id")
    )
    if request.POST.get("confirmer"):
        traitees, refusees = services.traiter_en_masse(
            acting_user=request.user,
            statut=statut,
            factures=[(f, request.POST.get(f"vu-{f.pk}", "")) for f in factures],
        )
        if traitees:
            messages.success(
                request,
                f"{len(traitees)} facture(s) au statut « {S(statut).label} » : "
                f"{', '.join(f.numero for f in traitees)}. Les fournisseurs en sont informés.",
            )
        for _facture, raison in refusees:
            messages.error(request, raison)
        return redirect("factures_recues")
    possibles = {
        f.pk: statut in dict(actions_destinataire(f.statut, mise_en_paiement_remontee=_remontee(f))) for f in factures
    }
    return render(
        request,
        "facturation/recues/traiter_en_masse.html",
        {
            "factures": [{"facture": f, "possible": possibles[f.pk]} for f in factures],
            "statut": statut,
            "libelle_action": ACTIONS_DESTINATAIRE[statut],
            "nouvel_etat": S(statut).label,
            "aucune_possible": not any(possibles.values()),
            "breadcrumb_data": _fil("Traiter la sélection"),
        },
    )


@login_required
def telecharger(request, pk):
    facture = _facture_ou_404(request.user, pk)
    reponse = documents.reponse_facture(facture)
    services.marquer_telechargees(acting_user=request.user, factures=[facture])
    return reponse


@login_required
def telecharger_piece_jointe(request, pk, piece_pk):
    return documents.reponse_piece_jointe(_facture_ou_404(request.user, pk), piece_pk)
