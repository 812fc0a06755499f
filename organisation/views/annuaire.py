"""The public directory of public structures (« Annuaire des structures publiques »): search, detail and the CSV
export in Chorus Pro's layout. No login: these pages are open to every visitor, as on Chorus Pro."""

import csv
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from dsfr.forms import DsfrBaseForm

from chorus.exports import texte_sur
from chorus.identifiers import normaliser
from chorus.navigation import fil_ariane
from organisation import queries
from organisation.enums import CODE_ANNUAIRE_IDENTIFIANT, OptionMoa, StatutStructure, TypeIdentifiant

TAILLE_PAGE = 50
LONGUEUR_MIN_SIRET = 3
TITRE = "Annuaire des structures publiques"

COLONNES_CSV = [
    "TypeIdentifiant",
    "Identifiant",
    "RaisonSociale",
    "EmetteurEdi",
    "RecepteurEdi",
    "GestionStatutMiseEnPaiement",
    "GestionEngagement",
    "GestionService",
    "GestionServiceEngagement",
    "EstMOA",
    "EstMOAUniquement",
    "StructureActive",
    "Adresse",
    "ComplementAdresse1",
    "ComplementAdresse2",
    "CodePostal",
    "Ville",
    "NumTelephone",
    "Courriel",
    "CodePays",
    "LibellePays",
]

# The flags shown for each structure, in the order of the result table's columns.
DRAPEAUX = [
    ("Engagement obligatoire", lambda s: s.engagement_obligatoire),
    ("Code service obligatoire", lambda s: s.code_service_obligatoire),
    ("Service ou engagement obligatoire", lambda s: s.service_ou_engagement_obligatoire),
    ("Gère la mise en paiement", lambda s: not s.mise_en_paiement_non_remontee),
    ("À une MOA", lambda s: s.option_moa != OptionMoa.SANS_MOA),
    ("MOA uniquement", lambda s: s.option_moa == OptionMoa.MOA_UNIQUEMENT),
    ("Active", lambda s: s.statut == StatutStructure.ACTIVE),
]

CHAMPS_LISTE = [
    "id",
    "identifiant",
    "raison_sociale",
    "ville",
    "statut",
    "engagement_obligatoire",
    "code_service_obligatoire",
    "service_ou_engagement_obligatoire",
    "mise_en_paiement_non_remontee",
    "option_moa",
    "non_diffusible",
]


class RechercheAnnuaireForm(DsfrBaseForm):
    siret = forms.CharField(
        label="SIRET",
        required=False,
        max_length=30,
        help_text="14 chiffres, ou les 3 premiers au moins.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    raison_sociale = forms.CharField(
        label="Raison sociale",
        required=False,
        max_length=250,
        help_text="Tout ou partie du nom de la structure.",
    )
    ville = forms.CharField(label="Ville", required=False, max_length=100)

    def clean_siret(self):
        siret = normaliser(self.cleaned_data["siret"])
        if not siret:
            return ""
        if not (siret.isascii() and siret.isdigit()):
            raise ValidationError("Le SIRET ne doit contenir que des chiffres.", code="invalid")
        if len(siret) < LONGUEUR_MIN_SIRET:
            raise ValidationError(
                f"Saisissez au moins {LONGUEUR_MIN_SIRET} chiffres du SIRET (vous en avez saisi {len(siret)}).",
                code="min_length",
            )
        if len(siret) > 14:
            raise ValidationError(
                f"Le SIRET comporte 14 chiffres (vous en avez saisi {len(siret)}).", code="max_length"
            )
        return siret

    def criteres(self) -> dict:
        """The filled-in criteria of a valid form (empty when the visitor searched nothing)."""
        return {champ: valeur for champ, valeur in self.cleaned_data.items() if valeur}


def filtrer(qs, criteres: dict):
    siret = criteres.get("siret")
    if siret:
        qs = qs.filter(type_identifiant=TypeIdentifiant.SIRET)
        if len(siret) == 14:
            # A structure that changed its SIRET is still found by the old one.
            qs = qs.filter(pk__in=queries.structures_par_identifiant(siret).values("pk"))
        else:
            qs = qs.filter(identifiant__startswith=siret)
    if criteres.get("raison_sociale"):
        qs = qs.filter(raison_sociale__icontains=criteres["raison_sociale"])
    if criteres.get("ville"):
        # A non-diffusible structure's town is not published: searching by it must not reveal it either.
        qs = qs.filter(ville__icontains=criteres["ville"], non_diffusible=False)
    return qs


def _curseur(structure) -> str:
    return f"{structure.raison_sociale}|{structure.pk}"


def _lire_curseur(valeur: str):
    """``<raison sociale>|<id>`` → (raison sociale, id), or None for a missing or malformed cursor."""
    raison_sociale, separateur, pk = (valeur or "").rpartition("|")
    if not separateur or not pk.isdigit():
        return None
    return raison_sociale, int(pk)


def _apres(qs, curseur):
    """Keyset pagination on (raison_sociale, id): the rows strictly after the cursor, never an OFFSET."""
    if curseur is None:
        return qs
    raison_sociale, pk = curseur
    return qs.filter(Q(raison_sociale__gt=raison_sociale) | Q(raison_sociale=raison_sociale, pk__gt=pk))


def _ligne(structure) -> dict:
    return {
        "structure": structure,
        "drapeaux": [{"libelle": libelle, "valeur": bool(test(structure))} for libelle, test in DRAPEAUX],
    }


