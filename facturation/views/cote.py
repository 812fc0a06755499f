"""The two invoice applications, « Factures émises » (the supplier's) and « Factures reçues » (the recipient's),
seen as one shape (``Cote``): each of ``emises`` and ``recues`` declares its side, and the pages that are the same
on both — Rechercher, « Exporter », and the shared tabs of ``listes`` (Archives, Liste fiscale…) — are written
once here or there, for either side."""

from collections.abc import Callable
from dataclasses import dataclass

from django.shortcuts import redirect
from django.urls import reverse

from chorus.pagination import page_de_recherche
from facturation import exports, queries


@dataclass(frozen=True)
class Cote:
    """One invoice application: its profile, its scoped query, its tab bar and its list pages."""

    code: str  # the URL's « emises » / « recues »
    application: str
    titre: str
    onglets: str
    accueil: str
    rechercher: str
    exporter: str  # the CSV export's URL name; the XLSX one adds « _xlsx »
    perimetre: Callable
    form_recherche: type
    colonnes: tuple
    lignes: Callable
    table: str
    colonnes_export: tuple  # of ``exports.COLONNES``
    # The recipient's downloads are recorded (``telechargee_le``: « Masquer les factures téléchargées », the
    # API's ``factureTelechargeeParDestinataire``); a supplier downloading its own invoices marks nothing.
    marque_telechargees: bool

    # The URL names of the shared tabs, one per side (``facturation/urls.py``).
    @property
    def exporter_xlsx(self) -> str:
        return f"{self.exporter}_xlsx"

    @property
    def archives(self) -> str:
        return f"archives_{self.code}"

    @property
    def telecharger_selection(self) -> str:
        return f"telecharger_selection_{self.code}"


def page_recherche(request, cote: Cote, factures) -> dict:
    """The context of a « Rechercher » page of the side over ``factures`` (its scoped invoices, or their archives):
    the side (its titles and URLs for ``listes/_rechercher.html``), its criteria, columns and rows."""
    form = cote.form_recherche(request.GET)
    contexte = page_de_recherche(
        request, form, factures, cote.colonnes, cote.lignes, filtrer=queries.filtrer, cle="factures"
    )
    return {**contexte, "cote": cote}


def exporter(request, cote: Cote, format_export: str):
    """« Exporter »: the side's search results, same criteria and same scoping, as CSV (streamed) or XLSX."""
    form = cote.form_recherche(request.GET)
    if not form.is_valid():  # the search page shows what is wrong with the criteria
        return redirect(reverse(cote.rechercher) + "?" + request.GET.urlencode())
    return exports.exporter(
        format_export,
        nom=f"factures_{cote.code}",
        feuille=cote.titre,
        colonnes=cote.colonnes_export,
        factures=queries.filtrer(form.criteres(), cote.perimetre(request.user)),
    )
