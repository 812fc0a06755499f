"""Small helpers shared by the test modules."""

import contextlib
import html
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisation.services import modifications


def texte(response) -> str:
    """The body of a Django test ``response`` as text, HTML entities unescaped (« l'État » rather than
    « l&#x27;État »): what assertions on a page's wording read."""
    return html.unescape(response.content.decode())


def colonnes(page: str) -> list[str]:
    """The column headers of the tables of ``page`` (its ``<th scope="col">``), in order."""
    return re.findall(r'<th scope="col">([^<]*)</th>', page)


def contenu(response) -> bytes:
    """The body of a response as bytes, streamed (CSV and XLSX exports) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def a_l_instant(instant: datetime | None):
    """The clock stopped at ``instant`` for the block, for a set-up whose steps happen on given days: each history
    row then carries its step's instant to the second, and a page read later counts its delays from there.
    ``None``: the clock as it runs (today, or the day ``CHORUS_AUJOURDHUI`` sets)."""
    return contextlib.nullcontext() if instant is None else time_machine.travel(instant, tick=False)


def modifications_appliquees() -> int:
    """The sweep run once the deferred changes asked until now are due (the clock one minute past
    ``CHORUS_DELAI_MODIFICATION`` for it): the number of changes it applied."""
    with time_machine.travel(timezone.now() + settings.CHORUS_DELAI_MODIFICATION + timedelta(minutes=1)):
        return modifications.appliquer_modifications_dues()


def deux_pages(client, url: str, criteres: dict, *, lignes: str, requetes: tuple[int, int] | None = None):
    """The first page of the list at ``url`` searched with ``criteres`` and the page its « apres » link leads to
    (keyset pagination, 50 rows a page): a full first page whose link keeps the criteria, then a second page sharing
    no row with it. ``lignes``: the context key of the rows; ``requetes``: the most queries each page may take. The
    two responses."""
    with CaptureQueriesContext(connection) as lues:
        premiere = client.get(url, criteres)
    suivante = premiere.context["suivante"]
    assert len(premiere.context[lignes]) == 50 and suivante
    lien = f"?{urlencode(criteres)}&apres={suivante}".replace("&", "&amp;")
    assert lien in premiere.content.decode()
    with CaptureQueriesContext(connection) as lues_ensuite:
        seconde = client.get(url + html.unescape(lien))
    if requetes:
        for page, plafond in zip((lues, lues_ensuite), requetes, strict=True):
            assert len(page) <= plafond, [q["sql"] for q in page.captured_queries]
    numeros = [{ligne["numero"] for ligne in page.context[lignes]} for page in (premiere, seconde)]
    assert not numeros[0] & numeros[1]
    return premiere, seconde


def plan(qs, *interdits: str, table: str = "facturation_facture") -> str:
    """The EXPLAIN of ``qs`` after an ANALYZE of ``table``, with the planner's ``interdits`` methods off (``seqscan``,
    ``sort``…, for the transaction only): on a test table this small the planner would prefer them, forbidding them
    shows which index serves the query."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        for methode in interdits:
            cursor.execute(f"SET LOCAL enable_{methode} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
