"""« Factures émises »: Synthèse, Rechercher, Tableau de bord, Saisir facture, the récapitulatif, the suivi."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus.erreurs_formulaire import erreurs_sur_formulaire
from chorus.fichiers import telechargement
from chorus.identifiers import normaliser
from chorus.money import formater_montant
from chorus.navigation import fil_ariane
from chorus.pages import fil_depuis, trouve_ou_404
from chorus.workflow import TransitionInterdite
from facturation import documents, exports, forms, montants, queries, services, statuts
from facturation.certificat import generer_certificat_pdf
from facturation.enums import StatutFacture, TypeFacture
from facturation.models import Facture
from facturation.services import envoi
from facturation.views import cote, destinataires
from facturation.views.depot import SESSION_DEPOT, bandeau_analyse, oublier_depot, reprendre_depot
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from organisation.models import Service, Structure

S = StatutFacture
TAILLE_SYNTHESE = 50
# What waits for the supplier in the Synthèse (with the unhandled rejections); the partial index
# ``facture_synthese_idx`` (migration 0007) has exactly this condition, so keep them together.
STATUTS_ACTION_FOURNISSEUR = [S.BROUILLON, S.A_RECYCLER, S.SUSPENDUE, S.ERREUR_FOURNISSEUR_SUR_VALIDEUR]
# What the list tables display, read as plain values: no model instance per row (see BENCHMARKS.md).
COLONNES_LISTE = (
    "pk",
    "numero",
    "type_facture",
    "statut",
    "date_facture",
    "montant_ttc",
    "devise",
    "rejet_traite",
    "relance_brouillon_le",
    "destinataire__raison_sociale",
)
_TYPES = dict(TypeFacture.choices)
ACCUEIL = ("Factures émises", "factures_emises")


_fil = fil_depuis(ACCUEIL)


def _facture_ou_404(user, pk, niveau=Niveau.CONSULTATION) -> Facture:
    return trouve_ou_404(queries.facture_emise(user, pk, niveau), "Facture introuvable.")


def _lignes(valeurs) -> list[dict]:
    """The rows of the list tables (``_table.html``); amounts and dates stay raw, for ``chorus_format``'s filters."""
    suivi = reverse("facture_emise", args=[0])
    brouillon = reverse("modifier_brouillon", args=[0])
    lignes = []
    for v in valeurs:
        statut = v["statut"]
        mention = ""
        if statut == S.REJETEE and not v["rejet_traite"]:
            mention = " – rejet à traiter"
        elif statut == S.BROUILLON and v["relance_brouillon_le"]:
            mention = " – Brouillon non envoyé"
        url = brouillon if statut == S.BROUILLON else suivi
        lignes.append(
            {
                "pk": v["pk"],
                "url": url.replace("/0/", f"/{v['pk']}/", 1),
                "numero": v["numero"] or "(sans numéro)",
                "type": _TYPES.get(v["type_facture"], v["type_facture"]),
                "destinataire": v["destinataire__raison_sociale"] or "—",
                "date": v["date_facture"],
                "montant": v["montant_ttc"],
                "devise": v["devise"],
                "statut": statuts.libelle(statut) + mention,
                # A draft has no document yet: it cannot be ticked for « Télécharger la sélection ».
                "sans_document": statut == S.BROUILLON,
            }
        )
    return lignes


@login_required
def synthese(request):
    """What needs my action: drafts, À recycler, Suspendue, unhandled Rejetée; « Filtre Structure » narrows them
    to one of the user's structures."""
    filtres = forms.FiltreSyntheseEmisesForm(
        request.GET,
        auto_id="filtre_%s",
        structures=queries.structures_du_filtre(request.user, Application.FACTURES_EMISES),
    )
    base = queries.filtrer(filtres.criteres(), queries.factures_emises(request.user)).order_by("-updated_at", "-id")
    # The 50 most recent; the full lists are one click away in Rechercher (by status).
    a_traiter = _lignes(
        base.filter(Q(statut__in=STATUTS_ACTION_FOURNISSEUR) | Q(statut=S.REJETEE, rejet_traite=False)).values(
            *COLONNES_LISTE
        )[:TAILLE_SYNTHESE]
    )
    return render(
        request,
        "facturation/synthese.html",
        {"factures": a_traiter, "filtres": filtres, "breadcrumb_data": fil_ariane(courant="Factures émises")},
    )


