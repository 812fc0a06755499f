"""The CPU cost of the pages of the locust mix (issue 15, goal 3), in-process through the whole stack with the
production settings, split into middleware, view, templates and SQL.

    .venv/bin/python -m bench.cout_pages [--n 20] [--tours 3] [--html DIR] [--profil] [--repartition] [--pages TEXTE]

What runs is what gunicorn runs, minus the HTTP parsing: ``chorus.settings.production`` (DEBUG off, the cached
template loader, the manifest static files, secure cookies, every middleware and context processor), the machine's
PostgreSQL and Redis as ``bench.charge`` uses them, a database cloned from ``bench.charge``'s prepared template
(``CHORUS_CHARGE_DB``, default ``chorus_cout_pages``: migrate + every application's demo data, as the load runs;
prepared on the first run) and its own Redis database (``CHORUS_CHARGE_REDIS``, default database 12). Each run
starts from a fresh clone, so two runs read the same data.

Each account of ``bench/locustfile.py`` is logged in (``force_login``: the login's argon2 is not a page) and asks
the GET pages of its journey: Synthèse, Rechercher, a status filter, an item (up to three items of the Rechercher
page, in turn), Tableau de bord, « Saisir facture », the « Prendre en compte » page. The forms' POSTs (a draft
saved, an invoice taken into account, ~6 % of the mix) are left out: they write, and two runs would not read
the same data. Each page's share of the mix is the locustfile's: the weight of its user class times how often a
task of the class asks it.

For each page: the process's CPU time per request (``time.thread_time``: the Python side, without the waits on
PostgreSQL and Redis, far steadier than the wall clock on a machine other processes load), median of ``--tours``
× ``--n`` requests, the tours interleaved so that a change of load touches every page alike; with
``--repartition``, a second pass splits it by where the time went (« sql »: inside the driver's execute;
« vue »: the view function, ORM query building and row decoding included; « gabarits »: template rendering, from
the view or a TemplateResponse; « reste »: middleware, URL resolution, the handler, the test client) — the probes
cost a few microseconds each, so the split is read as shares. ``--html DIR`` writes each page's HTML once, the CSP
nonce, CSRF token and django-dsfr's random ids made constant, so that two runs can be compared byte for byte
(``diff -r``). ``--profil``: a cProfile of the whole mix, once, timed by the CPU clock.
"""

import argparse
import cProfile
import functools
import itertools
import os
import pstats
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from bench.common import out

FOURNISSEUR = "fournisseur@demo.chorus-pro.fr"
DESTINATAIRE = "destinataire@demo.chorus-pro.fr"
TITULAIRE = "titulaire@demo.chorus-pro.fr"
MOE = "moe@demo.chorus-pro.fr"
MOA = "moa@demo.chorus-pro.fr"


@dataclass
class Page:
    nom: str  # locust's request name
    compte: str
    chemin: str  # the page, or the page whose links (``motif``) are the items asked in turn
    part: Fraction  # its share of the mix, before normalisation (see PAGES)
    motif: str = ""
    suffixe: str = ""  # appended to an item's URL (« traiter/… »)
    urls: list = field(default_factory=list)


def _lien(prefixe: str) -> str:
    return rf'href="({re.escape(prefixe)}\d+/)"'


