"""The XML sample documents of ``tests/facturation/data`` and the count of EN 16931 stylesheet compilations, shared
by the tests of the XML reading and checking."""

from pathlib import Path

from facturation import en16931

DATA = Path(__file__).parent / "data"


def lire(nom: str) -> bytes:
    return (DATA / nom).read_bytes()


def compilations(monkeypatch) -> list:
    """Empty the per-process cache of compiled stylesheets; the returned list then receives the path of each
    stylesheet compiled (the compilation itself still happens)."""
    appels = []
    compiler = en16931._compiler_feuille
    monkeypatch.setattr(en16931, "_executables", {})
    monkeypatch.setattr(en16931, "_compiler_feuille", lambda chemin: appels.append(chemin) or compiler(chemin))
    return appels
