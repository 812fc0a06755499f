"""INSEE's SIRENE register: loading the « StockEtablissement » file (one row per establishment, comma-separated)
into the portal's copy of the register (``EtablissementInsee``) and into its public structures.

The establishment stock has no raison sociale: the name comes from ``denominationUsuelleEtablissement``, else
``enseigne1Etablissement``, else ``denominationUniteLegale`` when the file was joined with the legal units' stock
(which also brings ``categorieJuridiqueUniteLegale``: the public/private split), else the name the structure
already has, else « Établissement <siret> ».

An import stores every valid row in ``EtablissementInsee`` (the reference that pre-fills account creation and that
« Mettre à jour depuis la base INSEE » copies onto a structure). Like Chorus Pro, which pre-creates the public
structures from its referentials so that they are in the annuaire, it also creates the missing *public*
structures; private ones are created when someone creates an account. The identity and address of structures that
already exist (of any type) are refreshed; their parameters (code service, engagement, MOA, EDI...), their type and
their statut are never touched.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.identifiers import normaliser, valider_siret
from organisation import services
from organisation.enums import StatutStructure, TypeIdentifiant, TypeStructure
from organisation.models import CHAMPS_ADRESSE, EtablissementInsee, ModificationDifferee, Structure, Utilisateur

TAILLE_LOT = 2000

# What an import may rewrite on a structure that already exists: its identity, its address and whether INSEE
# publishes it.
CHAMPS_MIS_A_JOUR = [
    "raison_sociale",
    "non_diffusible",
    *CHAMPS_ADRESSE,
    "updated_at",
]

# The identity and address fields the register holds, on both ``EtablissementInsee`` and ``Structure``.
CHAMPS_INSEE = ["raison_sociale", *CHAMPS_ADRESSE, "non_diffusible"]

# What a re-import rewrites on an ``EtablissementInsee`` row (everything but its key).
CHAMPS_ETABLISSEMENT_INSEE = [*CHAMPS_INSEE, "categorie_juridique", "est_public", "actif", "importe_le"]

DESCRIPTION_MISE_A_JOUR = "Mise à jour depuis la base INSEE"

# INSEE's value for a field hidden by a partially diffusible establishment (statutDiffusionEtablissement = P).
NON_DIFFUSIBLE = "[ND]"

INDICES_REPETITION = {"B": "BIS", "T": "TER", "Q": "QUATER", "C": "QUINQUIES"}

TYPES_VOIE = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CITE": "CITE",
    "COR": "CORNICHE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "DSC": "DESCENTE",
    "ECA": "ECART",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "GR": "GRANDE RUE",
    "HAM": "HAMEAU",
    "HLE": "HALLE",
    "IMP": "IMPASSE",
    "LD": "LIEU-DIT",
    "LOT": "LOTISSEMENT",
    "MAR": "MARCHE",
    "MTE": "MONTEE",
    "PARC": "PARC",
    "PAS": "PASSAGE",
    "PL": "PLACE",
    "PLN": "PLAINE",
    "PLT": "PLATEAU",
    "PRO": "PROMENADE",
    "PRV": "PARVIS",
    "QUA": "QUARTIER",
    "QUAI": "QUAI",
    "RES": "RESIDENCE",
    "RLE": "RUELLE",
    "ROC": "ROCADE",
    "RPT": "ROND-POINT",
    "RTE": "ROUTE",
    "RUE": "RUE",
    "SEN": "SENTIER",
    "SQ": "SQUARE",
    "TPL": "TERRE-PLEIN",
    "TRA": "TRAVERSE",
    "VLA": "VILLA",
    "VLGE": "VILLAGE",
}

# INSEE's country codes (99xxx) of the most frequent foreign establishments, to ISO 3166 alpha-2.
PAYS_ISO = {
    "99109": "DE",
    "99127": "IT",
    "99131": "BE",
    "99132": "GB",
    "99134": "ES",
    "99135": "NL",
    "99137": "LU",
    "99139": "PT",
    "99140": "CH",
    "99401": "CA",
    "99404": "US",
}

# Catégories juridiques of public bodies: 7 (personnes morales de droit public) and 4 (EPIC, régies...).
PREFIXES_CATEGORIE_PUBLIQUE = ("7", "4")


class LigneInvalide(ValueError):
    """A row that cannot become a structure (its SIRET is not valid)."""


def _valeur(row: dict, colonne: str) -> str:
    valeur = (row.get(colonne) or "").strip()
    return "" if valeur == NON_DIFFUSIBLE else valeur


def _joindre(*parties: str) -> str:
    return " ".join(partie for partie in parties if partie)


def type_structure_de(categorie_juridique: str) -> str:
    categorie = (categorie_juridique or "").strip()
    return TypeStructure.PUBLIQUE if categorie.startswith(PREFIXES_CATEGORIE_PUBLIQUE) else TypeStructure.PRIVEE


def adresse_de(row: dict) -> str:
    """« 12 BIS RUE DES LILAS » from the number, its repetition index, the street type and the street name."""
    type_voie = _valeur(row, "typeVoieEtablissement").upper()
    indice = _valeur(row, "indiceRepetitionEtablissement").upper()
    return _joindre(
        _valeur(row, "numeroVoieEtablissement"),
        INDICES_REPETITION.get(indice, indice),
        TYPES_VOIE.get(type_voie, type_voie),
        _valeur(row, "libelleVoieEtablissement"),
    )


def etablissement_depuis_ligne(row: dict) -> dict:
    """The structure's fields read from one row of the StockEtablissement file.

    ``raison_sociale`` is empty when the row names nothing (the importer then keeps the existing name);
    ``type_structure`` is None when the file has no ``categorieJuridiqueUniteLegale`` column.
    Raises ``LigneInvalide`` when the SIRET is not valid."""
    siret_brut = _valeur(row, "siret") or _valeur(row, "siren") + _valeur(row, "nic")
    try:
        siret = valider_siret(siret_brut)
    except ValidationError as exc:
        raise LigneInvalide(exc.messages[0]) from exc

    raison_sociale = (
        _valeur(row, "denominationUsuelleEtablissement")
        or _valeur(row, "enseigne1Etablissement")
        or _valeur(row, "denominationUniteLegale")
    )

    complement = _joindre(
        _valeur(row, "complementAdresseEtablissement"), _valeur(row, "distributionSpecialeEtablissement")
    )
    if _valeur(row, "codeCedexEtablissement"):
        code_postal = _valeur(row, "codeCedexEtablissement")
        ville = _valeur(row, "libelleCedexEtablissement") or _valeur(row, "libelleCommuneEtablissement")
    else:
        code_postal = _valeur(row, "codePostalEtablissement")
        ville = _valeur(row, "libelleCommuneEtablissement")

    code_pays, libelle_pays = "FR", "France"
    pays_etranger = _valeur(row, "libellePaysEtrangerEtablissement")
    if pays_etranger:
        code_pays = PAYS_ISO.get(_valeur(row, "codePaysEtrangerEtablissement"), "")
        libelle_pays = pays_etranger.capitalize()
        ville = ville or _valeur(row, "libelleCommuneEtrangerEtablissement")

    categorie = row.get("categorieJuridiqueUniteLegale")
    etat = _valeur(row, "etatAdministratifEtablissement").upper()
    # « O »: diffusible; « P » (partially) or « N »: the person asked INSEE not to publish them.
    diffusion = _valeur(row, "statutDiffusionEtablissement").upper()
    return {
        "non_diffusible": diffusion not in ("", "O"),
        "categorie_juridique": (categorie or "").strip()[:4],
        "type_identifiant": TypeIdentifiant.SIRET,
        "identifiant": siret,
        "raison_sociale": raison_sociale[:250],
        "adresse": adresse_de(row)[:250],
        "complement_adresse": complement[:250],
        "code_postal": code_postal[:10],
        "ville": ville[:100],
        "code_pays": code_pays,
        "libelle_pays": libelle_pays[:100],
        "type_structure": None if categorie is None else type_structure_de(categorie),
        "statut": StatutStructure.INACTIVE if etat == "F" else StatutStructure.ACTIVE,
    }


def _lignes(fichier) -> Iterator[dict]:
    """The rows of a CSV file given as a path (``.csv`` or INSEE's ``.zip``) or as an open text file."""
    if isinstance(fichier, str | Path):
        chemin = Path(fichier)
        if chemin.suffix.lower() == ".zip":
            with zipfile.ZipFile(chemin) as archive:
                membre = next(nom for nom in archive.namelist() if nom.lower().endswith(".csv"))
                with archive.open(membre) as brut:
                    yield from csv.DictReader(io.TextIOWrapper(brut, encoding="utf-8-sig", newline=""))
            return
        with chemin.open(encoding="utf-8-sig", newline="") as texte:
            yield from csv.DictReader(texte)
        return
    yield from csv.DictReader(fichier)


def _par_lots(lignes: Iterable[dict], taille: int) -> Iterator[list[dict]]:
    lot = []
    for ligne in lignes:
        lot.append(ligne)
        if len(lot) >= taille:
            yield lot
            lot = []
    if lot:
        yield lot


def _etablissement_insee(donnees: dict, maintenant) -> EtablissementInsee:
    return EtablissementInsee(
        siret=donnees["identifiant"],
        **{champ: donnees[champ] for champ in CHAMPS_INSEE},
        categorie_juridique=donnees["categorie_juridique"],
        est_public=donnees["type_structure"] == TypeStructure.PUBLIQUE,
        actif=donnees["statut"] == StatutStructure.ACTIVE,
        importe_le=maintenant,
    )


def _structure(siret: str, donnees: dict, nom_existant: str | None) -> Structure:
    return Structure(
        type_identifiant=TypeIdentifiant.SIRET,
        identifiant=siret,
        **{champ: donnees[champ] for champ in CHAMPS_INSEE if champ != "raison_sociale"},
        # A row that names nothing keeps the existing name; a new structure still needs one.
        raison_sociale=donnees["raison_sociale"] or nom_existant or f"Établissement {siret}",
        # Only used for a creation (never in the updated fields): an existing structure keeps its type and statut.
        type_structure=donnees["type_structure"] or TypeStructure.PRIVEE,
        statut=donnees["statut"],
    )


def _enregistrer(etablissements: dict[str, dict]) -> tuple[int, int]:
    """Upsert one batch (keyed by SIRET) into the INSEE base, create its missing public structures and refresh the
    structures that already exist; returns (structures created, structures updated). Three queries."""
    maintenant = timezone.now()
    with transaction.atomic():
        existants = dict(
            Structure.objects.filter(
                type_identifiant=TypeIdentifiant.SIRET, identifiant__in=list(etablissements)
            ).values_list("identifiant", "raison_sociale")
        )
        structures = [
            _structure(siret, donnees, existants.get(siret))
            for siret, donnees in etablissements.items()
            # A private establishment gets its structure when someone creates an account.
            if siret in existants or donnees["type_structure"] == TypeStructure.PUBLIQUE
        ]
        EtablissementInsee.objects.bulk_create(
            [_etablissement_insee(donnees, maintenant) for donnees in etablissements.values()],
            update_conflicts=True,
            unique_fields=["siret"],
            update_fields=CHAMPS_ETABLISSEMENT_INSEE,
        )
        if structures:
            Structure.objects.bulk_create(
                structures,
                update_conflicts=True,
                unique_fields=["type_identifiant", "identifiant"],
                update_fields=CHAMPS_MIS_A_JOUR,
            )
    mises_a_jour = len(existants)
    return len(structures) - mises_a_jour, mises_a_jour


def importer(fichier, *, publiques_seulement: bool = False, taille_lot: int = TAILLE_LOT) -> dict:
    """Load a StockEtablissement file; returns the counts ``enregistres`` (rows stored in the INSEE base),
    ``creees`` (public structures created), ``mises_a_jour`` (existing structures refreshed), ``ignorees``
    (invalid SIRET) and ``ecartees`` (private establishments left out entirely by ``publiques_seulement``)."""
    compteurs = {"enregistres": 0, "creees": 0, "mises_a_jour": 0, "ignorees": 0, "ecartees": 0}
    for lot in _par_lots(_lignes(fichier), taille_lot):
        if publiques_seulement and "categorieJuridiqueUniteLegale" not in lot[0]:
            raise ValueError(
                "Le fichier ne contient pas la colonne categorieJuridiqueUniteLegale : impossible de reconnaître "
                "les structures publiques (joignez le fichier StockUniteLegale)."
            )
        etablissements: dict[str, dict] = {}
        for ligne in lot:
            try:
                donnees = etablissement_depuis_ligne(ligne)
            except LigneInvalide:
                compteurs["ignorees"] += 1
                continue
            if publiques_seulement and donnees["type_structure"] != TypeStructure.PUBLIQUE:
                compteurs["ecartees"] += 1
                continue
            # The same SIRET twice in a batch: the last row wins (one row per SIRET in an upsert).
            etablissements[donnees["identifiant"]] = donnees
        if etablissements:
            creees, mises_a_jour = _enregistrer(etablissements)
            compteurs["enregistres"] += len(etablissements)
            compteurs["creees"] += creees
            compteurs["mises_a_jour"] += mises_a_jour
    return compteurs


# --- The INSEE base on the portal: look-up and « Mettre à jour depuis la base INSEE » -------------------------


def rechercher(siret: str) -> EtablissementInsee | None:
    """The establishment of the imported INSEE base with this SIRET (spaces accepted), or None."""
    siret = normaliser(siret)
    if not siret:
        return None
    return EtablissementInsee.objects.filter(pk=siret).first()


def _valeurs_a_venir(structure: Structure) -> dict:
    """The structure's identity and address once its pending deferred changes have taken effect."""
    valeurs = {champ: getattr(structure, champ) for champ in CHAMPS_INSEE}
    for modification in services.modifications_en_attente(structure):
        valeurs.update({k: v for k, v in modification.changements.items() if k in valeurs})
    return valeurs


def _valeurs_insee(etablissement: EtablissementInsee) -> dict:
    """The register's values that may be copied onto a structure: an empty value is never copied onto a required
    field (a row that names nothing, a foreign country INSEE gives no ISO code for)."""
    valeurs = {}
    for champ in CHAMPS_INSEE:
        valeur = getattr(etablissement, champ)
        if valeur or isinstance(valeur, bool) or Structure._meta.get_field(champ).blank:
            valeurs[champ] = valeur
    return valeurs


def demander_mise_a_jour_depuis_insee(*, structure: Structure, acting_user: Utilisateur) -> ModificationDifferee:
    """« Mettre à jour depuis la base INSEE »: ask, with the 30-minute rule, for the structure's identity and address
    to become the register's. Only the differing fields are changed (compared with the structure as it will be once
    its pending changes have taken effect). Raises ValidationError when the SIRET is not in the imported base or
    when nothing would change."""
    etablissement = None
    if structure.type_identifiant == TypeIdentifiant.SIRET:
        etablissement = rechercher(structure.identifiant)
    if etablissement is None:
        raise ValidationError("Ce SIRET est absent de la base INSEE importée.", code="absent")
    insee = _valeurs_insee(etablissement)
    a_venir = _valeurs_a_venir(structure)
    changements = {champ: valeur for champ, valeur in insee.items() if a_venir[champ] != valeur}
    if not changements:
        if any(getattr(structure, champ) != valeur for champ, valeur in insee.items()):
            raise ValidationError(
                "Une modification en attente reprend déjà les données de la base INSEE.", code="en_attente"
            )
        raise ValidationError("La structure est déjà à jour avec la base INSEE.", code="a_jour")
    return services.demander_modification(
        objet=structure, changements=changements, demandeur=acting_user, description=DESCRIPTION_MISE_A_JOUR
    )
