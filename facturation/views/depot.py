"""« Déposer facture »: upload a PDF or an XML; the draft it pre-fills opens in the saisie form. Several files at
once: each goes through the same deposit pipeline (``envoi.preparer_depot``) and gets its own result, on the result
page without JavaScript, or one request per file with its progress bar (``static/facturation/depot.js``)."""

import logging
import re
import secrets
from urllib.parse import urlencode

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html

from chorus.formulaires import FormulaireDsfr, ZoneDepot
from chorus.navigation import fil_ariane
from facturation import depot, forms, queries, services
from facturation.enums import CHOIX_CADRES_FACTURE
from facturation.services import envoi

logger = logging.getLogger(__name__)

SESSION_DEPOT = "facturation_depot"
# The plain PDFs of a multi-file deposit wait here (token → preparation) until « Compléter la saisie » opens one.
SESSION_DEPOTS = "facturation_depots"
MAX_DEPOTS_EN_ATTENTE = 20
MAX_FICHIERS_PAR_DEPOT = 10
TAILLE_MAX_TOTALE = 50 * 1024 * 1024
# Sent by depot.js with each file it uploads alone: the answer is that file's result, not a page.
ENTETE_FICHIER = "X-Depot-Fichier"

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


class FichiersDepotField(dj_forms.FileField):
    """One file or several in one input (Django's documented recipe), cleaned to a list of uploaded files; the
    number of files and their total size are checked before a byte is read. A file too large alone is refused by
    its own result (``_preparer``), so that the others still go through. Its frame takes dropped files and its
    error line is the one ``static/facturation/depot.js`` writes in (``ZoneDepot``)."""

    widget = ZoneDepot(
        attrs={"accept": ".pdf,.xml,application/pdf,application/xml,text/xml"},
        zone="zone-depot",
        erreur="erreur-fichier",
        choisis="fichiers-choisis",
    )

    def clean(self, data, initial=None):
        fichiers = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not fichiers:
            raise dj_forms.ValidationError(self.error_messages["required"], code="required")
        if len(fichiers) > MAX_FICHIERS_PAR_DEPOT:
            raise dj_forms.ValidationError(
                f"Vous pouvez déposer au plus {MAX_FICHIERS_PAR_DEPOT} fichiers à la fois ({len(fichiers)} choisis).",
                code="max_fichiers",
            )
        if sum(f.size for f in fichiers) > TAILLE_MAX_TOTALE:
            raise dj_forms.ValidationError(
                f"Les fichiers choisis dépassent ensemble la taille maximale de "
                f"{TAILLE_MAX_TOTALE // 1024 // 1024} Mo par dépôt : déposez-les en plusieurs fois.",
                code="taille_totale",
            )
        if len(fichiers) == 1:
            return [super().clean(fichiers[0], initial)]
        propres = []
        for fichier in fichiers:
            try:
                propres.append(super().clean(fichier, initial))
            except dj_forms.ValidationError as exc:  # which of the files: its name before Django's message
                raise dj_forms.ValidationError(f"« {fichier.name} » : {' '.join(exc.messages)}") from exc
        return propres


