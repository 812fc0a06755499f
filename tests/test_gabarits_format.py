"""Amounts and dates print through ``chorus_format`` only (``montant``, ``jour``, ``jour_heure``, ``horodatage``…): a
template that formats a date or a number itself holds a second copy of the portal's format."""

import datetime
import re
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.test import override_settings

from chorus.templatetags.chorus_format import horodatage, horodatage_cellule
from tests.test_gabarits_sans_statut import RACINE, gabarits

# ``|date:"d/m/Y…"``, ``|floatformat``, ``|intcomma``: the formats ``chorus_format`` owns. ``|date:"F Y"`` (a month's
# name, Sollicitations' statistics) is no amount and no day: it stays.
FORMAT_RECOPIE = re.compile(r"""\|\s*(?:date\s*:\s*["']d/m/Y[^"']*["']|floatformat|intcomma)""")


def test_horodatage():
    assert horodatage(datetime.datetime(2026, 1, 2, 8, 5, 9)) == "02/01/2026 à 08:05:09"
    assert horodatage(datetime.date(2026, 1, 2)) == "02/01/2026"
    assert horodatage(None) == horodatage("") == ""
    assert horodatage_cellule(datetime.datetime(2026, 1, 2, 8, 5, 9)) == "02/01/2026 08:05:09"
    assert horodatage_cellule(None) == ""


@override_settings(TIME_ZONE="Europe/Paris")
def test_horodatage_en_heure_locale_dans_un_gabarit():
    instant = datetime.datetime(2026, 12, 3, 13, 5, 9, tzinfo=ZoneInfo("UTC"))
    rendu = Template("{% load chorus_format %}{{ dt|horodatage }}|{{ rien|horodatage|default:'—' }}").render(
        Context({"dt": instant, "rien": None})
    )
    assert rendu == "03/12/2026 à 14:05:09|—"


def test_le_detecteur_reconnait_un_format_recopie():
    assert FORMAT_RECOPIE.search('{{ f.date|date:"d/m/Y" }}')
    assert FORMAT_RECOPIE.search("{{ f.date|date:'d/m/Y H:i' }}")
    assert FORMAT_RECOPIE.search("{{ f.montant|floatformat:2 }}")
    assert not FORMAT_RECOPIE.search('{{ l.mois|date:"F Y" }}')
    assert not FORMAT_RECOPIE.search("{{ f.date|jour_heure }}")


def test_aucun_gabarit_ne_formate_une_date_ou_un_montant_lui_meme():
    fautes = [
        f"{fichier.relative_to(RACINE)}:{texte.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for fichier in gabarits()
        for texte in [fichier.read_text(encoding="utf-8")]
        for m in FORMAT_RECOPIE.finditer(texte)
    ]
    assert not fautes, "Formatez avec chorus_format (montant, jour, jour_heure, horodatage) :\n" + "\n".join(fautes)
