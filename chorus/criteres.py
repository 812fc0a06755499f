"""A search form's criteria turned into the conditions of a query, by a table (criterion → lookup) instead of one
``if`` per criterion in each list of the portal."""

from collections.abc import Callable


def donne(valeur) -> bool:
    """Whether a cleaned criterion narrows the list: an empty text, an empty choice list, an unticked box or a
    missing value do not; zero (an amount) does."""
    if valeur is None or valeur is False:
        return False
    return not (isinstance(valeur, str | list | tuple | set | frozenset) and not valeur)


def conditions(criteres: dict, table: dict[str, str | tuple[str, Callable]]) -> dict:
    """The ``filter()`` keyword arguments for the criteria of ``criteres`` that are given (``donne``), through
    ``table``: criterion → its lookup, or → (its lookup, the function turning the criterion into the lookup's
    value, e.g. a text into the ids it designates)."""
    resultat = {}
    for critere, cible in table.items():
        valeur = criteres.get(critere)
        if not donne(valeur):
            continue
        lookup, convertir = cible if isinstance(cible, tuple) else (cible, None)
        resultat[lookup] = convertir(valeur) if convertir else valeur
    return resultat