F = Fraction
A_TRAITER = "/factures-recues/rechercher/?statut=MISE_A_DISPOSITION"
# bench/locustfile.py's GET pages. A page's share: its user class's weight × the weight of the tasks that ask it /
# the class's total task weight (a user runs tasks at about the same rate whatever its class). Fournisseur (5):
# Synthèse 3, Rechercher + an item 3, Tableau de bord 1, the status filter 1, « Saisir » 1 (of 9). Destinataire
# (5): the same three, and « Prendre en compte » 1 (of 8). Valideur (1): the list and an item. MOE and MOA (1
# each): Synthèse 2, Rechercher + an item 2, Tableau de bord 1 (of 5). Sollicitations (1 each): one task, every page.
PAGES = [
    Page("fournisseur: Synthèse", FOURNISSEUR, "/factures-emises/", F(15, 9)),
    Page("fournisseur: Rechercher", FOURNISSEUR, "/factures-emises/rechercher/", F(15, 9)),
    Page("fournisseur: une facture", FOURNISSEUR, "/factures-emises/rechercher/", F(15, 9), _lien("/factures-emises/")),
    Page("fournisseur: Tableau de bord", FOURNISSEUR, "/factures-emises/tableau-de-bord/", F(5, 9)),
    Page(
        "fournisseur: Rechercher (statut)",
        FOURNISSEUR,
        "/factures-emises/rechercher/?statut=MISE_A_DISPOSITION",
        F(5, 9),
    ),
    Page("fournisseur: Saisir (page)", FOURNISSEUR, "/factures-emises/saisir/", F(5, 9)),
    Page("destinataire: Synthèse", DESTINATAIRE, "/factures-recues/", F(15, 8)),
    Page("destinataire: Rechercher", DESTINATAIRE, "/factures-recues/rechercher/", F(15, 8)),
    Page(
        "destinataire: une facture", DESTINATAIRE, "/factures-recues/rechercher/", F(15, 8), _lien("/factures-recues/")
    ),
    Page("destinataire: Tableau de bord", DESTINATAIRE, "/factures-recues/tableau-de-bord/", F(5, 8)),
    Page("destinataire: Rechercher (à prendre en compte)", DESTINATAIRE, A_TRAITER, F(5, 8)),
    Page(
        "destinataire: Traiter (page)",
        DESTINATAIRE,
        A_TRAITER,
        F(5, 8),
        _lien("/factures-recues/"),
        "traiter/PRISE_EN_COMPTE_DESTINATAIRE/",
    ),
    Page("valideur: Factures à valider", TITULAIRE, "/factures-a-valider/", F(1)),
    Page("valideur: une facture", TITULAIRE, "/factures-a-valider/", F(1), _lien("/factures-a-valider/")),
    *(
        page
        for role, compte in (("MOE", MOE), ("MOA", MOA))
        for page in (
            Page(f"{role}: Factures de travaux Synthèse", compte, "/factures-travaux/", F(2, 5)),
            Page(f"{role}: Factures de travaux Rechercher", compte, "/factures-travaux/rechercher/", F(2, 5)),
            Page(
                f"{role}: une pièce de travaux",
                compte,
                "/factures-travaux/rechercher/",
                F(2, 5),
                _lien("/factures-travaux/pieces/"),
            ),
            Page(f"{role}: Factures de travaux Tableau de bord", compte, "/factures-travaux/tableau-de-bord/", F(1, 5)),
        )
    ),
    Page("sollicitations: émises Synthèse", FOURNISSEUR, "/sollicitations-emises/", F(1)),
    Page("sollicitations: émises Rechercher", FOURNISSEUR, "/sollicitations-emises/rechercher/", F(1)),
    Page(
        "sollicitations: une émise",
        FOURNISSEUR,
        "/sollicitations-emises/rechercher/",
        F(1),
        _lien("/sollicitations-emises/"),
    ),
    Page("sollicitations: reçues Synthèse", DESTINATAIRE, "/sollicitations-recues/", F(1)),
    Page("sollicitations: reçues Rechercher", DESTINATAIRE, "/sollicitations-recues/rechercher/", F(1)),
    Page("sollicitations: reçues Tableau de bord", DESTINATAIRE, "/sollicitations-recues/tableau-de-bord/", F(1)),
    Page(
        "sollicitations: une reçue",
        DESTINATAIRE,
        "/sollicitations-recues/rechercher/",
        F(1),
        _lien("/sollicitations-recues/"),
    ),
]


def preparer() -> None:
    """A fresh clone of the prepared database (prepared on the first run), the production environment in this
    process, then Django."""
    os.environ.setdefault("CHORUS_CHARGE_DB", "chorus_cout_pages")
    os.environ.setdefault("CHORUS_CHARGE_REDIS", "redis://127.0.0.1:6379/12")
    from bench import charge

    repertoire = Path(tempfile.mkdtemp(prefix="chorus-cout-pages-"))
    env = charge.environnement(repertoire, conn_max_age=60)
    charge.preparer(env, 0, modele=True)
    os.environ.update(env)
    import django

    django.setup()


class Repartition:
    """Exclusive CPU time per category of the request being measured: a stack of categories, the time between
    two probes going to the one on top (SQL run from a template is SQL, not template)."""

    def __init__(self):
        self.parts: dict[str, float] = {}
        self.requetes = 0
        self._pile = ["reste"]
        self._t = time.thread_time()

    def entrer(self, categorie: str) -> None:
        t = time.thread_time()
        self.parts[self._pile[-1]] = self.parts.get(self._pile[-1], 0.0) + t - self._t
        self._t = t
        self._pile.append(categorie)

    def sortir(self) -> None:
        t = time.thread_time()
        haut = self._pile.pop()
        self.parts[haut] = self.parts.get(haut, 0.0) + t - self._t
        self._t = t

    def clore(self) -> dict[str, float]:
        self.sortir()
        return self.parts