def annuaire(request):
    form = RechercheAnnuaireForm(request.GET or None)
    criteres = form.criteres() if form.is_bound and form.is_valid() else {}
    lignes, url_suivant, url_premiere_page = [], "", ""
    if criteres:
        curseur = _lire_curseur(request.GET.get("apres", ""))
        qs = _apres(filtrer(queries.annuaire(), criteres), curseur)
        structures = list(qs.only(*CHAMPS_LISTE).order_by("raison_sociale", "id")[: TAILLE_PAGE + 1])
        if len(structures) > TAILLE_PAGE:
            structures = structures[:TAILLE_PAGE]
            url_suivant = "?" + urlencode({**criteres, "apres": _curseur(structures[-1])})
        if curseur is not None:
            url_premiere_page = "?" + urlencode(criteres)
        lignes = [_ligne(structure) for structure in structures]
    url_export = reverse("exporter_annuaire")
    if criteres:
        url_export += "?" + urlencode(criteres)
    return render(
        request,
        "organisation/annuaire.html",
        {
            "titre": TITRE,
            "breadcrumb_data": fil_ariane(courant=TITRE),
            "form": form,
            "recherche": bool(criteres),
            "lignes": lignes,
            "libelles_drapeaux": [libelle for libelle, _ in DRAPEAUX],
            "url_suivant": url_suivant,
            "url_premiere_page": url_premiere_page,
            "url_export": url_export,
        },
    )


def structure_publique(request, pk):
    structure = get_object_or_404(queries.annuaire(), pk=pk)
    services = (
        structure.services.filter(actif=True)
        .order_by("code")
        .only("structure_id", "code", "libelle", "engagement_obligatoire")
    )
    return render(
        request,
        "organisation/annuaire_structure.html",
        {
            "titre": structure.raison_sociale,
            "breadcrumb_data": fil_ariane((TITRE, reverse("annuaire")), courant=structure.raison_sociale),
            "structure": structure,
            "code_identifiant": CODE_ANNUAIRE_IDENTIFIANT.get(structure.type_identifiant, ""),
            "drapeaux": _ligne(structure)["drapeaux"],
            "services": services,
        },
    )


class _Tampon:
    """csv.writer writes into this and gets back the line, which the streamed response sends at once."""

    def write(self, valeur):
        return valeur


def _booleen(valeur) -> str:
    return "true" if valeur else "false"


def _lignes_csv(qs):
    # What structures typed (raison sociale, address...) is disarmed as in every export: « =HYPERLINK(...) » stays text.
    ecrivain = csv.writer(_Tampon(), delimiter=";", lineterminator="\r\n")
    yield ecrivain.writerow(COLONNES_CSV)
    for (
        type_identifiant,
        identifiant,
        raison_sociale,
        emetteur_edi,
        recepteur_edi,
        mise_en_paiement_non_remontee,
        engagement_obligatoire,
        code_service_obligatoire,
        service_ou_engagement_obligatoire,
        option_moa,
        statut,
        adresse,
        complement_adresse,
        code_postal,
        ville,
        telephone,
        courriel,
        code_pays,
        libelle_pays,
        non_diffusible,
    ) in qs.iterator(chunk_size=2000):
        if non_diffusible:
            adresse = complement_adresse = code_postal = ville = ""
        yield ecrivain.writerow(
            [
                CODE_ANNUAIRE_IDENTIFIANT.get(type_identifiant, ""),
                texte_sur(identifiant),
                texte_sur(raison_sociale),
                _booleen(emetteur_edi),
                _booleen(recepteur_edi),
                _booleen(not mise_en_paiement_non_remontee),
                _booleen(engagement_obligatoire),
                _booleen(code_service_obligatoire),
                _booleen(service_ou_engagement_obligatoire),
                _booleen(option_moa in (OptionMoa.AVEC_MOA, OptionMoa.MOA_UNIQUEMENT)),
                _booleen(option_moa == OptionMoa.MOA_UNIQUEMENT),
                _booleen(statut == StatutStructure.ACTIVE),
                texte_sur(adresse),
                texte_sur(complement_adresse),
                "",
                texte_sur(code_postal),
                texte_sur(ville),
                texte_sur(telephone),
                texte_sur(courriel),
                texte_sur(code_pays),
                texte_sur(libelle_pays),
            ]
        )


def exporter_annuaire(request):
    form = RechercheAnnuaireForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A hand-made URL with a bad criterion: the search page says what is wrong instead of a silent full export.
        response = annuaire(request)
        response.status_code = 400
        return response
    criteres = form.criteres() if form.is_bound else {}
    response = StreamingHttpResponse(lignes_annuaire(criteres), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="annuaire_destinataires.csv"'
    return response


def lignes_annuaire(criteres: dict):
    """The lines of the CSV export in Chorus Pro's layout (the page's export and the API's
    ``telecharger/annuaire/destinataire``), streamed."""
    qs = (
        filtrer(queries.annuaire(), criteres)
        .order_by("raison_sociale", "id")
        .values_list(
            "type_identifiant",
            "identifiant",
            "raison_sociale",
            "emetteur_edi",
            "recepteur_edi",
            "mise_en_paiement_non_remontee",
            "engagement_obligatoire",
            "code_service_obligatoire",
            "service_ou_engagement_obligatoire",
            "option_moa",
            "statut",
            "adresse",
            "complement_adresse",
            "code_postal",
            "ville",
            "telephone",
            "courriel",
            "code_pays",
            "libelle_pays",
            "non_diffusible",
        )
    )
    return _lignes_csv(qs)
