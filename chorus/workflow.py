"""The transition engine: each lifecycle is a table of allowed transitions and one ``transition()`` call.

A lifecycle declares its table next to its status enum::

    CIRCUIT = Workflow(
        transitions=[
            Transition("DEPOSEE", "MISE_A_DISPOSITION", roles={"SYSTEME"}),
            Transition("MISE_A_DISPOSITION", "REJETEE", roles={"DESTINATAIRE"}, motif_obligatoire=True),
        ],
        historique=HistoriqueFacture,
        libelles=Facture.Statut,
    )
    CIRCUIT.transition(facture, to="REJETEE", acting_user=user, role="DESTINATAIRE", motif="...")

``transition`` locks the row, checks the table, saves the status, appends the history row and calls the
lifecycle's notification hooks inside the same transaction (they write outbox rows, sent after commit). Nothing
else in the codebase assigns a status. ``transition_en_masse`` is the same step for many objects at once (a flux's
chunk): one UPDATE per source status, one INSERT of the history rows, the same checks, hashes and hooks.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

SYSTEME = "SYSTEME"


class TransitionInterdite(Exception):
    """A transition the table does not allow for this actor, or one missing a required motif."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    source: str
    cible: str
    roles: frozenset[str] = field(default_factory=frozenset)
    motif_obligatoire: bool = False

    def __init__(self, source: str, cible: str, *, roles: Iterable[str], motif_obligatoire: bool = False):
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "cible", cible)
        object.__setattr__(self, "roles", frozenset(roles))
        object.__setattr__(self, "motif_obligatoire", motif_obligatoire)


Hook = Callable[..., None]


class Workflow:
    def __init__(
        self,
        *,
        transitions: Iterable[Transition],
        historique,
        champ: str = "statut",
        libelles=None,
        notifications: Iterable[Hook] = (),
    ):
        self.table: dict[tuple[str, str], Transition] = {}
        for t in transitions:
            if (t.source, t.cible) in self.table:
                raise ValueError(f"Transition {t.source} → {t.cible} declared twice.")
            self.table[(t.source, t.cible)] = t
        self.historique = historique
        self.champ = champ
        self.libelles = libelles
        self.notifications = list(notifications)

    def libelle(self, statut: str) -> str:
        if self.libelles is not None:
            try:
                return str(self.libelles(statut).label)
            except ValueError:
                pass
        return statut

    def transitions_possibles(self, statut: str, role: str) -> list[Transition]:
        """What ``role`` may do from ``statut``: the actions a page offers come from here."""
        return [t for (source, _), t in self.table.items() if source == statut and role in t.roles]

    def verifier(self, *, statut: str, cible: str, role: str, motif: str = "") -> Transition:
        t = self.table.get((statut, cible))
        if t is None or role not in t.roles:
            raise TransitionInterdite(
                f"Action impossible : passer de « {self.libelle(statut)} » à « {self.libelle(cible)} » "
                f"n'est pas autorisé pour ce rôle."
            )
        if t.motif_obligatoire and not (motif or "").strip():
            raise TransitionInterdite(f"Un motif est obligatoire pour passer au statut « {self.libelle(cible)} ».")
        return t

    def transition(
        self,
        obj,
        *,
        to: str,
        acting_user,
        role: str,
        motif: str = "",
        commentaire: str = "",
        extra_updates: dict | None = None,
    ):
        """Move ``obj`` to status ``to``; return the history row. Raises TransitionInterdite."""
        model = type(obj)
        with transaction.atomic():
            locked = model.objects.select_for_update(of=("self",)).get(pk=obj.pk)
            precedent = getattr(locked, self.champ)
            self.verifier(statut=precedent, cible=to, role=role, motif=motif)
            setattr(locked, self.champ, to)
            update_fields = [self.champ]
            for name, value in (extra_updates or {}).items():
                setattr(locked, name, value)
                update_fields.append(name)
            if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                update_fields.append("updated_at")
            locked.save(update_fields=update_fields)
            entree = self.historique.ajouter(
                objet=locked,
                acting_user=acting_user,
                role=role,
                statut_precedent=precedent,
                statut=to,
                motif=motif,
                commentaire=commentaire,
            )
            for hook in self.notifications:
                hook(objet=locked, entree=entree)
        for name in update_fields:
            setattr(obj, name, getattr(locked, name))
        return entree

    def transition_en_masse(
        self,
        objets: list,
        *,
        to: str,
        acting_user,
        role: str,
        motif: str = "",
        commentaire: str = "",
        queues: dict | None = None,
    ) -> list:
        """``transition`` of many objects at once; returns their history rows, in ``objets``' order. Each object is
        checked against the table as ``transition`` checks it; its status is written by one UPDATE per source
        status whose WHERE repeats the source status, so an object changed meanwhile by someone else (the UPDATE
        waits for its row lock, then re-reads it) makes the whole call fail, with nothing written. ``queues``:
        {object's pk: hash of its history chain's tail} when the caller holds them (objects it has just created
        start with "", then carry the rows this method returns), else read in one query."""
        if not objets:
            return []
        model = type(objets[0])
        for obj in objets:
            self.verifier(statut=getattr(obj, self.champ), cible=to, role=role, motif=motif)
        horodatage = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        maintenant = timezone.now()
        par_source: dict[str, list] = {}
        for obj in objets:
            par_source.setdefault(getattr(obj, self.champ), []).append(obj.pk)
        # No savepoint of its own: a failure fails the caller's whole transaction (nothing half-moved can commit).
        with transaction.atomic(savepoint=False):
            if queues is None:
                queues = self.historique.queues(objets)
            for source, pks in par_source.items():
                valeurs = {self.champ: to, **({"updated_at": maintenant} if horodatage else {})}
                if model.objects.filter(pk__in=pks, **{self.champ: source}).update(**valeurs) != len(pks):
                    raise TransitionInterdite(
                        f"Action impossible : un des objets n'est plus au statut « {self.libelle(source)} »."
                    )
            entrees = [
                self.historique.nouvelle(
                    objet=obj,
                    precedente=queues[obj.pk],
                    acting_user=acting_user,
                    role=role,
                    statut_precedent=getattr(obj, self.champ),
                    statut=to,
                    motif=motif,
                    commentaire=commentaire,
                )
                for obj in objets
            ]
            self.historique.objects.bulk_create(entrees)
            for obj, entree in zip(objets, entrees, strict=True):
                setattr(obj, self.champ, to)
                if horodatage:
                    obj.updated_at = maintenant
                for hook in self.notifications:
                    hook(objet=obj, entree=entree)
        return entrees
