"""The rows of the « Factures de travaux » lists (Synthèse, Rechercher, exports): the scoped pieces
(``PieceTravaux.objects.visibles_par``) with their current state, deposit date and lateness, narrowed by the criteria of
``travaux.forms.recherche``, read as plain values, no model instance and no query per row. The page's query
reads the piece, its dossier and its invoice only; the names of the ≤ 51 rows' structures come in a second
query (``lignes``): with the four structure joins the planner spent more time choosing a join order than running
the query (BENCHMARKS.md, « Factures de travaux »). The exports, read once per file, keep the joins."""

from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from chorus.criteres import conditions
from facturation.enums import Cadre
from organisation import queries as org_queries
from organisation.models import Structure
from travaux import queries, statuts
from travaux.models import CHAMPS_ROLE, HistoriquePiece
from travaux.statuts import Role, StatutPiece

S = StatutPiece
DELAI_REJETS_MASQUES = timedelta(days=10)  # « Masquer les factures rejetées depuis plus de 10 jours »
# The Synthèse's and Rechercher's columns (seed 001, « FACTURE DE TRAVAUX À TRAITER »).
COLONNES = (
    "pk",
    "numero",
    "cadre",
    "numero_marche",
    "montant_ht",
    "devise",
    "numero_engagement",
    "instructeur",
    "dossier_id",
    "dossier__numero",
    "destinataire_structure",
    "dossier_fournisseur",
    "dossier_moe",
    "dossier_moa",
    "date_depot",
    "etat_courant",
    "date_etat_courant",
    "echeance_paiement",
    "dossier_paye",
)


def _depots():
    return HistoriquePiece.objects.filter(objet=OuterRef("pk"), statut=S.DEPOSEE)


def annoter(pieces: QuerySet) -> QuerySet:
    """« État courant », « Date état courant », « Date de dépôt » (the first « Déposée » of its history), the
    « Destinataire » (the payable piece's invoice's, else the dossier's service financier, else its MOA, who
    receives the works invoice) and the dossier's lateness (``queries.avec_retard``)."""
    premier_depot = Subquery(_depots().order_by("created_at", "id").values("created_at")[:1])
    destinataire = Coalesce(F("facture__destinataire_id"), F("dossier__destinataire_id"), F("dossier__moa_id"))
    return queries.avec_retard(queries.avec_etat_courant(pieces)).annotate(
        date_depot=premier_depot, destinataire_structure=destinataire
    )


def annoter_export(pieces: QuerySet) -> QuerySet:
    """``annoter`` with the recipient's name joined, for ``COLONNES_EXPORT``."""
    nom = Coalesce(
        F("facture__destinataire__raison_sociale"),
        F("dossier__destinataire__raison_sociale"),
        F("dossier__moa__raison_sociale"),
    )
    return annoter(pieces).annotate(destinataire_nom=nom)


def _debut_du_jour(jour):
    return timezone.make_aware(datetime.combine(jour, time.min))


# The Synthèse's criteria (``SyntheseTravauxForm``) that narrow by their value: criterion → lookup
# (``chorus.criteres``).
CRITERES_SYNTHESE = {
    "instructeur": ("instructeur__icontains", str.strip),
    "masquer_telechargees": ("telechargee_le__isnull", bool),
}


def filtrer_synthese(criteres: dict, qs: QuerySet) -> QuerySet:
    if criteres.get("structure"):
        qs = qs.filter(queries.condition_a_traiter_par([criteres["structure"].pk]))
    if criteres.get("masquer_rejetees"):
        limite = timezone.now() - DELAI_REJETS_MASQUES
        qs = qs.exclude(etat_courant__in=statuts.STATUTS_REFUSES, date_etat_courant__lt=limite)
    return qs.filter(**conditions(criteres, CRITERES_SYNTHESE))


def _groupe(code: str) -> list[str]:
    return list(statuts.GROUPES_TABLEAU_DE_BORD[code][1])


# Rechercher's criteria (``RechercheTravauxForm``) that narrow by their value: criterion → lookup; each number
# « contient » (case-insensitive).
CRITERES = {
    "role_emetteur": "role_deposant",
    "emetteur": ("deposant_id__in", org_queries.structures_designees),
    "cadre": "cadre",
    "numero": ("numero__icontains", str.strip),
    "numero_marche": ("numero_marche__icontains", str.strip),
    "numero_dossier": ("dossier__numero__icontains", str.strip),
    "numero_engagement": ("numero_engagement__icontains", str.strip),
    "date_piece_du": "date_piece__gte",
    "date_piece_au": "date_piece__lte",
    "etat": "etat_courant",
    "groupe": ("etat_courant__in", _groupe),
}