@login_required
def tableau_de_bord(request):
    """The count of the user's invoices by status, read from the counters (flat in volume: BENCHMARKS.md)."""
    libelles = dict(S.choices)
    lignes = [
        {"statut": statut, "libelle": libelles.get(statut, statut), "nombre": nombre}
        for statut, nombre in queries.comptes_emises(request.user).items()
    ]
    return render(
        request,
        "facturation/tableau_de_bord.html",
        {"lignes": lignes, "breadcrumb_data": _fil(courant="Tableau de bord")},
    )


COTE = cote.Cote(
    "emises",
    Application.FACTURES_EMISES,
    "Factures émises",
    "FACTURES_EMISES",
    "factures_emises",
    "rechercher_factures",
    "exporter_factures",
    queries.factures_emises,
    forms.RechercheFacturesForm,
    COLONNES_LISTE,
    _lignes,
    "facturation/_table.html",
    exports.EMISES,
    marque_telechargees=False,
)


@login_required
def rechercher(request):
    contexte = cote.page_recherche(request, COTE, queries.factures_emises(request.user))
    return render(
        request, "facturation/emises/rechercher.html", {**contexte, "breadcrumb_data": _fil(courant="Rechercher")}
    )


@login_required
def exporter(request, format_export="csv"):
    """CSV (streamed) or XLSX (write-only workbook built in memory, at most 100 000 rows) of the search results."""
    return cote.exporter(request, COTE, format_export)


def _initial(facture: Facture) -> dict:
    return {
        "destinataire_etat": "oui" if getattr(facture.destinataire, "identifiant", "") == forms.SIRET_ETAT else "non",
        "destinataire_siret": facture.destinataire.identifiant if facture.destinataire else "",
        "code_service": facture.service_destinataire.code if facture.service_destinataire else "",
        "fournisseur": facture.fournisseur_id,
        "service_fournisseur": facture.service_fournisseur_id,
        "coordonnees_bancaires": facture.coordonnees_bancaires_id,
        "cadre": facture.cadre,
        "valideur_siret": facture.valideur.identifiant if facture.valideur else "",
        "type_facture": facture.type_facture,
        "numero": facture.numero,
        "date_facture": facture.date_facture,
        "devise": facture.devise,
        "type_tva": facture.type_tva,
        "motif_exoneration": facture.motif_exoneration,
        "numero_marche": facture.numero_marche,
        "numero_engagement": facture.numero_engagement,
        "numero_facture_origine": facture.numero_facture_origine,
        "mode_paiement": facture.mode_paiement,
        "remise_globale_ttc": str(facture.remise_globale_ttc).replace(".", ","),
        "motif_remise_globale": facture.motif_remise_globale,
        "commentaire": facture.commentaire,
    }


def _decimal_texte(valeur: Decimal) -> str:
    """``20.00`` → ``20``, ``5.50`` → ``5.5``: without trailing zeros and never in exponent notation."""
    return format(valeur.normalize(), "f")


