"""CPU per invoice of a flux chunk, next to the portal's parse + official rules (``depot.analyser``) on the same
documents, in the same process and the same minutes (issue 15, goal 1: a chunk should cost little more than the
reading and rules every deposit must run).

    .venv/bin/python -m bench.tranche_flux [--format CII] [--factures 200] [--tours 3] [--profil] [--pstats FILE]

A scratch database (``chorus_bench_tranche``, dropped at the end) holds ``bench.flux``'s seller and State. Each round
builds a lot of ``--factures`` invoices (new numbers), runs ``depot.analyser`` over its documents, then deposits the
lot (``creer_flux``, its task not queued) and runs ``flux.traiter`` in this process: the split, then the lot as one
chunk (``TAILLE_TRANCHE`` set to the lot's size), the conclusion and the grouped notifications. The rules are
compiled before the first round. Reported per invoice: this process's CPU time (``time.process_time``: Python, lxml
and SaxonC, all threads, without the waits on PostgreSQL — on a machine shared with other work far steadier than
the wall clock), the wall time, and the CPU of the PostgreSQL backend serving this process (``/proc``), for
``depot.analyser``, for the chunk's pipeline (``envoi.deposer_et_envoyer_lot``: analysis and bulk write), for the
chunk task (``_traiter_tranche``: the lot's files extracted, the pipeline, the chunk counted) and for the whole
``traiter``. ``--profil`` adds a cProfile of the last round's ``traiter``: the calls per invoice of the parsing
and rules entry points, then the top functions."""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import out

DATABASE = "chorus_bench_tranche"
REDIS_DB = 12  # not bench.flux's: no worker of its runs picks up this run's notification messages
# Entry points whose calls per invoice the profile reports: (module file suffix, function name).
SUIVIS = [
    ("xml_securise.py", "parser"),
    ("lecture_xml.py", "lire_racine"),
    ("en16931.py", "verifier"),
    ("en16931.py", "profil_du_document"),
    ("en16931.py", "_syntaxe_racine"),
    ("en16931.py", "_regles_racine"),
    ("depot.py", "lire_document"),
    ("depot.py", "verifier_regles"),
    ("controles.py", "erreur_numero"),
    ("montants.py", "montants_du_document"),
    ("envoi.py", "certifier"),
]


ANALYSER = "`depot.analyser` (parse + rules), same documents"
TACHE = "chunk task (`flux._traiter_tranche`)"
TRAITER = "whole `flux.traiter` (split, chunk, conclusion)"
# The steps timed inside ``traiter`` (module, function looked up at call time); a step « of which » is part of the
# one above it and is timed without PostgreSQL's CPU (a read of /proc per call would weigh on per-invoice steps).
ETAPES = [
    (TACHE, "flux", "_traiter_tranche"),
    ("chunk pipeline (`envoi.deposer_et_envoyer_lot`)", "envoi", "deposer_et_envoyer_lot"),
    ("… of which reading + rules + profile (`envoi.lire`)", "envoi", "lire"),
    ("… of which draft rows built (`brouillons.nouveau_brouillon`)", "envoi", "nouveau_brouillon"),
    ("… of which the bulk write (`envoi._ecrire_lot`)", "envoi", "_ecrire_lot"),
    ("… … of which rows inserted (`brouillons.ecrire_nouveaux_brouillons`)", "envoi", "ecrire_nouveaux_brouillons"),
    ("… … of which files stored and certified (`envoi.certifier`)", "envoi", "certifier"),
]


