"""The sandbox (« bac à sable »): an integrator forces any status on one of its own invoices to test how its
connector handles it. Only when ``settings.CHORUS_BAC_A_SABLE`` is on (the production settings refuse it).

Forcing is still a transition of the invoice's lifecycle: its own table (every status to every other, for the
sandbox role only), the same engine (row lock, history row with the sandbox role, notifications)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from chorus.workflow import Transition, Workflow
from facturation.enums import StatutFacture
from facturation.models import HistoriqueFacture
from facturation.services.circuit import _notifier

ROLE_BAC_A_SABLE = "BAC_A_SABLE"
MOTIF_PAR_DEFAUT = "Statut forcé dans le bac à sable."
# A draft is not an invoice yet: it is never a target.
STATUTS_FORCABLES = [s for s in StatutFacture if s != StatutFacture.BROUILLON]

CIRCUIT_BAC_A_SABLE = Workflow(
    transitions=[
        Transition(source, cible, roles={ROLE_BAC_A_SABLE})
        for source in StatutFacture
        for cible in STATUTS_FORCABLES
        if source != cible
    ],
    historique=HistoriqueFacture,
    libelles=StatutFacture,
    notifications=[_notifier],
)


def forcer_statut(*, facture, statut: str, acting_user, motif: str = ""):
    """Move ``facture`` (already scoped to the caller's invoices) to ``statut``; returns the history row."""
    if not settings.CHORUS_BAC_A_SABLE:
        raise PermissionDenied("Ce service n'existe que dans le bac à sable (CHORUS_BAC_A_SABLE).")
    if statut not in StatutFacture.values or statut == StatutFacture.BROUILLON:
        raise ValidationError(
            f"Statut inconnu ou non forçable : {statut} (attendu : {', '.join(s.value for s in STATUTS_FORCABLES)})."
        )
    if facture.statut == StatutFacture.BROUILLON:
        raise ValidationError("Un brouillon n'a pas été envoyé : son statut ne peut pas être forcé.")
    if facture.statut == statut:
        raise ValidationError(f"La facture est déjà au statut « {StatutFacture(statut).label} ».")
    return CIRCUIT_BAC_A_SABLE.transition(
        facture, to=statut, acting_user=acting_user, role=ROLE_BAC_A_SABLE, motif=(motif or MOTIF_PAR_DEFAUT)[:500]
    )
