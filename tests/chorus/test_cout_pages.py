"""What keeps the Python cost of every page down (issue 15 goal 3, BENCHMARKS.md « The Python cost of a page »):
compiled templates kept, the layout's URLs, the static files' URLs and the user's rights query computed once per
process, one Redis client per server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.loaders.cached import Loader as ChargeurEnCache
from django.urls import clear_script_prefix, reverse, set_script_prefix
from guardian.shortcuts import assign_perm

from bench.common import variables_production
from chorus import navigation
from chorus.cache import CacheRedisTolerante
from chorus.settings.base import TEMPLATES, cache_settings
from chorus.statiques import FichiersStatiques
from organisation import queries
from organisation.enums import Application, Niveau, StatutRattachement, codename
from organisation.models import Rattachement, Utilisateur
from tests.factories import StructureFactory, UtilisateurFactory

GABARIT_DE_BASE = Path(settings.BASE_DIR) / "templates" / "base.html"


def test_les_gabarits_compiles_sont_gardes_d_une_requete_a_l_autre():
    """No ``loaders`` in the shared settings: Django then wraps the loaders in its cached loader (a template is
    parsed once per process). A ``loaders`` list, or ``debug``, written there one day would parse every template
    of every page again."""
    options = TEMPLATES[0]["OPTIONS"]
    assert "loaders" not in options and not options.get("debug")
    chargeurs = engines["django"].engine.template_loaders
    assert [type(c) for c in chargeurs] == [ChargeurEnCache]


@pytest.fixture
def urls_oubliees():
    navigation._url_fixe.cache_clear()
    yield
    navigation._url_fixe.cache_clear()
    clear_script_prefix()
    set_script_prefix("/")


def test_url_fixe_est_celle_de_reverse_et_calculee_une_fois(urls_oubliees, monkeypatch):
    appels = []

    def reverse_compte(nom, **kwargs):
        appels.append(nom)
        return reverse(nom, **kwargs)

    monkeypatch.setattr(navigation, "reverse", reverse_compte)
    assert [navigation.url_fixe("support") for _ in range(3)] == [reverse("support")] * 3
    assert appels == ["support"]


def test_url_fixe_suit_le_prefixe_du_portail(urls_oubliees):
    """Served under a prefix (``SCRIPT_NAME``), the layout's links carry it, as ``{% url %}``'s do."""
    accueil = navigation.url_fixe("accueil")
    set_script_prefix("/portail/")
    assert navigation.url_fixe("accueil") == "/portail" + accueil == reverse("accueil")
    set_script_prefix("/")
    assert navigation.url_fixe("accueil") == accueil


def test_la_mise_en_page_ne_calcule_aucune_url_par_requete():
    """Every URL of the shared layout goes through ``{% url_fixe %}``, not ``{% url %}`` (a ``reverse`` each)."""
    gabarit = GABARIT_DE_BASE.read_text()
    assert "{% url_fixe " in gabarit
    assert "{% url " not in gabarit


@pytest.mark.django_db
def test_la_mise_en_page_imprime_les_memes_liens(client):
    """The header's and footer's links of a page are the URLs ``reverse`` gives."""
    html = client.get(reverse("accueil")).content.decode()
    for nom in ("connexion", "support", "communication", "accessibilite", "mentions_legales", "donnees_personnelles"):
        assert f'href="{reverse(nom)}"' in html


def test_le_cache_redis_garde_un_client_par_serveur():
    """Django's Redis cache builds a ``redis.Redis`` per call; the portal's keeps one per server (thread-safe: each
    command takes a connection from the pool), and still reads and writes."""
    config = cache_settings(settings.REDIS_URL, prefix="test-cout-pages")["default"]
    cache = CacheRedisTolerante(config["LOCATION"], config)
    cache.set("cle", {"valeur": 1}, 30)
    assert cache.get("cle") == {"valeur": 1}
    assert cache.get_many(["cle", "absente"]) == {"cle": {"valeur": 1}}
    client = cache._cache.get_client("cle")
    assert cache._cache.get_client("autre") is client
    assert cache._cache.get_client("cle", write=True) is client
    cache.delete("cle")
    assert cache.get("cle") is None


def _statiques(dossier: Path) -> FichiersStatiques:
    (dossier / "staticfiles.json").write_text(
        json.dumps({"paths": {"chorus/portail.css": "chorus/portail.0123abcd.css"}, "version": "1.1", "hash": "x"})
    )
    return FichiersStatiques(location=dossier, base_url="/static/")


def test_les_urls_statiques_sont_lues_dans_le_manifeste_une_fois(tmp_path, settings):
    settings.DEBUG = False
    stockage = _statiques(tmp_path)
    lectures = []
    stored_name = stockage.stored_name
    stockage.stored_name = lambda nom: lectures.append(nom) or stored_name(nom)
    assert [stockage.url("chorus/portail.css") for _ in range(3)] == ["/static/chorus/portail.0123abcd.css"] * 3
    assert lectures == ["chorus/portail.css"]
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        stockage.url("chorus/absent.css")


def test_les_urls_statiques_en_debug_ne_sont_pas_retenues(tmp_path, settings):
    stockage = _statiques(tmp_path)
    settings.DEBUG = True
    assert stockage.url("chorus/portail.css") == "/static/chorus/portail.css"
    settings.DEBUG = False
    assert stockage.url("chorus/portail.css") == "/static/chorus/portail.0123abcd.css"


def test_la_production_sert_les_statiques_par_ce_stockage(tmp_path):
    """The production settings, loaded as a deployment loads them, name this storage and keep the cached template
    loader (no ``loaders`` nor ``debug`` of their own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        variables_production(
            proprietaire_url="postgresql://proprietaire@127.0.0.1:5432/chorus",
            application_url="postgresql://portail@127.0.0.1:5432/chorus",
            redis_url="redis://127.0.0.1:6379/0",
            repertoire=tmp_path,
            hotes="portail.example.fr",
        )
    )
    code = (
        "from chorus.settings import production as p\n"
        "print(p.STORAGES['staticfiles']['BACKEND'])\n"
        "print(sorted(p.TEMPLATES[0]['OPTIONS']))\n"
    )
    sortie = subprocess.run(  # noqa: S603  # this interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    ).stdout.splitlines()
    assert sortie == ["chorus.statiques.FichiersStatiques", "['context_processors']"]


@pytest.mark.django_db
def test_les_droits_de_chacun_par_une_requete_compilee_une_fois(django_assert_num_queries):
    """The rattachements' query is compiled once per process (for a sentinel id) and run with each user's id: two
    users of two structures each read their own rights, in one query each."""
    queries._requete_rattachements.cache_clear()
    perimetres = {}
    for _ in range(2):
        user, structure = UtilisateurFactory(), StructureFactory()
        Rattachement.objects.create(utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF)
        assign_perm(f"organisation.{codename(Application.FACTURES_EMISES, Niveau.CONSULTATION)}", user, structure)
        user = Utilisateur.objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            perimetres[structure.pk] = queries.perimetre(user, Application.FACTURES_EMISES)
            assert queries.perimetre(user, Application.FACTURES_EMISES, Niveau.MODIFICATION).structures == frozenset()
    assert perimetres == {pk: queries.Perimetre(structures=frozenset({pk})) for pk in perimetres}
    assert queries._requete_rattachements.cache_info().misses == 1
