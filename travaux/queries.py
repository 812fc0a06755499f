"""Scoped reads of « Factures de travaux »: every page, export and download starts from
``PieceTravaux.objects.visibles_par`` or ``DossierFacturation.objects.visibles_par`` (the one scoping entry point of
each model, on its manager), one SQL query each."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from chorus import compteurs
from facturation.enums import StatutFacture
from facturation.models import HistoriqueFacture
from organisation import queries as org_queries
from organisation.enums import Application, Niveau
from travaux import statuts
from travaux.models import CHAMPS_ROLE, CompteurPieces, DossierFacturation, HistoriquePiece, PieceTravaux
from travaux.services import structures_travaux
from travaux.statuts import StatutPiece

S = StatutPiece

# The dossier's actors a piece's page or API answer shows, joined in one query (``select_related``).
ACTEURS_DU_DOSSIER = (
    "dossier__fournisseur",
    "dossier__validateur",
    "dossier__moe",
    "dossier__moa",
    "dossier__destinataire",
    "dossier__service_destinataire",
)


def peut_deposer(user) -> bool:
    """The « Déposer » tab: « Factures de travaux » in modification on some structure (``structures_travaux``'s
    rule, read from the request's perimeter: no query)."""
    return bool(org_queries.structures_du_perimetre(user, Application.FACTURES_TRAVAUX, Niveau.MODIFICATION))


def avec_etat_courant(pieces: QuerySet) -> QuerySet:
    """« Date état courant »: the piece's, or its invoice's once payable (the service financier's processing in
    « Factures reçues »). The « État courant » itself is a column the database keeps (``PieceTravaux.etat_courant``)."""
    return pieces.annotate(date_etat_courant=Coalesce(F("facture__updated_at"), F("statut_le")))


def condition_a_traiter(user) -> Q:
    """« FACTURE DE TRAVAUX À TRAITER » (seed 001): the pieces waiting for one of the user's structures (mise à
    disposition, prise en compte, à valider), and the user's own pieces to take up again (draft, suspended,
    refused)."""
    mes = org_queries.structures_du_perimetre(user, Application.FACTURES_TRAVAUX)  # the request's perimeter, no query
    return condition_a_traiter_par(mes)


def condition_a_traiter_par(mes: list) -> Q:
    """``condition_a_traiter`` for the given structures (the Synthèse's « Filtre Structure »)."""
    attente = [*statuts.STATUTS_EN_ATTENTE, S.A_VALIDER_1, S.A_VALIDER_2]
    a_reprendre = [
        S.BROUILLON,
        S.SUSPENDUE,
        *statuts.ERREURS_ACHEMINEMENT,
        S.REFUSEE_1,
        S.REFUSEE_2,
        S.REFUSEE_FOURNISSEUR,
    ]
    return Q(recevant__in=mes, statut__in=attente) | Q(deposant__in=mes, statut__in=a_reprendre)


def tableau_de_bord(user, role: str) -> list[dict]:
    """« Tableau de bord (stock) » for one role (seed 001): for each of the user's structures acting in that role on
    a dossier, the number of pieces per group of current status — read from the counters the database keeps
    (``CompteurPieces.objects.du_role``, the same perimeter as ``PieceTravaux.objects.du_role``): one query reading
    a handful of rows per état courant, whatever the number of pieces."""
    champ = CHAMPS_ROLE[role]
    mes = list(structures_travaux(user, Niveau.CONSULTATION).values_list("pk", "identifiant", "raison_sociale"))
    noms = {pk: f"{identifiant} - {nom}" for pk, identifiant, nom in mes}
    groupes_de = defaultdict(list)  # état courant → the groups that count it (once each, as ``IN`` would)
    for code, (_libelle, liste) in statuts.GROUPES_TABLEAU_DE_BORD.items():
        for etat in set(liste):
            groupes_de[etat].append(code)
    lignes = {}
    comptes = compteurs.sommes(CompteurPieces.objects.du_role(user, role, noms), "structure", "etat_courant")
    for (structure, etat), nombre in comptes.items():
        ligne = lignes.setdefault(
            structure,
            {"structure_id": structure, "structure": noms[structure], champ: structure}
            | dict.fromkeys(statuts.GROUPES_TABLEAU_DE_BORD, 0),
        )
        for code in groupes_de[etat]:
            ligne[code] += nombre
    return list(lignes.values())


# --- The dossier page: pieces, histories, payment clock -------------------------------------------------------

DELAI_TRAITEMENT_MOE = timedelta(days=7)  # reference 1.3 (VERIFIED): the MOE has 7 days for the projet de décompte


@dataclass
class Horloge:
    """The dossier's payment clock (seed 000: 30 days from the demande de paiement's mise à disposition of the
    MOE)."""

    debut: datetime | None
    delai_jours: int
    echeance: datetime | None
    echeance_moe: datetime | None
    mise_en_paiement_le: datetime | None

    @property
    def jours_restants(self) -> int | None:
        if self.echeance is None or self.mise_en_paiement_le is not None:
            return None
        return (timezone.localdate(self.echeance) - timezone.localdate()).days

    @property
    def en_retard(self) -> bool:
        return self.jours_restants is not None and self.jours_restants < 0


def horloge(dossier: DossierFacturation) -> Horloge:
    mise_en_paiement = (
        HistoriqueFacture.objects.filter(objet__piece_travaux__dossier=dossier, statut=StatutFacture.MISE_EN_PAIEMENT)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    debut = dossier.demande_paiement_recue_le
    return Horloge(
        debut=debut,
        delai_jours=dossier.delai_paiement_jours,
        echeance=debut + timedelta(days=dossier.delai_paiement_jours) if debut else None,
        echeance_moe=debut + DELAI_TRAITEMENT_MOE if debut and dossier.moe_id else None,
        mise_en_paiement_le=mise_en_paiement,
    )


def avec_retard(pieces: QuerySet) -> QuerySet:
    """Flag the pieces of late dossiers (the Synthèse's « En retard »): the payment delay has run out and no payable
    piece of the dossier is « Mise en paiement »."""
    echeance = ExpressionWrapper(
        F("dossier__demande_paiement_recue_le") + timedelta(days=1) * F("dossier__delai_paiement_jours"),
        output_field=DateTimeField(),
    )
    payee = PieceTravaux.objects.filter(dossier=OuterRef("dossier"), facture__statut=StatutFacture.MISE_EN_PAIEMENT)
    # A scalar subquery stopped at the first paid piece (true, or NULL when none), not EXISTS: on a large actor's
    # page PostgreSQL planned the EXISTS as a semi-join over every piece of every dossier (1-2 s at the bench's
    # volume), while the LIMIT 1 probe per listed row stays on the dossier index (under 20 ms).
    paye = Subquery(payee.values(paye=Value(value=True))[:1], output_field=BooleanField())
    return pieces.annotate(echeance_paiement=echeance, dossier_paye=paye)


def est_en_retard(piece) -> bool:
    echeance = getattr(piece, "echeance_paiement", None)
    return bool(echeance and not piece.dossier_paye and echeance < timezone.now())


def pieces_du_dossier(dossier: DossierFacturation, user) -> list[PieceTravaux]:
    """« CONSULTATION D'UN DOSSIER DE FACTURATION » (seed 001): every piece the user may see, latest first, each with
    its full dated history (and, once payable, its invoice's), in three queries."""
    pieces = list(
        avec_etat_courant(PieceTravaux.objects.visibles_par(user).filter(dossier=dossier))
        .select_related("facture")
        .order_by("-id")
    )
    histos: dict[int, list] = {p.pk: [] for p in pieces}
    for h in HistoriquePiece.objects.filter(objet__in=pieces).order_by("-created_at", "-id"):
        histos[h.objet_id].append(h)
    factures = {p.facture_id: p.pk for p in pieces if p.facture_id}
    par_facture: dict[int, list] = {pk: [] for pk in factures}
    for h in HistoriqueFacture.objects.filter(objet_id__in=list(factures)).order_by("created_at", "id"):
        par_facture[h.objet_id].append(h)
    for facture_id, entrees in par_facture.items():
        histos[factures[facture_id]] += historique_facture_apres_envoi(entrees)
    for p in pieces:
        p.historique_complet = sorted(histos[p.pk], key=lambda h: (h.created_at, h.pk), reverse=True)
    return pieces


def historique_facture_apres_envoi(entrees) -> list:
    """The rows of a payable piece's invoice that its own history does not already say (``entrees`` oldest first):
    the piece records its deposit and its « Mise à disposition du destinataire »; the invoice's rows up to its first
    mise à disposition repeat them, so only the later ones — the service financier's processing, a new deposit
    after « À recycler » — are added."""
    entrees = list(entrees)
    for i, h in enumerate(entrees):
        if h.statut == StatutFacture.MISE_A_DISPOSITION:
            return entrees[i + 1 :]
    return [h for h in entrees if h.statut not in (StatutFacture.BROUILLON, StatutFacture.DEPOSEE)]
