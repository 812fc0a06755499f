"""The kit's template pieces: the one tab bar (``{% onglets %}`` → ``chorus/_onglets.html``) and the one way of
printing amounts and dates (``chorus_format``)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from chorus.templatetags.chorus_format import jour, jour_heure, montant

RACINE = Path(settings.BASE_DIR)
GABARIT_ONGLETS = RACINE / "templates" / "chorus" / "_onglets.html"
NNBSP, NBSP = "\u202f", "\u00a0"


def _gabarits():
    for dossier in ("templates", "chorus", "facturation", "organisation", "sollicitations"):
        yield from (RACINE / dossier).rglob("*.html")


def test_une_seule_barre_d_onglets_dans_les_gabarits():
    """No template keeps its own copy of the tab bar's markup: the pages call ``{% onglets %}``."""
    copies = []
    for gabarit in _gabarits():
        if gabarit == GABARIT_ONGLETS:
            continue
        texte = gabarit.read_text()
        if "Onglets de l" in texte or re.search(r"fr-btn--tertiary[^\n]*aria-current", texte):
            copies.append(str(gabarit.relative_to(RACINE)))
    assert copies == []
    appels = [g for g in _gabarits() if g != GABARIT_ONGLETS and "{% onglets " in g.read_text()]
    # + Mes messages: list, message, préférences; + Raccordements: 4 pages from 2 templates (technical accounts and
    # API clients share ``raccordements/_liste.html``); + « Informations du fournisseur » and « Liste fiscale » of
    # both invoice applications (« Archives » extends the search page, and « Rechercher » of both sides is one
    # template, ``facturation/listes/_rechercher.html``).
    assert len(appels) == 25


def _barre(code, chemin, contexte=None, arguments=""):
    request = RequestFactory().get(chemin)
    gabarit = Template("{% load chorus_onglets %}{% onglets " + f'"{code}"' + arguments + " %}")
    return gabarit.render(Context({"request": request, **(contexte or {})}))


def _onglets(html):
    return re.findall(r'<a class="([^"]*)" href="([^"]*)"( aria-current="page")?>([^<]*)</a>', html)


@pytest.mark.parametrize(
    "code,application,attendus",
    [
        (
            "FACTURES_EMISES",
            "Factures émises",
            [
                ("Synthèse", "factures_emises"),
                ("Rechercher", "rechercher_factures"),
                ("Tableau de bord", "tableau_de_bord_factures"),
                ("Saisir facture", "saisir_facture"),
                ("Déposer facture", "deposer_facture"),
                ("Informations du fournisseur", "informations_fournisseur_emises"),
                ("Liste fiscale", "liste_fiscale_emises"),
                ("Archives", "archives_emises"),
            ],
        ),
        (
            "FACTURES_RECUES",
            "Factures reçues",
            [
                ("Synthèse", "factures_recues"),
                ("Rechercher", "rechercher_factures_recues"),
                ("Tableau de bord", "tableau_de_bord_factures_recues"),
                ("Informations du fournisseur", "informations_fournisseur_recues"),
                ("Liste fiscale", "liste_fiscale_recues"),
                ("Archives", "archives_recues"),
            ],
        ),
        (
            "SOLLICITATIONS_RECUES",
            "Sollicitations reçues",
            [
                ("Synthèse", "sollicitations_recues"),
                ("Rechercher", "rechercher_sollicitations_recues"),
                ("Tableau de bord", "tableau_de_bord_sollicitations"),
                ("Statistiques", "statistiques_sollicitations"),
            ],
        ),
    ],
)
def test_barre_d_onglets_libelles_ordre_et_onglet_courant(code, application, attendus):
    courant = attendus[1][1]
    html = _barre(code, reverse(courant))
    assert f'aria-label="Onglets de l\'application {application}"' in html
    onglets = _onglets(html)
    assert [(libelle, url) for _, url, _, libelle in onglets] == [(lib, reverse(nom)) for lib, nom in attendus]
    for classes, url, courante, _ in onglets:
        actif = url == reverse(courant)
        assert bool(courante) is actif
        assert classes == ("fr-btn" if actif else "fr-btn fr-btn--tertiary")


