"""« Déposer facture »: upload a PDF or an XML; the draft it pre-fills opens in the saisie form."""

import logging
import re

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from dsfr.forms import DsfrBaseForm

from chorus.navigation import fil_ariane
from facturation import depot, forms, queries, services
from facturation.enums import CHOIX_CADRES_FACTURE
from facturation.services import envoi

logger = logging.getLogger(__name__)

SESSION_DEPOT = "facturation_depot"

# The keys of ``DonneesFacture.champs_a_verifier`` (set by facturation.pdf, facturation.lecture_xml and
# facturation.depot) as the deposit banner names them: the user never sees an internal key.
LIBELLES_CHAMPS = {  # in the order of the form
    "destinataire.siret": "SIRET du destinataire",
    "destinataire.code_service": "Code service du destinataire",
    "destinataire.code_pays": "Pays du destinataire",
    "fournisseur.siret": "SIRET du fournisseur",
    "fournisseur.code_pays": "Pays du fournisseur",
    "type_document": "Type de facture",
    "numero": "Numéro de facture",
    "date_emission": "Date de facture",
    "date_echeance": "Date d'échéance",
    "numero_marche": "Numéro de marché",
    "numero_engagement": "Numéro d'engagement",
    "lignes": "Lignes de poste",
    "tva": "Taux de TVA",
    "totaux.total_ht": "Total HT",
    "totaux.total_tva": "Total TVA",
    "totaux.total_ttc": "Total TTC",
    "totaux.net_a_payer": "Net à payer",
}
LIBELLES_CHAMPS_LIGNE = {
    "prix_unitaire_ht": "Prix unitaire HT",
    "remise_ht": "Remise HT",
    "quantite": "Quantité",
    "taux_tva": "Taux de TVA",
    "denomination": "Dénomination",
}
_RE_CHAMP_LIGNE = re.compile(r"lignes\[(?P<index>\d+)\]\.(?P<champ>\w+)")
# What a key missing from the mappings above shows: never the key itself.
LIBELLE_CHAMP_INCONNU = "Autres informations lues dans le fichier"


def libelle_champ(cle: str) -> str:
    """The French name of a ``champs_a_verifier`` key: « SIRET du destinataire », « Prix unitaire HT de la ligne 1 »."""
    if cle in LIBELLES_CHAMPS:
        return LIBELLES_CHAMPS[cle]
    trouve = _RE_CHAMP_LIGNE.fullmatch(cle)
    if trouve and trouve.group("champ") in LIBELLES_CHAMPS_LIGNE:
        return f"{LIBELLES_CHAMPS_LIGNE[trouve.group('champ')]} de la ligne {int(trouve.group('index')) + 1}"
    logger.warning("Champ à vérifier sans libellé : %s", cle)
    return LIBELLE_CHAMP_INCONNU


def libelles_a_verifier(cles) -> list[str]:
    """The banner's list: French names in the form's order (lines by number), each once."""
    libelles = []
    for cle in sorted(cles, key=_ordre_champ):
        libelle = libelle_champ(cle)
        if libelle not in libelles:
            libelles.append(libelle)
    return libelles


def _ordre_champ(cle: str) -> tuple:
    ordre = list(LIBELLES_CHAMPS)
    trouve = _RE_CHAMP_LIGNE.fullmatch(cle)
    if trouve:
        return (ordre.index("lignes"), int(trouve.group("index")), trouve.group("champ"))
    return (ordre.index(cle) if cle in ordre else len(ordre), 0, cle)


def libelle_format(analyse: dict) -> str:
    """The deposited file's format in words; an internal code (``PDF_NON_SIGNE``...) is never shown, even for a
    format this page does not know yet or a draft analysed by an older version."""
    code = (analyse or {}).get("format") or ""
    if code in depot.LIBELLES_FORMAT:
        return depot.LIBELLES_FORMAT[code]
    libelle = (analyse or {}).get("libelle_format") or ""
    if libelle and libelle != code and not re.fullmatch(r"[A-Z0-9_]+", libelle):
        return libelle
    if code.startswith(("PDF", "FACTURX")):
        return "PDF"
    if code.startswith(("UBL", "CII", "XML")):
        return "XML"
    return "format non reconnu"


def bandeau_analyse(analyse: dict | None) -> dict:
    """What the banner of the pre-filled form shows of a deposit analysis (``Analyse.resume()``), in French."""
    if not analyse:
        return {}
    return {
        **analyse,
        "libelle_format": libelle_format(analyse),
        "libelles_a_verifier": libelles_a_verifier(analyse.get("champs_a_verifier") or ()),
    }


class DepotForm(DsfrBaseForm):
    fichier = dj_forms.FileField(
        label="Fichier de la facture",
        help_text="PDF (signé ou non, Factur-X) ou XML (UBL 2.1, CII), 10 Mo au plus. Le format est détecté "
        "à partir du contenu du fichier.",
    )
    cadre = dj_forms.ChoiceField(label="Cadre de facturation", choices=CHOIX_CADRES_FACTURE)
    fournisseur = dj_forms.ModelChoiceField(label="Structure émettrice", queryset=None, empty_label=None)
    service_fournisseur = dj_forms.ModelChoiceField(
        label="Service du fournisseur", queryset=None, required=False, help_text=forms.AIDE_SERVICE_FOURNISSEUR
    )

    def __init__(self, *args, structures, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fournisseur"].queryset = structures
        forms.preparer_service_fournisseur(self, user)

    def clean(self):
        cleaned = super().clean()
        forms.controler_service_fournisseur(self, cleaned)
        return cleaned

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
    form = DepotForm(request.POST or None, request.FILES or None, structures=structures, user=request.user)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            preparation = envoi.preparer_depot(
                acting_user=request.user,
                fournisseur=form.cleaned_data["fournisseur"],
                service_fournisseur=form.cleaned_data["service_fournisseur"],
                cadre=form.cleaned_data["cadre"],
                contenu=fichier.read(),
                nom_fichier=fichier.name[-100:],
            )
        except services.DoublonDepot as exc:
            existante = queries.facture_emise(request.user, exc.facture.pk)
            if existante is not None:
                lien = reverse("facture_emise", args=[existante.pk])
                message = format_html(
                    '{} Voir la facture existante : <a href="{}">n° {}</a> ({}).',
                    exc.message,
                    lien,
                    existante.numero,
                    existante.get_statut_display(),
                )
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
                f"Fichier analysé : {libelle_format(preparation['analyse'])}. Vérifiez les informations "
                "pré-remplies puis « Enregistrer » ou « Valider et envoyer ».",
            )
            return redirect(reverse("saisir_facture") + "?depot=1")
    return render(
        request,
        "facturation/deposer.html",
        {
            "form": form,
            "breadcrumb_data": fil_ariane(("Factures émises", reverse("factures_emises")), courant="Déposer facture"),
        },
    )
