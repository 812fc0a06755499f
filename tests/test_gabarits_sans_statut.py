"""No template decides on a status by itself: a lifecycle's rules (which actions a page offers, which badge a
status wears) live beside its enum (``facturation/statuts.py``, ``sollicitations/statuts.py``,
``organisation/statuts.py``) and reach the templates as actions or flags computed in Python. A template that
compares anything with a status code would hold a second copy of those rules: this test fails on it.

The status codes are read from the enums themselves (every ``TextChoices`` whose name starts with ``Statut``), so
that a status added later is covered without touching this test."""

import importlib
import importlib.util
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

RACINE = Path(settings.BASE_DIR).resolve()

# The tags of the template language that compare: their string literals are compared with something.
BALISE_COMPARAISON = re.compile(r"{%-?\s*(?:if|elif|ifequal|ifnotequal)\b(?P<expression>.*?)-?%}", re.DOTALL)
BALISE = re.compile(r"{%.*?%}", re.DOTALL)
LITTERAL = re.compile(r"""(?P<guillemet>['"])(?P<texte>.*?)(?P=guillemet)""")
# A comparison outside the template tags (inline JavaScript): ``statut === "REJETEE"`` or ``"REJETEE" != x``.
COMPARAISON_SCRIPT = re.compile(
    r"""(?:[=!]==?\s*(?P<g1>['"])(?P<droite>[^'"\n]*)(?P=g1))|(?:(?P<g2>['"])(?P<gauche>[^'"\n]*)(?P=g2)\s*[=!]==?)"""
)


def _sous_classes(classe):
    for sous_classe in classe.__subclasses__():
        yield sous_classe
        yield from _sous_classes(sous_classe)


def enums_de_statut() -> list[type[models.TextChoices]]:
    """Every ``Statut*`` TextChoices of the project's apps (their ``enums`` and ``statuts`` modules and models)."""
    for config in apps.get_app_configs():
        for nom in ("enums", "statuts", "models"):
            module = f"{config.name}.{nom}"
            if _module_existe(module):
                importlib.import_module(module)
    return [
        e
        for e in _sous_classes(models.TextChoices)
        if e.__name__.startswith("Statut")
        and Path(importlib.import_module(e.__module__).__file__).resolve().is_relative_to(RACINE)
    ]


def _module_existe(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def valeurs_de_statut() -> dict[str, list[str]]:
    """Each status code with the enums that hold it (for the failure message)."""
    valeurs: dict[str, list[str]] = {}
    for enum in enums_de_statut():
        for valeur in enum.values:
            valeurs.setdefault(valeur, []).append(f"{enum.__module__}.{enum.__qualname__}")
    return valeurs


def gabarits() -> list[Path]:
    """Every template of the project: the apps' directories (``templates/``, ``form_templates/``…) and
    ``settings.TEMPLATES``' DIRS; never the installed packages'."""
    dossiers = {Path(d).resolve() for t in settings.TEMPLATES for d in t.get("DIRS", [])}
    dossiers |= {
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(RACINE)
    }
    exclus = {RACINE / ".venv", RACINE / "static", RACINE / "node_modules"}
    fichiers = set()
    for dossier in dossiers:
        for fichier in dossier.rglob("*.html"):
            if not any(fichier.is_relative_to(e) for e in exclus):
                fichiers.add(fichier)
    return sorted(fichiers)


def comparaisons_de_statut(texte: str, valeurs) -> list[tuple[int, str]]:
    """(line, excerpt) of each comparison of a template with a status code."""
    trouvees = []

    def ligne(position: int) -> int:
        return texte.count("\n", 0, position) + 1

    for balise in BALISE_COMPARAISON.finditer(texte):
        for litteral in LITTERAL.finditer(balise.group("expression")):
            # ``x in "A_RECYCLER SUSPENDUE"`` compares with each word of the literal.
            if any(mot in valeurs for mot in re.split(r"[\s,;|]+", litteral.group("texte"))):
                trouvees.append((ligne(balise.start()), balise.group(0).strip()))
                break
    # Outside the tags (blanked, lines kept), the script's comparisons.
    hors_balises = BALISE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), texte)
    for comparaison in COMPARAISON_SCRIPT.finditer(hors_balises):
        mot = comparaison.group("droite") if comparaison.group("droite") is not None else comparaison.group("gauche")
        if mot in valeurs:
            trouvees.append((ligne(comparaison.start()), comparaison.group(0).strip()))
    return trouvees


def test_les_codes_de_statut_viennent_des_enums():
    from facturation.enums import StatutFacture
    from organisation.enums import StatutRattachement, StatutStructure
    from sollicitations.enums import StatutSollicitation

    enums = enums_de_statut()
    for enum in (StatutFacture, StatutSollicitation, StatutRattachement, StatutStructure):
        assert enum in enums
    # Nested ones too (``OutboxMessage.Statut``, ``ModificationDifferee.Statut``).
    assert any(e.__qualname__.endswith(".Statut") for e in enums)
    valeurs = valeurs_de_statut()
    assert {"A_RECYCLER", "SUSPENDUE", "REJETEE", "ACTIF", "EN_ATTENTE", "RESOLUE", "ACTIVE"} <= valeurs.keys()


def test_le_detecteur_reconnait_une_comparaison_et_laisse_une_action():
    valeurs = valeurs_de_statut()
    assert comparaisons_de_statut("{% if facture.statut == 'A_RECYCLER' %}x{% endif %}", valeurs)
    assert comparaisons_de_statut('{% elif "REJETEE" != s %}', valeurs)
    assert comparaisons_de_statut("{% if r.statut in 'ACTIF EN_ATTENTE' %}", valeurs)
    assert comparaisons_de_statut("{%if statut == 'SUSPENDUE' or x%}", valeurs)
    assert comparaisons_de_statut('<script>if (statut === "RESOLUE") {}</script>', valeurs)
    assert not comparaisons_de_statut('{% if "recycler" in actions %}', valeurs)
    assert not comparaisons_de_statut("{% if facture.statut == statut_attendu %}", valeurs)
    assert not comparaisons_de_statut("{% url 'rechercher' %}?statut=REJETEE", valeurs)


def test_aucun_gabarit_ne_compare_avec_un_code_de_statut():
    valeurs = valeurs_de_statut()
    fichiers = gabarits()
    assert len(fichiers) > 50  # the scan really reads the project's templates
    assert RACINE / "facturation/templates/facturation/suivi.html" in fichiers
    assert RACINE / "templates/base.html" in fichiers
    fautes = [
        f"{fichier.relative_to(RACINE)}:{ligne}: {extrait}"
        for fichier in fichiers
        for ligne, extrait in comparaisons_de_statut(fichier.read_text(encoding="utf-8"), valeurs)
    ]
    assert not fautes, (
        "Ces gabarits comparent un statut avec un code : calculez l'action ou l'indicateur en Python "
        "(facturation/statuts.py, sollicitations/statuts.py, organisation/statuts.py).\n" + "\n".join(fautes)
    )