class Chrono:
    """Process CPU, wall time and the PostgreSQL backend's CPU accumulated over the calls of one function."""

    def __init__(self, backend_pid: int | None):
        self.backend_pid = backend_pid
        self.cpu = self.mur = self.base = 0.0

    def envelopper(self, fonction):
        def chronometree(*args, **kwargs):
            base = cpu_backend(self.backend_pid) if self.backend_pid else 0.0
            cpu, mur = time.process_time(), time.perf_counter()
            try:
                return fonction(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - cpu
                self.mur += time.perf_counter() - mur
                if self.backend_pid:
                    self.base += cpu_backend(self.backend_pid) - base

        return chronometree


def analyser_tous(depot, contenus: list[bytes]) -> int:
    """``depot.analyser`` over the documents: how many EN 16931 errors they have (none for the bench's)."""
    return sum(len(depot.analyser(contenu).erreurs) for contenu in contenus)


def cpu_backend(pid: int) -> float:
    """User + system CPU seconds of a process (the PostgreSQL backend of this connection), from /proc."""
    champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", default="CII", choices=["CII", "UBL", "FACTURX"])
    ap.add_argument("--factures", type=int, default=200)
    ap.add_argument("--tours", type=int, default=3)
    ap.add_argument("--profil", action="store_true", help="cProfile of the last round's traiter")
    ap.add_argument("--lignes", type=int, default=30, help="top functions printed with --profil")
    ap.add_argument("--pstats", help="with --profil: also write the profile to this file (pstats format)")
    args = ap.parse_args()

    import psycopg

    from bench import flux as banc
    from bench.common import dsn

    banc.DATABASE, banc.REDIS_DB = DATABASE, REDIS_DB
    with psycopg.connect(dsn("postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    medias = tempfile.mkdtemp(prefix="bench-tranche-")  # the invoices' files, deleted at the end
    os.environ["MEDIA_ROOT"] = medias
    banc.setup()
    try:
        mesurer(banc, args)
    finally:
        shutil.rmtree(medias, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(dsn("postgres"), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        import redis
        from django.conf import settings

        redis.Redis.from_url(settings.REDIS_URL).flushdb()


def mesurer(banc, args) -> None:
    from django.db import connection

    from facturation import depot
    from facturation.api import flux as flux_api
    from facturation.api import tasks
    from facturation.api.vues_flux import creer_flux
    from facturation.services import envoi

    vendeur, compte = banc.preparer_donnees()
    tasks.lancer_flux = lambda *a: None  # the lot runs in this process
    flux_api.TAILLE_TRANCHE = args.factures  # one chunk
    depot.analyser(banc.documents(args.format, 1, "PRE-")[0])  # rules compiled before the clock
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_backend_pid()")
        backend = curseur.fetchone()[0]
    out(
        f"{args.format}, {args.factures} invoices per lot (one chunk), {args.tours} rounds; load average at the start: "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    out("\n| round | step | CPU ms / invoice | wall ms / invoice | PostgreSQL CPU ms / invoice |")
    out("|---:|---|---:|---:|---:|")
    lignes: dict[str, list[float]] = {}
    modules = {"envoi": envoi, "flux": flux_api}
    etapes = [(nom, modules[module], fonction) for nom, module, fonction in ETAPES]
    extension = "pdf" if args.format == "FACTURX" else "xml"
    for tour in range(1, args.tours + 1):
        contenus = banc.documents(args.format, args.factures, f"T{tour}-{os.getpid()}-")
        analyser = Chrono(backend)
        erreurs = analyser.envelopper(analyser_tous)(depot, contenus)
        assert erreurs == 0, "le document du banc ne respecte pas ses règles"
        lot = banc.tar_gz(contenus, extension)
        flux = creer_flux(
            structure=vendeur, compte=compte, syntaxe=banc.SYNTAXES[args.format], nom_fichier="lot.tar.gz", contenu=lot
        )
        chronos = {nom: Chrono(None if nom.startswith("…") else backend) for nom, _m, _f in ETAPES}
        originaux = [(getattr(module, fonction), module, fonction) for _nom, module, fonction in etapes]
        for (nom, _m, _f), (originale, module, fonction) in zip(ETAPES, originaux, strict=True):
            setattr(module, fonction, chronos[nom].envelopper(originale))
        traiter = Chrono(backend)
        # Timed by this process's CPU, not the wall clock: a loaded machine's waits would swell every function.
        profil = cProfile.Profile(time.process_time) if args.profil and tour == args.tours else None
        try:
            if profil is not None:
                profil.enable()
            flux = traiter.envelopper(flux_api.traiter)(tasks._flux(flux.pk))
        finally:
            if profil is not None:
                profil.disable()
            for originale, module, fonction in originaux:
                setattr(module, fonction, originale)
        assert flux.etat == "IN_INTEGRE" and flux.factures.count() == args.factures, (flux.etat, flux.erreurs_dp)
        for nom, chrono in [(ANALYSER, analyser), *chronos.items(), (TRAITER, traiter)]:
            cpu, mur, base = (1e3 * x / args.factures for x in (chrono.cpu, chrono.mur, chrono.base))
            marque = " (profiled)" if profil is not None else ""
            base_texte = f"{base:.2f}" if chrono.backend_pid else ""
            out(f"| {tour}{marque} | {nom} | {cpu:.2f} | {mur:.2f} | {base_texte} |")
            if profil is None:
                lignes.setdefault(nom, []).append(cpu)
        if profil is not None:
            imprimer_profil(profil, args.factures, args.lignes)
            if args.pstats:
                profil.dump_stats(args.pstats)
    if lignes:
        out("\nMedian CPU ms / invoice over the unprofiled rounds:\n")
        out("| step | CPU ms / invoice |")
        out("|---|---:|")
        for nom, valeurs in lignes.items():
            out(f"| {nom} | {statistics.median(valeurs):.2f} |")
        analyse = statistics.median(lignes[ANALYSER])
        tache = statistics.median(lignes[TACHE])
        out(f"chunk task ÷ depot.analyser (CPU): {tache / analyse:.2f}")
    out(f"load average at the end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


def imprimer_profil(profil: cProfile.Profile, factures: int, lignes: int) -> None:
    stats = pstats.Stats(profil)
    out("\nCalls per invoice in the profiled `traiter` (cumulative CPU per invoice, under the profiler):\n")
    out("| function | calls / invoice | cumulative CPU ms / invoice |")
    out("|---|---:|---:|")
    for fichier, nom in SUIVIS:
        for (chemin, _ligne, fonction), (_cc, appels, _tt, cumul, _appelants) in stats.stats.items():
            if fonction == nom and chemin.endswith(fichier):
                out(f"| `{Path(chemin).stem}.{nom}` | {appels / factures:.2f} | {1e3 * cumul / factures:.2f} |")
    tampon = io.StringIO()
    pstats.Stats(profil, stream=tampon).sort_stats("tottime").print_stats(lignes)
    out("\nTop functions by own time:\n```")
    out(tampon.getvalue().split("\n\n", 2)[-1].rstrip())
    out("```")


if __name__ == "__main__":
    main()