def _initial_depot(preparation: dict) -> tuple[dict, list[dict]]:
    v = preparation["valeurs"]
    destinataire = Structure.objects.filter(pk=v.get("destinataire")).first() if v.get("destinataire") else None
    service = (
        Service.objects.filter(pk=v.get("service_destinataire")).first() if v.get("service_destinataire") else None
    )
    initial = {
        "destinataire_etat": "oui" if getattr(destinataire, "identifiant", "") == forms.SIRET_ETAT else "non",
        "destinataire_siret": destinataire.identifiant if destinataire else "",
        "code_service": service.code if service else "",
        "fournisseur": v.get("fournisseur"),
        "service_fournisseur": v.get("service_fournisseur"),
        "coordonnees_bancaires": v.get("coordonnees_bancaires"),
        "cadre": preparation["cadre"],
        "type_facture": v.get("type_facture"),
        "numero": v.get("numero") or "",
        "date_facture": v.get("date_facture"),
        "devise": v.get("devise") or "EUR",
        "type_tva": v.get("type_tva"),
        "motif_exoneration": v.get("motif_exoneration"),
        "numero_marche": v.get("numero_marche"),
        "numero_engagement": v.get("numero_engagement"),
        "numero_facture_origine": v.get("numero_facture_origine"),
        "mode_paiement": v.get("mode_paiement"),
        "remise_globale_ttc": (v.get("remise_globale_ttc") or "").replace(".", ","),
        "commentaire": v.get("commentaire"),
    }
    lignes = [
        {
            **ligne,
            **{k: ligne[k].replace(".", ",") for k in ("quantite", "prix_unitaire_ht", "remise_ht")},
            "taux_tva": _decimal_texte(Decimal(ligne["taux_tva"])),
        }
        for ligne in preparation["lignes"]
    ]
    return initial, lignes


def _erreurs(form, formset, exc: ValidationError):
    """The service's errors on the saisie: those of the lines above the lines' table, the others on the form."""
    if hasattr(exc, "error_dict") and "lignes" in exc.error_dict:
        erreurs = exc.error_dict.pop("lignes")
        formset._non_form_errors = formset.error_class([e.message for e in erreurs])  # noqa: SLF001
    erreurs_sur_formulaire(form, exc, forms.CHAMPS_FORMULAIRE)


@dataclass
class _Saisie:
    """The saisie page being worked on: the draft (None before its first save), its form and lines, the deposit
    being completed, and what the steps add (the computed amounts, the standard's errors)."""

    facture: Facture | None
    form: forms.SaisieFactureForm
    formset: forms.LigneFormSet
    analyse: dict
    preparation: dict | None
    depot_en_cours: object
    calcul: montants.Calcul | None = None
    erreurs_norme: list = field(default_factory=list)
    recherche: dict | None = None


# The steps of the recipient's search: they re-render the form with what was typed, save nothing, and show no
# error yet (the user has not asked to save or send).
_ACTIONS_DESTINATAIRE = {"rechercher_destinataire", "choisir_destinataire", "choisir_service"}


def _sans_erreurs(saisie: _Saisie) -> None:
    """The bound form and lines shown as typed, without the errors a validation would list."""
    saisie.form._errors = ErrorDict()  # noqa: SLF001
    for ligne in saisie.formset.forms:
        ligne._errors = ErrorDict()  # noqa: SLF001
    saisie.formset._non_form_errors = saisie.formset.error_class()  # noqa: SLF001


def _choisir_destinataire(data):
    """A structure chosen among the results: its SIRET fills the recipient (the State's through « Le destinataire
    est-il l'État ? »); a code service typed for another recipient no longer applies."""
    data = data.copy()
    siret = normaliser(data.get("choisir_destinataire"))
    if destinataires.siret_choisi(data.get("destinataire_etat"), data.get("destinataire_siret")) != siret:
        data["code_service"] = ""
    etat = siret == forms.SIRET_ETAT
    data["destinataire_etat"] = "oui" if etat else "non"
    data["destinataire_siret"] = "" if etat else siret
    return data


def _choisir_service(data):
    """A service chosen in the recipient's list fills the code service."""
    data = data.copy()
    data["code_service"] = data.get("choisir_service", "")
    return data


_DONNEES_ACTION = {
    "ajouter_ligne": lambda data: _ajouter_ligne(data),
    "choisir_destinataire": _choisir_destinataire,
    "choisir_service": _choisir_service,
}


