"""« Factures émises »: Synthèse, Rechercher, Tableau de bord, Saisir facture, the récapitulatif, the suivi."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus.navigation import fil_ariane
from chorus.workflow import TransitionInterdite
from facturation import forms, montants, queries, services
from facturation.conversion import donnees_de
from facturation.enums import StatutFacture
from facturation.models import Facture
from organisation import queries as org_queries
from organisation.enums import Niveau

S = StatutFacture
ACCUEIL = ("Factures émises", "factures_emises")


def _fil(*liens, courant):
    return fil_ariane((ACCUEIL[0], reverse(ACCUEIL[1])), *liens, courant=courant)


def _facture_ou_404(user, pk, niveau=Niveau.CONSULTATION) -> Facture:
    facture = queries.facture_emise(user, pk, niveau)
    if facture is None:
        raise Http404("Facture introuvable.")
    return facture


@login_required
def synthese(request):
    """What needs my action: drafts, A recycler, Suspendue, unhandled Rejetée."""
    base = queries.factures_emises(request.user).select_related("destinataire").order_by("-updated_at", "-id")
    a_traiter = base.filter(
        Q(statut__in=[S.BROUILLON, S.A_RECYCLER, S.SUSPENDUE]) | Q(statut=S.REJETEE, rejet_traite=False)
    )[:200]
    return render(
        request,
        "facturation/synthese.html",
        {"factures": a_traiter, "breadcrumb_data": fil_ariane(courant="Factures émises")},
    )


@login_required
def tableau_de_bord(request):
    comptes = (
        queries.factures_emises(request.user).values("statut").annotate(nombre=Count("id")).order_by("statut")
    )  # one grouped query
    libelles = dict(S.choices)
    lignes = [{"statut": c["statut"], "libelle": libelles.get(c["statut"], c["statut"]), "nombre": c["nombre"]}
              for c in comptes]  # fmt: skip
    return render(
        request,
        "facturation/tableau_de_bord.html",
        {"lignes": lignes, "breadcrumb_data": _fil(courant="Tableau de bord")},
    )


def _filtrer(request, qs):
    g = request.GET
    if g.get("numero"):
        qs = qs.filter(numero__icontains=g["numero"].strip())
    if g.get("statut") in S.values:
        qs = qs.filter(statut=g["statut"])
    if g.get("destinataire"):
        qs = qs.filter(
            Q(destinataire__identifiant__startswith=g["destinataire"].strip())
            | Q(destinataire__raison_sociale__icontains=g["destinataire"].strip())
        )
    return qs


@login_required
def rechercher(request):
    qs = _filtrer(request, queries.factures_emises(request.user)).select_related("destinataire")
    apres = request.GET.get("apres", "")
    if apres.isdigit():
        qs = qs.filter(id__lt=int(apres))  # keyset on the primary key, newest first
    page = list(qs.order_by("-id")[:51])
    suivante = page[50].id + 1 if len(page) > 50 else None
    params = request.GET.copy()
    params.pop("apres", None)
    return render(
        request,
        "facturation/rechercher.html",
        {
            "factures": page[:50],
            "suivante": suivante,
            "params": params.urlencode(),
            "criteres": {k: request.GET.get(k, "") for k in ("numero", "destinataire", "statut")},
            "statuts": S.choices,
            "breadcrumb_data": _fil(courant="Rechercher"),
        },
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def exporter(request):
    writer = csv.writer(_Echo(), delimiter=";")
    qs = _filtrer(request, queries.factures_emises(request.user)).order_by("-id").values_list(
        "numero", "type_facture", "cadre", "statut", "date_facture", "date_depot", "destinataire__identifiant",
        "destinataire__raison_sociale", "montant_ht", "montant_tva", "montant_ttc",
    )  # fmt: skip

    def rows():
        yield "\ufeff" + writer.writerow(
            ["Numéro", "Type", "Cadre", "Statut", "Date de facture", "Date de dépôt", "SIRET destinataire",
             "Destinataire", "Montant HT", "Montant TVA", "Montant TTC"]
        )  # fmt: skip
        for row in qs.iterator():
            row = list(row)
            row[4] = row[4].strftime("%d/%m/%Y") if row[4] else ""
            row[5] = row[5].strftime("%d/%m/%Y %H:%M") if row[5] else ""
            row[8:11] = [str(v).replace(".", ",") for v in row[8:11]]
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="factures_emises.csv"'
    return response


def _initial(facture: Facture) -> dict:
    return {
        "destinataire_etat": "oui" if getattr(facture.destinataire, "identifiant", "") == forms.SIRET_ETAT else "non",
        "destinataire_siret": facture.destinataire.identifiant if facture.destinataire else "",
        "code_service": facture.service_destinataire.code if facture.service_destinataire else "",
        "fournisseur": facture.fournisseur_id, "coordonnees_bancaires": facture.coordonnees_bancaires_id,
        "cadre": facture.cadre, "valideur_siret": facture.valideur.identifiant if facture.valideur else "",
        "type_facture": facture.type_facture, "numero": facture.numero, "date_facture": facture.date_facture,
        "devise": facture.devise, "type_tva": facture.type_tva, "motif_exoneration": facture.motif_exoneration,
        "numero_marche": facture.numero_marche, "numero_engagement": facture.numero_engagement,
        "numero_facture_origine": facture.numero_facture_origine, "mode_paiement": facture.mode_paiement,
        "remise_globale_ttc": str(facture.remise_globale_ttc).replace(".", ","),
        "motif_remise_globale": facture.motif_remise_globale, "commentaire": facture.commentaire,
    }  # fmt: skip


def _erreurs(form, formset, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.error_dict.items():
            champ = forms.CHAMPS_FORMULAIRE.get(champ, champ)
            if champ == "lignes":
                formset._non_form_errors = formset.error_class([e.message for e in erreurs])  # noqa: SLF001
            else:
                form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc)


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
    initial = _initial(facture) if facture else {"fournisseur": structures.first().pk}
    lignes_initiales = [
        {"reference": lg.reference, "denomination": lg.denomination, "quantite": str(lg.quantite).replace(".", ","),
         "unite": lg.unite, "prix_unitaire_ht": str(lg.prix_unitaire_ht.normalize()).replace(".", ","),
         "remise_ht": str(lg.remise_ht).replace(".", ","), "taux_tva": str(lg.taux_tva.normalize())}
        for lg in facture.lignes.all()
    ] if facture else None  # fmt: skip
    action = request.POST.get("action", "enregistrer") if request.method == "POST" else None
    data = request.POST
    if action == "ajouter_ligne":
        # One more empty line; the typed data is kept as it is.
        data = request.POST.copy()
        total = data.get("lignes-TOTAL_FORMS", "1")
        data["lignes-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    form = forms.SaisieFactureForm(data or None, initial=initial, structures=structures)
    formset = forms.LigneFormSet(data or None, initial=lignes_initiales, prefix="lignes")
    calcul = None
    if action and action != "ajouter_ligne":
        if form.is_valid() and formset.is_valid():
            lignes = [f.ligne() for f in formset.forms if f.cleaned_data]
            try:
                calcul = montants.calculer(lignes, remise_globale_ttc=form.cleaned_data["remise_globale_ttc"] or 0)
                if action != "calculer":
                    facture = services.enregistrer(
                        acting_user=request.user, donnees=form.donnees(), lignes=lignes, facture=facture
                    )
                    if action == "valider":
                        erreurs = services.verifier_avant_envoi(facture)
                        if erreurs:
                            raise ValidationError(erreurs)
                        return redirect("confirmer_envoi", pk=facture.pk)
                    messages.success(request, "Le brouillon est enregistré.")
                    return redirect("modifier_brouillon", pk=facture.pk)
            except montants.MontantsInvalides as exc:
                formset._non_form_errors = formset.error_class([str(exc)])  # noqa: SLF001
            except ValidationError as exc:
                _erreurs(form, formset, exc)
    return render(
        request,
        "facturation/saisir.html",
        {
            "form": form, "formset": formset, "facture": facture, "calcul": calcul,
            "breadcrumb_data": _fil(courant="Saisir facture"),
        },
    )  # fmt: skip


@login_required
def confirmer_envoi(request, pk):
    """The confirmation step of « Valider et envoyer », listing the amounts."""
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    if facture.statut != S.BROUILLON:
        return redirect("facture_emise", pk=facture.pk)
    if request.method == "POST":
        from facturation.facturx import generer_pdf_facturx

        try:
            contenu = generer_pdf_facturx(donnees_de(facture))
            services.valider_et_envoyer(
                acting_user=request.user, facture=facture, contenu=contenu, nom_fichier=f"facture_{facture.numero}.pdf"
            )
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
    return render(
        request,
        "facturation/suivi.html",
        {
            "facture": facture,
            "historique": _historique(facture),
            "lignes": facture.lignes.all(),
            "recap": facture.recapitulatif_tva.all(),
            "peut_modifier": peut_modifier,
            "breadcrumb_data": _fil(courant=f"Facture {facture.numero or '(brouillon)'}"),
        },
    )


def _historique(facture):
    lignes = list(facture.historique.select_related("acting_user").order_by("-created_at", "-id"))
    for ligne in lignes:
        ligne.libelle = services.CIRCUIT.libelle(ligne.statut)
        if ligne.commentaire == "Rejet traité":
            ligne.libelle = "Rejet traité"
    return lignes


@login_required
def telecharger(request, pk):
    facture = _facture_ou_404(request.user, pk)
    if not facture.fichier:
        raise Http404("Aucun document n'est associé à cette facture.")
    return FileResponse(
        facture.fichier.open("rb"), content_type="application/pdf", filename=f"facture_{facture.numero}.pdf"
    )


@login_required
def certificat(request, pk):
    facture = _facture_ou_404(request.user, pk)
    if not facture.empreinte_certificat:
        raise Http404("Cette facture n'a pas encore été déposée.")
    from facturation.certificat import generer_certificat_pdf

    pdf = generer_certificat_pdf(
        numero=facture.numero, type_document=facture.get_type_facture_display(), date_depot=facture.date_depot,
        fournisseur=facture.fournisseur.raison_sociale, siret_fournisseur=facture.fournisseur.identifiant,
        destinataire=facture.destinataire.raison_sociale, siret_destinataire=facture.destinataire.identifiant,
        code_service=facture.service_destinataire.code if facture.service_destinataire else "",
        montant_ht=facture.montant_ht, montant_ttc=facture.montant_ttc, devise=facture.devise,
        empreinte=facture.empreinte_certificat, mode_depot=facture.get_mode_depot_display(),
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificat_depot_{facture.numero}.pdf"'
    return response


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
    try:
        services.completer(acting_user=request.user, facture=facture, commentaire=request.POST.get("commentaire", ""))
    except (ValidationError, TransitionInterdite) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, "La facture est complétée et renvoyée au destinataire.")
    return redirect("facture_emise", pk=facture.pk)


@login_required
def recycler(request, pk):
    facture = _facture_ou_404(request.user, pk, Niveau.MODIFICATION)
    erreurs = {}
    if request.method == "POST":
        from chorus.identifiers import normaliser

        siret = normaliser(request.POST.get("destinataire_siret", ""))
        destinataire = org_queries.annuaire().filter(identifiant=siret).first()
        code = request.POST.get("code_service", "").strip().upper()
        service = destinataire.services.filter(code=code).first() if destinataire and code else None
        if destinataire is None:
            erreurs["destinataire"] = "Aucune structure publique n'existe avec ce SIRET sur Chorus Pro."
        elif code and service is None:
            erreurs["service_destinataire"] = "Ce code service n'existe pas chez le destinataire."
        else:
            try:
                services.recycler(
                    acting_user=request.user, facture=facture, destinataire=destinataire,
                    service_destinataire=service, numero_engagement=request.POST.get("numero_engagement", ""),
                )  # fmt: skip
            except ValidationError as exc:
                erreurs = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {
                    "__all__": " ".join(exc.messages)}  # fmt: skip
            else:
                messages.success(request, f"La facture {facture.numero} est recyclée et renvoyée.")
                return redirect("facture_emise", pk=facture.pk)
    return render(
        request,
        "facturation/recycler.html",
        {"facture": facture, "erreurs": erreurs, "donnees": request.POST,
         "breadcrumb_data": _fil(courant=f"Recycler la facture {facture.numero}")},
    )  # fmt: skip