class Sondes:
    """The probes of ``--repartition``, installed for its pass only: the driver's execute (``execute_wrapper``),
    the view (wrapped where the handler makes it atomic) and the template backend's render."""

    def __init__(self):
        self.courante: Repartition | None = None

    def _dans(self, categorie, fonction, *args, **kwargs):
        r = self.courante
        if r is None:
            return fonction(*args, **kwargs)
        r.entrer(categorie)
        try:
            return fonction(*args, **kwargs)
        finally:
            r.sortir()

    def _sql(self, execute, sql, params, many, context):
        if self.courante is not None:
            self.courante.requetes += 1
        return self._dans("sql", execute, sql, params, many, context)

    def __enter__(self):
        from django.core.handlers.base import BaseHandler
        from django.db import connection
        from django.template.backends.django import Template

        self._originaux = (BaseHandler.make_view_atomic, Template.render)
        sondes = self
        atomique, rendu = self._originaux

        def make_view_atomic(handler, view):
            vue = atomique(handler, view)
            return functools.wraps(vue)(functools.partial(sondes._dans, "vue", vue))

        def render(gabarit, context=None, request=None):
            return sondes._dans("gabarits", rendu, gabarit, context, request)

        BaseHandler.make_view_atomic = make_view_atomic
        Template.render = render
        self._sql_ctx = connection.execute_wrapper(self._sql)
        self._sql_ctx.__enter__()
        return self

    def __exit__(self, *exc):
        from django.core.handlers.base import BaseHandler
        from django.template.backends.django import Template

        self._sql_ctx.__exit__(*exc)
        BaseHandler.make_view_atomic, Template.render = self._originaux


def clients() -> dict:
    """One logged-in test client per account, asking as the TLS proxy does (HTTPS, the served host)."""
    from django.test import Client

    from organisation.models import Utilisateur

    resultat = {}
    for compte in sorted({p.compte for p in PAGES}):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(Utilisateur.objects.get(email=compte))
        resultat[compte] = client
    return resultat


def demander(client, url: str):
    reponse = client.get(url, secure=True)
    if reponse.status_code != 200:
        raise SystemExit(f"{url} : {reponse.status_code} {reponse.get('Location', '')}")
    return reponse


