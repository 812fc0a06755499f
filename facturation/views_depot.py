"""« Déposer facture »: upload a PDF or an XML; the draft it pre-fills opens in the saisie form."""

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from dsfr.forms import DsfrBaseForm

from chorus.navigation import fil_ariane
from facturation import depot, queries, services
from facturation.enums import Cadre

SESSION_DEPOT = "facturation_depot"


class DepotForm(DsfrBaseForm):
    fichier = dj_forms.FileField(
        label="Fichier de la facture",
        help_text="PDF (signé ou non, Factur-X) ou XML (UBL 2.1, CII), 10 Mo au plus. Le format est détecté "
        "à partir du contenu du fichier.",
    )
    cadre = dj_forms.ChoiceField(label="Cadre de facturation", choices=Cadre.choices)
    fournisseur = dj_forms.ModelChoiceField(label="Structure émettrice", queryset=None, empty_label=None)

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fournisseur"].queryset = structures

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > depot.TAILLE_MAX:
            raise dj_forms.ValidationError("Le fichier dépasse la taille maximale de 10 Mo.")
        return fichier


@login_required
def deposer(request):
    structures = queries.structures_emettrices(request.user)
    if not structures.exists():
        raise PermissionDenied("Le dépôt exige le profil « Factures émises » en modification.")
    form = DepotForm(request.POST or None, request.FILES or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            preparation = services.preparer_depot(
                acting_user=request.user, fournisseur=form.cleaned_data["fournisseur"],
                cadre=form.cleaned_data["cadre"], contenu=fichier.read(), nom_fichier=fichier.name[-100:],
            )  # fmt: skip
        except services.DoublonDepot as exc:
            existante = queries.facture_emise(request.user, exc.facture.pk)
            if existante is not None:
                lien = reverse("facture_emise", args=[existante.pk])
                message = format_html(
                    '{} Voir la facture existante : <a href="{}">n° {}</a> ({}).',
                    exc.message, lien, existante.numero, existante.get_statut_display(),
                )  # fmt: skip
            else:
                message = exc.message
            form.add_error("fichier", message)
        except ValidationError as exc:
            form.add_error("fichier", exc)
        else:
            if "facture" in preparation:
                # A structured document accepted by its rules is a draft already, with the document's own amounts.
                messages.success(
                    request,
                    f"Fichier analysé : {preparation['analyse']['libelle_format']}, conforme aux règles de son profil. "
                    "Les données et les montants sont ceux du document ; complétez le cadre de facturation puis "
                    "« Valider et envoyer ».",
                )
                return redirect("modifier_brouillon", pk=preparation["facture"])
            request.session[SESSION_DEPOT] = preparation
            messages.info(
                request,
                f"Fichier analysé : {preparation['analyse']['libelle_format']}. Vérifiez les informations "
                "pré-remplies puis « Enregistrer » ou « Valider et envoyer ».",
            )
            return redirect(reverse("saisir_facture") + "?depot=1")
    return render(
        request,
        "facturation/deposer.html",
        {"form": form, "breadcrumb_data": fil_ariane(("Factures émises", reverse("factures_emises")),
                                                     courant="Déposer facture")},
    )  # fmt: skip