class DepotForm(FormulaireDsfr):
    fichier = FichiersDepotField(
        label="Fichiers des factures",
        help_text=f"PDF (signé ou non, Factur-X) ou XML (UBL 2.1, CII), 10 Mo au plus par fichier ; "
        f"{MAX_FICHIERS_PAR_DEPOT} fichiers et {TAILLE_MAX_TOTALE // 1024 // 1024} Mo au plus par dépôt. "
        "Le format est détecté à partir du contenu de chaque fichier.",
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


def _preparer(request, form, fichier) -> tuple[dict | None, list]:
    """One file through the deposit pipeline: ``(preparation, [])``, or ``(None, French messages)``."""
    if fichier.size > depot.TAILLE_MAX:
        return None, ["Le fichier dépasse la taille maximale de 10 Mo."]
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
        if existante is None:
            return None, [exc.message]
        lien = reverse("facture_emise", args=[existante.pk])
        return None, [
            format_html(
                '{} Voir la facture existante : <a href="{}">n° {}</a> ({}).',
                exc.message,
                lien,
                existante.numero,
                existante.get_statut_display(),
            )
        ]
    except ValidationError as exc:
        return None, exc.messages
    return preparation, []


def _mettre_en_attente(request, preparation: dict) -> str:
    """Keep a plain PDF's preparation for « Compléter la saisie »; the oldest ones beyond the limit are dropped."""
    jeton = secrets.token_urlsafe(12)
    en_attente = dict(request.session.get(SESSION_DEPOTS) or {})
    en_attente[jeton] = preparation
    while len(en_attente) > MAX_DEPOTS_EN_ATTENTE:
        en_attente.pop(next(iter(en_attente)))
    request.session[SESSION_DEPOTS] = en_attente
    return jeton


def reprendre_depot(request, jeton: str) -> None:
    """« Compléter la saisie » of a plain PDF deposited with others: it becomes the deposit the saisie form is
    pre-filled from (``SESSION_DEPOT``), as a single deposited file does. It stays listed until its draft is saved
    (``oublier_depot``), so that its link still opens it after another file's was followed. An unknown token
    changes nothing."""
    en_attente = request.session.get(SESSION_DEPOTS) or {}
    if jeton in en_attente:
        request.session[SESSION_DEPOT] = en_attente[jeton]


def oublier_depot(request, preparation: dict) -> None:
    """The draft of a waiting plain PDF is saved (its temporary file attached): its link no longer opens it."""
    en_attente = request.session.get(SESSION_DEPOTS) or {}
    restants = {j: p for j, p in en_attente.items() if p.get("fichier") != preparation.get("fichier")}
    if len(restants) != len(en_attente):
        request.session[SESSION_DEPOTS] = restants


def _resultat(request, form, fichier) -> dict:
    """The result of one file of a multi-file deposit, as the result list shows it."""
    preparation, erreurs = _preparer(request, form, fichier)
    resultat = {"nom": fichier.name, "accepte": not erreurs, "erreurs": erreurs}
    if erreurs:
        return resultat
    format_lu = libelle_format(preparation["analyse"])
    if "facture" in preparation:
        facture = queries.facture_emise(request.user, preparation["facture"])
        resultat["message"] = (
            f"Fichier analysé : {format_lu}, conforme aux règles de son profil. Le brouillon n° {facture.numero} "
            "est créé avec les données et les montants du document."
        )
        resultat["lien"] = reverse("modifier_brouillon", args=[facture.pk])
        resultat["libelle_lien"] = f"Compléter le brouillon n° {facture.numero}"
    else:
        jeton = _mettre_en_attente(request, preparation)
        resultat["message"] = f"Fichier analysé : {format_lu}. Les informations lues pré-remplissent la saisie."
        resultat["lien"] = reverse("saisir_facture") + "?" + urlencode({"depot": jeton})
        resultat["libelle_lien"] = "Compléter la saisie"
    return resultat


def _fragment_resultat(request, resultat: dict):
    """depot.js: the result of the one file it sent (422 when refused)."""
    return render(
        request, "facturation/_resultat_depot.html", {"resultat": resultat}, status=200 if resultat["accepte"] else 422
    )


@login_required
def deposer(request):
    structures = queries.structures_emettrices(request.user)
    if not structures.exists():
        raise PermissionDenied("Le dépôt exige le profil « Factures émises » en modification.")
    form = DepotForm(request.POST or None, request.FILES or None, structures=structures, user=request.user)
    un_fichier_js = request.method == "POST" and request.headers.get(ENTETE_FICHIER) == "1"
    resultats = None
    if request.method == "POST" and not form.is_valid() and un_fichier_js:
        nom = getattr(request.FILES.get("fichier"), "name", "")
        erreurs = [e for liste in form.errors.values() for e in liste]
        return _fragment_resultat(request, {"nom": nom, "accepte": False, "erreurs": erreurs})
    if request.method == "POST" and form.is_valid():
        fichiers = form.cleaned_data["fichier"]
        if un_fichier_js or len(fichiers) > 1:
            resultats = [_resultat(request, form, fichier) for fichier in fichiers]
            if un_fichier_js:
                return _fragment_resultat(request, resultats[0])
        else:
            preparation, erreurs = _preparer(request, form, fichiers[0])
            if erreurs:
                form.add_error("fichier", erreurs)
            elif "facture" in preparation:
                # A structured document accepted by its rules is a draft already, with the document's own amounts.
                messages.success(
                    request,
                    f"Fichier analysé : {preparation['analyse']['libelle_format']}, conforme aux règles de son profil. "
                    "Les données et les montants sont ceux du document ; complétez le cadre de facturation puis "
                    "« Valider et envoyer ».",
                )
                return redirect("modifier_brouillon", pk=preparation["facture"])
            else:
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
            "resultats": resultats,
            "nombre_acceptes": sum(1 for r in resultats or () if r["accepte"]),
            "max_fichiers": MAX_FICHIERS_PAR_DEPOT,
            "taille_max_totale": TAILLE_MAX_TOTALE,
            "breadcrumb_data": fil_ariane(("Factures émises", reverse("factures_emises")), courant="Déposer facture"),
        },
    )
