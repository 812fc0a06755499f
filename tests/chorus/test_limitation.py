"""chorus.limitation: fixed-window limits through the cache (failing open), and the client address behind the
trusted proxies."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from chorus.limitation import Limite, adresse_client


def _requete(remote, xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("mandataires", "remote", "xff", "attendu"),
    [
        ([], "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        (["10.0.0.1"], "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        (["10.0.0.1"], "10.0.0.1", "198.51.100.1", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.66, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "n'importe quoi", "10.0.0.1"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2a01:e0a::1", "2a01:e0a::1"),
    ],
)
def test_adresse_client(settings, mandataires, remote, xff, attendu):
    settings.CHORUS_MANDATAIRES_DE_CONFIANCE = mandataires
    assert adresse_client(_requete(remote, xff)) == attendu


def test_mandataire_mal_ecrit_refuse_au_demarrage(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import chorus.settings.base as base

    monkeypatch.setenv("CHORUS_MANDATAIRES_DE_CONFIANCE", "10.0.0.0/8,pas-une-adresse")
    with pytest.raises(ImproperlyConfigured, match="pas-une-adresse"):
        importlib.reload(base)
    monkeypatch.delenv("CHORUS_MANDATAIRES_DE_CONFIANCE")
    importlib.reload(base)


def test_limite_fenetre_fixe_et_identifiant_normalise():
    cache.clear()
    limite = Limite("essai", 3, 60)
    assert [limite.depassee(" Jeanne@Exemple.fr ") for _ in range(4)] == [False, False, False, True]
    assert limite.atteinte("jeanne@exemple.fr")
    assert not limite.atteinte("autre@exemple.fr")
    limite.effacer("jeanne@exemple.fr")
    assert not limite.atteinte("jeanne@exemple.fr")


def test_limite_reglable_par_les_reglages(settings):
    cache.clear()
    settings.CHORUS_LIMITES = {"essai": (1, 60)}
    limite = Limite("essai", 3, 60)
    assert not limite.depassee("x")
    assert limite.depassee("x")


def test_les_cles_ne_contiennent_pas_l_identifiant():
    cache.clear()
    Limite("essai", 3, 60).compter("jeanne@exemple.fr")
    assert not any("jeanne" in str(cle) for cle in cache._cache)


def test_cache_en_panne_la_limite_laisse_passer():
    from chorus.cache import CacheRedisTolerante

    tolerant = CacheRedisTolerante("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.1}})
    with mock.patch("chorus.limitation.cache", tolerant):
        limite = Limite("essai", 1, 60)
        assert [limite.depassee("x") for _ in range(3)] == [False, False, False]
        assert not limite.atteinte("x")
