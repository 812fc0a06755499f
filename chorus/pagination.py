"""Keyset pagination of the portal's lists: ordered on the primary key (newest first, or oldest first), the next
page starting after the last id shown (``?apres=<id>``), never an OFFSET — each list has an index ending in ``id``.
Domain-free: the applications hand in their scoped querysets, criteria filter and row formatter."""

TAILLE_PAGE = 50


def page_par_id(qs, apres: str, taille: int = TAILLE_PAGE, *, croissant: bool = False) -> tuple[list, int | None]:
    """(the rows of the page, the ``apres`` value of the next page or None): one query of ``taille + 1`` rows,
    newest first (or oldest first with ``croissant``). ``qs`` yields model instances or dicts holding ``pk``
    (``values("pk", …)``)."""
    if apres.isdigit():
        qs = qs.filter(id__gt=int(apres)) if croissant else qs.filter(id__lt=int(apres))
    lignes = list(qs.order_by("id" if croissant else "-id")[: taille + 1])
    suivante = None
    if len(lignes) > taille:
        derniere = lignes[taille - 1]
        suivante = derniere["pk"] if isinstance(derniere, dict) else derniere.pk
    return lignes[:taille], suivante


def page_de_recherche(request, form, perimetre, colonnes, formater, *, filtrer, cle: str) -> dict:
    """The context of a « Rechercher » page: the criteria of ``form`` (invalid ones are shown next to their fields
    and nothing is searched) applied by ``filtrer(criteres, qs)`` to the scoped ``perimetre``, one keyset page of
    ``colonnes`` values turned into rows by ``formater`` (under ``cle``), and the query string kept for the next
    page and the exports."""
    lignes, suivante = [], None
    if form.is_valid():
        qs = filtrer(form.criteres(), perimetre)
        valeurs, suivante = page_par_id(qs.values(*colonnes), request.GET.get("apres", ""))
        lignes = formater(valeurs)
    params = request.GET.copy()
    params.pop("apres", None)
    return {"form": form, cle: lignes, "suivante": suivante, "params": params.urlencode()}
