"""Keyset pagination of the invoice lists: newest first on the primary key, the next page starting below the
last id shown (``?apres=<id>``), never an OFFSET; each list has an index ending in ``id DESC``."""

TAILLE_PAGE = 50


def page_par_id(qs, apres: str, taille: int = TAILLE_PAGE) -> tuple[list, int | None]:
    """(the rows of the page, the ``apres`` value of the next page or None): one query of ``taille + 1`` rows.
    ``qs`` yields model instances or dicts holding ``pk`` (``values("pk", …)``)."""
    if apres.isdigit():
        qs = qs.filter(id__lt=int(apres))
    lignes = list(qs.order_by("-id")[: taille + 1])
    suivante = None
    if len(lignes) > taille:
        derniere = lignes[taille - 1]
        suivante = derniere["pk"] if isinstance(derniere, dict) else derniere.pk
    return lignes[:taille], suivante