def resoudre(pages: list[Page], clients: dict) -> None:
    """Each page's URLs: itself, or up to three of the items its page links to (first, middle, last)."""
    for page in pages:
        if not page.motif:
            page.urls = [page.chemin]
            continue
        liens = sorted(set(re.findall(page.motif, demander(clients[page.compte], page.chemin).content.decode())))
        if not liens:
            raise SystemExit(f"{page.nom} : aucun lien dans {page.chemin}")
        choisis = dict.fromkeys([liens[0], liens[len(liens) // 2], liens[-1]])
        page.urls = [f"{lien}{page.suffixe}" for lien in choisis]


def html_constant(dossier: Path, pages: list[Page], clients: dict) -> None:
    """Each page's HTML (its first URL), with what changes on every request made constant."""
    from dsfr.templatetags import dsfr_tags

    dossier.mkdir(parents=True, exist_ok=True)
    original = dsfr_tags.generate_random_id
    for page in pages:
        compteur = itertools.count()
        dsfr_tags.generate_random_id = lambda start="", c=compteur: f"{start}-id{next(c)}"
        try:
            html = demander(clients[page.compte], page.urls[0]).content.decode()
        finally:
            dsfr_tags.generate_random_id = original
        html = re.sub(r'nonce="[^"]*"', 'nonce="NONCE"', html)
        html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1CSRF"', html)
        nom = re.sub(r"[^a-z0-9]+", "-", page.nom.lower()).strip("-")
        (dossier / f"{nom}.html").write_text(html)
    out(f"HTML of {len(pages)} pages written to {dossier}")


def cpu_par_requete(client, urls: list[str], n: int, sondes: Sondes | None = None) -> tuple[list[float], list]:
    """n requests (the URLs in turn): each one's CPU seconds, and with probes each one's split."""
    temps, parts = [], []
    for url in itertools.islice(itertools.cycle(urls), n):
        if sondes is not None:
            sondes.courante = Repartition()
        t = time.thread_time()
        demander(client, url)
        temps.append(time.thread_time() - t)
        if sondes is not None:
            parts.append(sondes.courante.clore())
            sondes.courante = None
    return temps, parts


def mesurer(pages: list[Page], clients: dict, n: int, tours: int, *, repartition: bool) -> dict:
    resultats = {p.nom: {"cpu": [], "parts": [], "requetes": 0} for p in pages}
    for _ in range(tours):
        for page in pages:
            temps, _ = cpu_par_requete(clients[page.compte], page.urls, n)
            resultats[page.nom]["cpu"] += temps
        if repartition:
            with Sondes() as sondes:
                for page in pages:
                    sondes.courante = None
                    _, parts = cpu_par_requete(clients[page.compte], page.urls, n, sondes)
                    resultats[page.nom]["parts"] += parts
    if repartition:
        # The queries of one request of each URL, counted apart (the probe's count is per request).
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for page in pages:
            nombres = []
            for url in page.urls:
                with CaptureQueriesContext(connection) as ctx:
                    demander(clients[page.compte], url)
                nombres.append(len(ctx.captured_queries))
            resultats[page.nom]["requetes"] = statistics.mean(nombres)
    return resultats


CATEGORIES = ("reste", "vue", "gabarits", "sql")


def rapport(pages: list[Page], resultats: dict, *, repartition: bool) -> None:
    total_parts = sum(p.part for p in pages)
    entete = "| page | share of the mix | CPU ms / request (median) |"
    if repartition:
        entete += " middleware + handler | view | templates | SQL (driver) | queries |"
    out(entete)
    out("|---|---:|---:|" + ("---:|" * 5 if repartition else ""))
    moyenne = 0.0
    moyennes_parts = dict.fromkeys(CATEGORIES, 0.0)
    for page in pages:
        r = resultats[page.nom]
        part = float(page.part / total_parts)
        cpu = statistics.median(r["cpu"]) * 1e3
        moyenne += part * cpu
        ligne = f"| {page.nom} | {part:.1%} | {cpu:.2f} |"
        if repartition:
            # Shares of the probed pass, applied to the unprobed median.
            sommes = {c: sum(p.get(c, 0.0) for p in r["parts"]) for c in CATEGORIES}
            total = sum(sommes.values()) or 1.0
            for c in CATEGORIES:
                ms_c = cpu * sommes[c] / total
                moyennes_parts[c] += part * ms_c
                ligne += f" {ms_c:.2f} ({sommes[c] / total:.0%}) |"
            ligne += f" {r['requetes']:.0f} |"
        out(ligne)
    ligne = f"| **mix (weighted mean)** | 100 % | **{moyenne:.2f}** |"
    if repartition:
        ligne += "".join(f" {moyennes_parts[c]:.2f} ({moyennes_parts[c] / moyenne:.0%}) |" for c in CATEGORIES) + " |"
    out(ligne)


def profil(pages: list[Page], clients: dict, n: int, lignes: int) -> None:
    """cProfile of n requests of every page, weighted alike (the mix's hot spots, the layout's first), timed by
    the thread's CPU clock: on a loaded machine the wall clock would charge the waits on PostgreSQL and the time
    other processes held the core to whatever was running."""
    p = cProfile.Profile(time.thread_time)
    p.enable()
    for page in pages:
        cpu_par_requete(clients[page.compte], page.urls, n)
    p.disable()
    for tri in ("tottime", "cumulative"):
        pstats.Stats(p).sort_stats(tri).print_stats(lignes)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20, help="requests per page and tour")
    ap.add_argument("--tours", type=int, default=3)
    ap.add_argument("--repartition", action="store_true", help="split each page's CPU (a probed pass per tour)")
    ap.add_argument("--html", help="write each page's HTML (made constant) in this folder")
    ap.add_argument("--profil", action="store_true", help="cProfile of the mix")
    ap.add_argument("--lignes", type=int, default=45)
    ap.add_argument("--pages", help="only the pages whose name contains this")
    args = ap.parse_args()

    out(f"début {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {os.getloadavg()}")
    preparer()
    pages = [p for p in PAGES if not args.pages or args.pages in p.nom]
    connectes = clients()
    resoudre(pages, connectes)
    for page in pages:  # warm-up: templates compiled and cached, connections opened, caches filled
        for url in page.urls:
            for _ in range(3):
                demander(connectes[page.compte], url)
    if args.html:
        html_constant(Path(args.html), pages, connectes)
    if args.profil:
        profil(pages, connectes, args.n, args.lignes)
        return
    resultats = mesurer(pages, connectes, args.n, args.tours, repartition=args.repartition)
    out(
        f"fin {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, load average {os.getloadavg()}; "
        f"{args.tours} tours × {args.n} requests per page"
    )
    rapport(pages, resultats, repartition=args.repartition)


if __name__ == "__main__":
    main()