def _lignes_initiales(facture: Facture) -> list[dict]:
    """The draft's lines as the formset's initial data, numbers written the French way."""
    return [
        {
            "reference": lg.reference,
            "denomination": lg.denomination,
            "quantite": _decimal_texte(lg.quantite).replace(".", ","),
            "unite": lg.unite,
            "prix_unitaire_ht": _decimal_texte(lg.prix_unitaire_ht).replace(".", ","),
            "remise_ht": str(lg.remise_ht).replace(".", ","),
            "taux_tva": _decimal_texte(lg.taux_tva),
        }
        for lg in facture.lignes.all()
    ]


def _ajouter_ligne(data):
    """« Ajouter une ligne »: the posted data with one more empty line; the typed data is kept as it is."""
    data = data.copy()
    total = data.get("lignes-TOTAL_FORMS", "1")
    data["lignes-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    return data


def _formulaire_de_saisie(request, facture: Facture | None, structures, action: str | None) -> _Saisie:
    """The form and the lines formset, bound to the posted data or filled from the draft, or from the analysed
    file of a deposit being completed (until the user saves it)."""
    if facture is None and request.method == "GET":
        reprendre_depot(request, request.GET.get("depot", ""))
    preparation = request.session.get(SESSION_DEPOT) if facture is None else None
    depot_en_cours = preparation is not None and (request.GET.get("depot") or request.POST.get("depot"))
    if depot_en_cours:
        initial, lignes_initiales = _initial_depot(preparation)
    elif facture:
        initial, lignes_initiales = _initial(facture), _lignes_initiales(facture)
    else:
        initial, lignes_initiales = {"fournisseur": structures.first().pk}, None
    data = _DONNEES_ACTION[action](request.POST) if action in _DONNEES_ACTION else request.POST
    analyse = facture.analyse_depot if facture else (preparation["analyse"] if depot_en_cours else {})
    form = forms.SaisieFactureForm(
        data or None,
        initial=initial,
        structures=structures,
        user=request.user,
        a_verifier=(analyse or {}).get("champs_a_verifier", ()),
    )
    # Bound, the formset compares nothing to an initial: every posted line counts, changed or not.
    formset = forms.LigneFormSet(data or None, initial=None if data else lignes_initiales, prefix="lignes")
    return _Saisie(facture, form, formset, analyse, preparation, depot_en_cours)


def _calculer(request, saisie: _Saisie, lignes) -> None:
    """« Calculer »: the amounts are computed already; the page shows them."""
    return None


def _sauvegarder(request, saisie: _Saisie, lignes) -> None:
    """Save the draft, and attach to it the deposit being completed (which then leaves the session)."""
    saisie.facture = services.enregistrer(
        acting_user=request.user, donnees=saisie.form.donnees(), lignes=lignes, facture=saisie.facture
    )
    if saisie.depot_en_cours:
        envoi.rattacher_depot(facture=saisie.facture, preparation=saisie.preparation)
        del request.session[SESSION_DEPOT]
        oublier_depot(request, saisie.preparation)
        saisie.depot_en_cours = False


def _enregistrer(request, saisie: _Saisie, lignes):
    """« Enregistrer »: save the draft and come back to it."""
    _sauvegarder(request, saisie, lignes)
    messages.success(request, "Le brouillon est enregistré.")
    return redirect("modifier_brouillon", pk=saisie.facture.pk)


def _valider(request, saisie: _Saisie, lignes):
    """« Valider »: save the draft, check it, then confirm the sending; else the page shows what the standard
    refuses, field by field."""
    _sauvegarder(request, saisie, lignes)
    erreurs = services.verifier_avant_envoi(saisie.facture)
    if erreurs:
        raise ValidationError(erreurs)
    erreurs_en16931 = envoi.erreurs_norme(saisie.facture)
    if not erreurs_en16931:
        return redirect("confirmer_envoi", pk=saisie.facture.pk)
    saisie.erreurs_norme = erreurs_en16931
    return None


# The step of each posted action; « ajouter_ligne » only adds a line to the posted data (``_ajouter_ligne``), and
# any other action saves the draft.
_ETAPES = {"calculer": _calculer, "enregistrer": _enregistrer, "valider": _valider}


def _executer(request, saisie: _Saisie, etape):
    """Validate the form and the lines, compute the amounts, then run the action's step: its response, or None
    to show the page again (with the errors, set on the form and the formset)."""
    if not (saisie.form.is_valid() and saisie.formset.is_valid()):
        return None
    lignes = [f.ligne() for f in saisie.formset.forms if f.cleaned_data]
    try:
        saisie.calcul = montants.calculer(
            lignes, remise_globale_ttc=saisie.form.cleaned_data["remise_globale_ttc"] or 0
        )
        return etape(request, saisie, lignes)
    except montants.MontantsInvalides as exc:
        saisie.formset._non_form_errors = saisie.formset.error_class([str(exc)])  # noqa: SLF001
    except ValidationError as exc:
        _erreurs(saisie.form, saisie.formset, exc)
    return None


def _page_de_saisie(request, saisie: _Saisie):
    """The « Saisir facture » page."""
    form = saisie.form
    siret = destinataires.siret_choisi(form["destinataire_etat"].value(), form["destinataire_siret"].value())
    return render(
        request,
        "facturation/saisir.html",
        {
            "form": saisie.form,
            "formset": saisie.formset,
            "facture": saisie.facture,
            "calcul": saisie.calcul,
            "erreurs_norme": saisie.erreurs_norme,
            "form_piece_jointe": forms.PieceJointeForm(),
            "analyse": bandeau_analyse(saisie.analyse),
            "depot_en_cours": saisie.depot_en_cours,
            "recherche": saisie.recherche,
            "siret_etat": forms.SIRET_ETAT,
            **destinataires.contexte_destinataire(siret),
            "breadcrumb_data": _fil(courant="Saisir facture"),
        },
    )


@login_required
def saisir(request, pk=None):
    structures = queries.structures_emettrices(request.user)
    if not structures.exists():
        raise PermissionDenied("La saisie exige le profil « Factures émises » en modification.")
    facture = None
    if pk is not None:
        facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
        if facture.statut != S.BROUILLON:
            return redirect("facture_emise", pk=facture.pk)
        if envoi.est_document_structure(facture):
            return _brouillon_depose(request, facture)
    action = request.POST.get("action", "enregistrer") if request.method == "POST" else None
    if action is not None:
        # The buttons of the recipient's search carry their value (a SIRET, a code service) in their own name.
        action = next((nom for nom in ("choisir_destinataire", "choisir_service") if nom in request.POST), action)
    saisie = _formulaire_de_saisie(request, facture, structures, action)
    if action in _ACTIONS_DESTINATAIRE:
        _sans_erreurs(saisie)
        if action == "rechercher_destinataire":
            saisie.recherche = destinataires.rechercher(request.user, request.POST.get("recherche_destinataire", ""))
    elif action and action != "ajouter_ligne":
        reponse = _executer(request, saisie, _ETAPES.get(action, _enregistrer))
        if reponse is not None:
            return reponse
    return _page_de_saisie(request, saisie)


def _brouillon_depose(request, facture: Facture):
    """A draft made of a structured document: its data and amounts are shown as the document writes them; only
    the cadre, the valideur and the bank details are chosen here."""
    form = forms.ComplementDepotForm(
        request.POST or None,
        fournisseur=facture.fournisseur,
        initial={
            "cadre": facture.cadre,
            "valideur_siret": getattr(facture.valideur, "identifiant", ""),
            "coordonnees_bancaires": facture.coordonnees_bancaires_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            facture = services.completer_brouillon_depose(
                acting_user=request.user,
                facture=facture,
                cadre=form.cleaned_data["cadre"],
                valideur=form.cleaned_data.get("valideur"),
                coordonnees_bancaires=form.cleaned_data["coordonnees_bancaires"],
            )
            if request.POST.get("action") == "valider":
                erreurs = services.verifier_avant_envoi(facture)
                if erreurs:
                    raise ValidationError(erreurs)
                return redirect("confirmer_envoi", pk=facture.pk)
            messages.success(request, "Le brouillon est enregistré.")
            return redirect("modifier_brouillon", pk=facture.pk)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc, forms.CHAMPS_FORMULAIRE)
    return render(
        request,
        "facturation/brouillon_depose.html",
        {
            "form": form,
            "facture": facture,
            "lignes": facture.lignes.all(),
            "recap": facture.recapitulatif_tva.all(),
            "ajustements": facture.ajustements.all(),
            "analyse": bandeau_analyse(facture.analyse_depot),
            "pieces": facture.pieces_jointes.all(),
            "form_piece_jointe": forms.PieceJointeForm(),
            "breadcrumb_data": _fil(courant=f"Brouillon de la facture {facture.numero}"),
        },
    )


@login_required
@require_POST
def calculer(request):
    """The amounts of the saisie form, computed on the server (Decimal), for the live recap of the page."""
    formset = forms.LigneFormSet(request.POST, prefix="lignes")
    remise = forms.MontantField(required=False)
    try:
        remise_ttc = remise.clean(request.POST.get("remise_globale_ttc", "")) or 0
    except ValidationError as exc:
        return JsonResponse({"ok": False, "erreurs": exc.messages})
    if not formset.is_valid():
        erreurs = [
            f"Ligne {i}: {m}" for i, f in enumerate(formset.forms, start=1) for ms in f.errors.values() for m in ms
        ]
        return JsonResponse({"ok": False, "erreurs": erreurs or list(formset.non_form_errors())})
    try:
        calcul = montants.calculer([f.ligne() for f in formset.forms if f.cleaned_data], remise_globale_ttc=remise_ttc)
    except montants.MontantsInvalides as exc:
        return JsonResponse({"ok": False, "erreurs": [str(exc)]})
    return JsonResponse(
        {
            "ok": True,
            "lignes": [
                {"montant_ht": formater_montant(lg.montant_ht), "montant_ttc": formater_montant(lg.montant_ttc)}
                for lg in calcul.lignes
            ],
            "tva": [
                {
                    "taux": _decimal_texte(t.taux).replace(".", ","),
                    "base_ht": formater_montant(t.base_ht),
                    "montant_tva": formater_montant(t.montant_tva),
                }
                for t in calcul.tva
            ],
            **{
                nom: formater_montant(getattr(calcul, nom))
                for nom in (
                    "total_ht",
                    "total_tva",
                    "total_ttc_avant_remise",
                    "remise_globale_ttc_effective",
                    "total_ttc",
                    "net_a_payer",
                )
            },
        }
    )


@login_required
def confirmer_envoi(request, pk):
    """The confirmation step of « Valider et envoyer », listing the amounts."""
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    if facture.statut != S.BROUILLON:
        return redirect("facture_emise", pk=facture.pk)
    if request.method == "POST":
        try:
            envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=request.user, facture=facture)
        except TransitionInterdite as exc:  # sent meanwhile by a parallel request (double click, another tab)
            messages.info(request, exc.message)
            return redirect("recapitulatif", pk=facture.pk)
        except services.DoublonDepot as exc:
            messages.error(request, f"{exc.message} Facture existante : n° {exc.facture.numero}.")
            return redirect("modifier_brouillon", pk=facture.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("modifier_brouillon", pk=facture.pk)
        return redirect("recapitulatif", pk=facture.pk)
    return render(
        request,
        "facturation/confirmer_envoi.html",
        {"facture": facture, "breadcrumb_data": _fil(courant="Confirmer l'envoi")},
    )


@login_required
def recapitulatif(request, pk):
    facture = _facture_ou_404(request.user, pk)
    if facture.statut == S.BROUILLON:
        return redirect("modifier_brouillon", pk=facture.pk)
    return render(
        request,
        "facturation/recapitulatif.html",
        {"facture": facture, "breadcrumb_data": _fil(courant=f"Récapitulatif de la facture {facture.numero}")},
    )


@login_required
def suivi(request, pk):
    facture = _facture_ou_404(request.user, pk)
    peut_modifier = queries.facture_emise(request.user, pk, Niveau.MODIFICATION) is not None
    actions = statuts.actions_fournisseur(facture.statut, rejet_traite=facture.rejet_traite) if peut_modifier else []
    historique = queries.historique(facture)
    return render(
        request,
        "facturation/suivi.html",
        {
            "facture": facture,
            "historique": historique,
            "raison_statut": _raison_statut(facture, historique),
            "poser_une_question": _poser_une_question(request.user, facture),
            "lignes": facture.lignes.all(),
            "recap": facture.recapitulatif_tva.all(),
            # The certificates its recyclings replaced (towards another recipient), kept for the supplier's records.
            "certificats_remplaces": facture.certificats_remplaces.select_related("destinataire"),
            "actions": actions,
            # Attachments complete a suspended invoice.
            "piece_ajoutable": statuts.COMPLETER in actions,
            "form_piece_jointe": forms.PieceJointeForm(),
            "form_complement": forms.ComplementFactureForm(),
            "breadcrumb_data": _fil(courant=f"Facture {facture.numero or '(brouillon)'}"),
        },
    )


# Why the invoice waits for the supplier, stated at the top of its page (issue 14 item 13).
TITRES_RAISON = {
    StatutFacture.SUSPENDUE: "Motif de la suspension",
    StatutFacture.REJETEE: "Motif du rejet",
    StatutFacture.A_RECYCLER: "Motif de la mise à recycler",
    StatutFacture.REFUSEE_1: "Motif du refus du valideur",
}
# The sous-catégorie of « Poser une question » (seed 002 « Factures émises »), by the invoice's status.
SOUS_CATEGORIE_QUESTION = {StatutFacture.REJETEE: "REJET", StatutFacture.SUSPENDUE: "SUIVI_TRAITEMENT"}


def _raison_statut(facture, historique) -> dict | None:
    """The motif and comment of the entry that put the invoice in its current waiting status, if any."""
    titre = TITRES_RAISON.get(facture.statut)
    entree = next((h for h in historique if h.statut == facture.statut), None)
    if titre is None or entree is None or not (entree.motif or entree.commentaire):
        return None
    return {"titre": titre, "motif": entree.motif, "commentaire": entree.commentaire}


def _poser_une_question(user, facture) -> str:
    """« Poser une question »: « Saisir une sollicitation » pre-filled with the invoice (its recipient, service,
    number and emitting structure), for a user who may send sollicitations; "" otherwise."""
    if not facture.numero or facture.destinataire is None:
        return ""
    structures = org_queries.structures_de(user, Application.SOLLICITATIONS_EMISES, Niveau.MODIFICATION)
    if not structures.filter(pk=facture.fournisseur_id).exists():
        return ""
    parametres = {
        "structure_emettrice": facture.fournisseur_id,
        "sous_categorie": SOUS_CATEGORIE_QUESTION.get(facture.statut, "QUESTION_ENTITE_PUBLIQUE"),
        "siret_destinataire": facture.destinataire.identifiant,
        "service_destinataire": facture.service_destinataire.code if facture.service_destinataire else "",
        "numero_facture": facture.numero,
        "objet": f"Facture {facture.numero}",
    }
    return reverse("saisir_sollicitation") + "?" + urlencode(parametres)


@login_required
def telecharger(request, pk):
    return documents.reponse_facture(_facture_ou_404(request.user, pk))


@login_required
def certificat(request, pk):
    facture = _facture_ou_404(request.user, pk)
    if not facture.empreinte_certificat:
        raise Http404("Cette facture n'a pas encore été déposée.")

    pdf = generer_certificat_pdf(
        numero=facture.numero,
        type_document=facture.get_type_facture_display(),
        date_depot=facture.date_depot,
        fournisseur=facture.fournisseur.raison_sociale,
        siret_fournisseur=facture.fournisseur.identifiant,
        destinataire=facture.destinataire.raison_sociale,
        siret_destinataire=facture.destinataire.identifiant,
        code_service=facture.service_destinataire.code if facture.service_destinataire else "",
        montant_ht=facture.montant_ht,
        montant_ttc=facture.montant_ttc,
        devise=facture.devise,
        empreinte=facture.empreinte_certificat,
        mode_depot=facture.get_mode_depot_display(),
    )
    return telechargement(pdf, nom=f"certificat_depot_{facture.numero}.pdf", content_type="application/pdf")


@login_required
@require_POST
def ajouter_piece_jointe(request, pk):
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    form = forms.PieceJointeForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError([e for erreurs in form.errors.values() for e in erreurs])
        fichier = form.cleaned_data["fichier"]
        services.ajouter_piece_jointe(
            acting_user=request.user,
            facture=facture,
            type_piece=form.cleaned_data["type_piece"],
            designation=form.cleaned_data["designation"],
            nom=fichier.name,
            contenu=fichier.read(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "La pièce jointe est ajoutée.")
    return redirect("modifier_brouillon" if facture.statut == S.BROUILLON else "facture_emise", pk=facture.pk)


@login_required
def telecharger_piece_jointe(request, pk, piece_pk):
    return documents.reponse_piece_jointe(_facture_ou_404(request.user, pk), piece_pk)


@login_required
@require_POST
def traiter_rejet(request, pk):
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    try:
        services.traiter_rejet(acting_user=request.user, facture=facture)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Le rejet de la facture {facture.numero} est traité.")
    return redirect("facture_emise", pk=facture.pk)


@login_required
@require_POST
def completer(request, pk):
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    form = forms.ComplementFactureForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["commentaire"])
        services.completer(acting_user=request.user, facture=facture, commentaire=form.cleaned_data["commentaire"])
    except (ValidationError, TransitionInterdite) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, "La facture est complétée et renvoyée au destinataire.")
    return redirect("facture_emise", pk=facture.pk)


@login_required
def recycler(request, pk):
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    initial = {
        "destinataire_siret": facture.destinataire.identifiant,
        "code_service": getattr(facture.service_destinataire, "code", ""),
        "numero_engagement": facture.numero_engagement,
    }
    form = forms.RecyclageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recycler(acting_user=request.user, facture=facture, **form.acheminement())
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc, forms.RecyclageForm.CHAMPS)
        else:
            messages.success(request, f"La facture {facture.numero} est recyclée et renvoyée.")
            return redirect("facture_emise", pk=facture.pk)
    return render(
        request,
        "facturation/recycler.html",
        {"facture": facture, "form": form, "breadcrumb_data": _fil(courant=f"Recycler la facture {facture.numero}")},
    )


@login_required
def corriger_valideur(request, pk):
    """« Corriger le valideur » after « Erreur fournisseur sur valideur »: the SIRET of the right titulaire or
    mandataire; the invoice is « À valider » again for it."""
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    form = forms.CorrectionValideurForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.corriger_valideur(acting_user=request.user, facture=facture, siret=form.cleaned_data["siret"])
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc, {"valideur_siret": "siret"})
        else:
            messages.success(
                request,
                f"La facture {facture.numero} est transmise à {facture.valideur.raison_sociale} pour validation.",
            )
            return redirect("facture_emise", pk=facture.pk)
    return render(
        request,
        "facturation/corriger_valideur.html",
        {
            "facture": facture,
            "form": form,
            "breadcrumb_data": _fil(courant=f"Corriger le valideur de la facture {facture.numero}"),
        },
    )
