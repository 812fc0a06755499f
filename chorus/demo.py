"""The demo data of ``make run``: each application registers, in its ``AppConfig.ready``, the management command
that loads its demo data and the demo accounts it creates; ``manage.py runportal`` runs the commands in their
order and prints the accounts. The kit knows no application: it only reads this registry."""

from dataclasses import dataclass, field


@dataclass(order=True)
class Chargeur:
    ordre: int  # after the loaders whose data it uses (accounts before invoices before sollicitations)
    commande: str = field(compare=False)


_chargeurs: list[Chargeur] = []
_comptes: list[dict] = []
_mot_de_passe: list[str] = []


def inscrire_chargeur(commande: str, *, ordre: int) -> None:
    if all(c.commande != commande for c in _chargeurs):
        _chargeurs.append(Chargeur(ordre=ordre, commande=commande))


def inscrire_comptes(comptes: list[dict], *, mot_de_passe: str) -> None:
    """``comptes``: dicts with ``email`` and ``role`` (what the account shows in the demo)."""
    for compte in comptes:
        if compte not in _comptes:
            _comptes.append(compte)
    if mot_de_passe not in _mot_de_passe:
        _mot_de_passe.append(mot_de_passe)


def chargeurs() -> list[str]:
    return [c.commande for c in sorted(_chargeurs)]


def comptes() -> list[dict]:
    return list(_comptes)


def mot_de_passe() -> str:
    return " / ".join(_mot_de_passe)
