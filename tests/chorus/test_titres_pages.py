"""Every page's ``<title>`` names the page (WCAG 2.4.2, issue 14 item 9): « Rechercher — Factures émises — Chorus
Pro », never « Chorus Pro » alone."""

import html
import re

import pytest
from django.template import Context, Template
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

TITRE = re.compile(r"<title>(.*?)</title>", re.S)


def _pages_sans_parametre(motifs=None, prefixe=""):
    for motif in get_resolver().url_patterns if motifs is None else motifs:
        if isinstance(motif, URLResolver):
            if "administration" in str(motif.pattern):
                continue
            yield from _pages_sans_parametre(motif.url_patterns, prefixe + str(motif.pattern))
        elif isinstance(motif, URLPattern) and motif.name and not motif.pattern.converters:
            if "<" not in str(motif.pattern) and not str(motif.pattern).startswith("^"):
                yield motif.name


def _pages_ouvertes(client):
    """(url, HTML) of each page without parameter that ``client`` opens (200, HTML)."""
    for nom in sorted(set(_pages_sans_parametre())):
        try:
            url = reverse(nom)
        except Exception:  # noqa: BLE001 - a name that needs arguments is not a page of this test
            continue
        reponse = client.get(url)
        if reponse.status_code == 200 and "text/html" in reponse.get("Content-Type", ""):
            yield url, reponse.content.decode()


def _titres(client):
    titres = {}
    for url, contenu in _pages_ouvertes(client):
        trouve = TITRE.search(contenu)
        if trouve:
            titres[url] = html.unescape(trouve.group(1)).strip()
    return titres


def test_chaque_page_publique_nomme_la_page_dans_son_titre(client):
    titres = _titres(client)
    assert len(titres) >= 8, titres  # accueil, connexion, annuaire, vérifier un dépôt, créer un compte…
    anonymes = {url: titre for url, titre in titres.items() if not titre.endswith(" — Chorus Pro")}
    assert not anonymes, anonymes
    assert titres[reverse("connexion")] == "Se connecter — Chorus Pro"
    assert titres[reverse("accueil")] == "Accueil — Chorus Pro"
    assert len(set(titres.values())) == len(titres), titres  # no two pages share a title


def test_chaque_page_connectee_nomme_la_page_dans_son_titre(client, fournisseur_gp):
    gp, _ = fournisseur_gp
    client.force_login(gp)
    titres = _titres(client)
    assert len(titres) >= 20, titres
    anonymes = {url: titre for url, titre in titres.items() if not titre.endswith(" — Chorus Pro")}
    assert not anonymes, anonymes
    assert titres[reverse("rechercher_factures")] == "Rechercher — Factures émises — Chorus Pro"
    assert titres[reverse("factures_emises")] == "Synthèse — Factures émises — Chorus Pro"
    assert len(set(titres.values())) == len(titres), titres  # no two pages share a title


def test_un_titre_est_echappe_et_tient_sur_une_ligne():
    rendu = Template(
        '{% extends "base.html" %}{% block titre_page %}\n  Facture {{ numero }}\n{% endblock titre_page %}'
    ).render(Context({"user": UtilisateurFactory.build(), "request": None, "numero": "<b>F-1</b> & co"}))
    assert "<title>Facture &lt;b&gt;F-1&lt;/b&gt; &amp; co — Chorus Pro</title>" in rendu


def test_aucune_page_ouverte_n_affiche_d_erreur_avant_toute_action(client, fournisseur_gp):
    """Issue 14 item 10: a form opened, before anything is sent, shows no error."""
    gp, _ = fournisseur_gp
    client.force_login(gp)
    erreur = re.compile(r'resume-erreurs|fr-(input|select|radio|checkbox)-group--error|class="errorlist"|aria-invalid')
    ouvertes = []
    for url, contenu in _pages_ouvertes(client):
        ouvertes.append(url)
        assert not erreur.search(contenu), url
    assert reverse("saisir_facture") in ouvertes and reverse("creer_compte") in ouvertes
