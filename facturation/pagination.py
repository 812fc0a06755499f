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


def page_de_recherche(request, form, perimetre, colonnes, formater) -> dict:
    """The context of a « Rechercher » page: the criteria of ``form`` (invalid ones are shown next to their fields
    and nothing is searched) applied to the scoped ``perimetre``, one keyset page of ``colonnes`` values turned into
    rows by ``formater``, and the query string kept for the next page and the exports."""
    from facturation.queries import filtrer

    factures, suivante = [], None
    if form.is_valid():
        qs = filtrer(form.criteres(), perimetre)
        valeurs, suivante = page_par_id(qs.values(*colonnes), request.GET.get("apres", ""))
        factures = formater(valeurs)
    params = request.GET.copy()
    params.pop("apres", None)
    return {"form": form, "factures": factures, "suivante": suivante, "params": params.urlencode()}