def test_onglet_conditionnel_suit_le_contexte_ou_l_argument():
    chemin = reverse("sollicitations_emises")
    avec = [libelle for *_, libelle in _onglets(_barre("SOLLICITATIONS_EMISES", chemin, {"peut_saisir": True}))]
    assert avec == ["Synthèse", "Rechercher", "Saisir une sollicitation"]
    sans = _barre("SOLLICITATIONS_EMISES", chemin, {"peut_saisir": True}, " peut_saisir=False")
    assert [libelle for *_, libelle in _onglets(sans)] == ["Synthèse", "Rechercher"]
    assert "Saisir" not in _barre("SOLLICITATIONS_EMISES", chemin)


@pytest.mark.parametrize(
    "valeur,devise,attendu",
    [
        (Decimal("1791.6"), "EUR", f"1{NNBSP}791,60{NBSP}€"),
        (Decimal("8672.73"), "EUR", f"8{NNBSP}672,73{NBSP}€"),
        (Decimal("1234567.005"), "EUR", f"1{NNBSP}234{NNBSP}567,01{NBSP}€"),
        (Decimal("-12"), "EUR", f"-12,00{NBSP}€"),
        (Decimal("0"), "EUR", f"0,00{NBSP}€"),
        (Decimal("99.5"), "USD", f"99,50{NBSP}USD"),
        (Decimal("10"), "", f"10,00{NBSP}€"),
        (None, "EUR", ""),
        ("", "EUR", ""),
    ],
)
def test_filtre_montant(valeur, devise, attendu):
    assert montant(valeur, devise) == attendu


def test_filtres_dans_un_gabarit():
    paris = ZoneInfo("Europe/Paris")
    instant = datetime.datetime(2026, 12, 3, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Paris
    gabarit = Template(
        "{% load chorus_format %}{{ m|montant:devise }}|{{ m|montant }}|{{ d|jour }}|{{ dt|jour }}|{{ dt|jour_heure }}"
        '|{{ rien|jour|default:"—" }}|{{ rien|montant:devise|default:"—" }}'
    )
    with timezone.override(paris):
        rendu = gabarit.render(
            Context(
                {"m": Decimal("1791.60"), "devise": "EUR", "d": datetime.date(2026, 12, 3), "dt": instant, "rien": None}
            )
        )
    assert rendu == f"1{NNBSP}791,60{NBSP}€|1{NNBSP}791,60{NBSP}€|03/12/2026|03/12/2026|03/12/2026 à 14:05|—|—"


def test_filtres_de_date():
    assert jour(datetime.date(2026, 12, 3)) == "03/12/2026"
    assert jour(datetime.datetime(2026, 1, 2, 23, 59)) == "02/01/2026"
    assert jour_heure(datetime.datetime(2026, 1, 2, 8, 5)) == "02/01/2026 à 08:05"
    assert jour_heure(datetime.date(2026, 1, 2)) == "02/01/2026"
    assert jour(None) == jour_heure(None) == jour("") == ""


def _page(contexte):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = RequestFactory().get("/domaines/")
    request.user = AnonymousUser()
    return render_to_string("base.html", contexte, request=request)


def test_fil_d_ariane_et_messages_par_les_composants_dsfr():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    from chorus.navigation import fil_ariane

    messages = [
        Message(constants.SUCCESS, "Facture <b>F-1</b> envoyée."),
        Message(constants.ERROR, "Refusée."),
        Message(constants.INFO, "Pour information."),
    ]
    html = _page(
        {"breadcrumb_data": fil_ariane(("Domaines", "/domaines/"), courant="Mon compte"), "messages": messages}
    )
    fil = re.search(
        r'<nav role="navigation"\s+class="fr-breadcrumb"\s+aria-label="vous êtes ici\s:">.*?</nav>', html, re.S
    )
    assert fil is not None
    liens = re.findall(r'<a class="fr-breadcrumb__link"( href="[^"]*")?( aria-current="page")?>([^<]*)</a>', fil[0])
    assert liens == [
        (' href="/"', "", "Accueil"),
        (' href="/domaines/"', "", "Domaines"),
        ("", ' aria-current="page"', "Mon compte"),
    ]
    alertes = re.findall(
        r'<div role="alert"\s+class="fr-alert fr-alert--(\w+) fr-alert--sm fr-mb-1w">\s*<p>\s*([^<]*?)\s*</p>', html
    )
    # Messages stay escaped (DSFR_CONTENT_IS_SAFE = False): what users typed is never markup.
    assert alertes == [
        ("success", "Facture &lt;b&gt;F-1&lt;/b&gt; envoyée."),
        ("error", "Refusée."),
        ("info", "Pour information."),
    ]
    assert "<b>F-1</b>" not in html