def filtrer(criteres: dict, qs: QuerySet) -> QuerySet:
    """Narrow annotated pieces (``annoter``) by the cleaned criteria of ``RechercheTravauxForm``: ``CRITERES``,
    the dates of deposit (days in Paris time, in the piece's history) and the user's role."""
    c = criteres
    qs = qs.filter(**conditions(c, CRITERES))
    if c.get("depot_du") or c.get("depot_au"):
        depots = _depots()
        if c.get("depot_du"):
            depots = depots.filter(created_at__gte=_debut_du_jour(c["depot_du"]))
        if c.get("depot_au"):
            depots = depots.filter(created_at__lt=_debut_du_jour(c["depot_au"] + timedelta(days=1)))
        qs = qs.filter(Exists(depots))
    if c.get("mon_role"):
        champ = CHAMPS_ROLE[c["mon_role"]]
        if c.get("ma_structure"):
            qs = qs.filter(**{champ: c["ma_structure"]})
        else:
            qs = qs.filter(**{f"{champ}__in": c["structures"]})
    return qs


def _en_retard(v: dict, maintenant) -> bool:
    return bool(v["echeance_paiement"] and not v["dossier_paye"] and v["echeance_paiement"] < maintenant)


def lignes(valeurs) -> list[dict]:
    """The rows of ``_table.html``; amounts and dates stay raw, for ``chorus_format``'s filters. The structures'
    names in one query for the page."""
    valeurs = list(valeurs)
    ids = {
        v[c] for v in valeurs for c in ("destinataire_structure", "dossier_fournisseur", "dossier_moe", "dossier_moa")
    }
    noms = dict(Structure.objects.filter(pk__in=ids - {None}).values_list("pk", "raison_sociale")) if ids else {}
    piece = reverse("travaux_piece", args=[0])
    dossier = reverse("travaux_dossier", args=[0])
    maintenant = timezone.now()
    return [
        {
            "pk": v["pk"],
            "url": piece.replace("/0/", f"/{v['pk']}/", 1),
            "url_dossier": dossier.replace("/0/", f"/{v['dossier_id']}/", 1),
            "dossier": v["dossier__numero"],
            "numero": v["numero"],
            "cadre": Cadre(v["cadre"]).code,
            "numero_marche": v["numero_marche"] or "—",
            "montant_ht": v["montant_ht"],
            "devise": v["devise"],
            "destinataire": noms.get(v["destinataire_structure"]) or "—",
            "fournisseur": noms.get(v["dossier_fournisseur"]),
            "moe": noms.get(v["dossier_moe"]) or "—",
            "moa": noms.get(v["dossier_moa"]) or "—",
            "date_depot": v["date_depot"],
            "etat": statuts.libelle(v["etat_courant"]),
            "badge": statuts.badge(v["etat_courant"]),
            "date_etat": v["date_etat_courant"],
            "engagement": v["numero_engagement"] or "—",
            "instructeur": v["instructeur"] or "—",
            "en_retard": _en_retard(v, maintenant),
        }
        for v in valeurs
    ]


ENTETES_EXPORT = [
    "Numéro",
    "Type de pièce",
    "Numéro de dossier de facturation",
    "Numéro de marché",
    "Rôle de l'émetteur",
    "SIRET de la structure émettrice",
    "Structure émettrice",
    "Destinataire",
    "Fournisseur",
    "Maîtrise d'œuvre",
    "Maîtrise d'ouvrage",
    "Date de la pièce",
    "Date de dépôt",
    "État courant",
    "Date état courant",
    "Numéro d'engagement",
    "Instructeur",
    "Montant HT",
    "Montant TVA",
    "Montant TTC",
    "Montant à payer",
    "Devise",
]
COLONNES_EXPORT = (
    "numero",
    "cadre",
    "dossier__numero",
    "numero_marche",
    "role_deposant",
    "deposant__identifiant",
    "deposant__raison_sociale",
    "destinataire_nom",
    "dossier__fournisseur__raison_sociale",
    "dossier__moe__raison_sociale",
    "dossier__moa__raison_sociale",
    "date_piece",
    "date_depot",
    "etat_courant",
    "date_etat_courant",
    "numero_engagement",
    "instructeur",
    "montant_ht",
    "montant_tva",
    "montant_ttc",
    "montant_a_payer",
    "devise",
)
LARGEURS_EXPORT = (16, 40, 18, 18, 20, 18, 36, 36, 36, 36, 36, 14, 18, 36, 18, 20, 14, 14, 14, 14, 14, 8)
_ROLES = dict(Role.choices)
_CADRES = dict(Cadre.choices)


def lignes_export(valeurs):
    """The export's rows (a ``values_list`` in ``COLONNES_EXPORT`` order), codes turned into the portal's words."""
    for v in valeurs:
        v = list(v)
        v[1] = _CADRES.get(v[1], v[1])
        v[4] = _ROLES.get(v[4], v[4])
        v[13] = statuts.libelle(v[13])
        yield v
