"""Keyset pagination of the sollicitation lists (the idea of ``facturation.pagination``, copied here so that this
app does not import ``facturation``): ordered on the primary key, the next page starting after the last id shown
(``?apres=<id>``), never an OFFSET; each list has an index ending in ``id``."""

TAILLE_PAGE = 50


def page_par_id(qs, apres: str, taille: int = TAILLE_PAGE, *, croissant: bool = False) -> tuple[list, int | None]:
    """(the rows of the page, the ``apres`` value of the next page or None): one query of ``taille + 1`` rows,
    newest first (or oldest first with ``croissant``). ``qs`` yields model instances or dicts holding ``pk``."""
    if apres.isdigit():
        qs = qs.filter(id__gt=int(apres)) if croissant else qs.filter(id__lt=int(apres))
    lignes = list(qs.order_by("id" if croissant else "-id")[: taille + 1])
    suivante = None
    if len(lignes) > taille:
        derniere = lignes[taille - 1]
        suivante = derniere["pk"] if isinstance(derniere, dict) else derniere.pk
    return lignes[:taille], suivante
