"""``manage.py sauvegarder`` / ``manage.py restaurer`` (issue 13, item 14): a backup restored into a new database
and a new media folder gives a portal whose history chains verify, whose certificats de dépôt still match their
documents (recomputed, and through « Vérifier un dépôt »), and whose files are byte-identical; a tampered backup,
or a restore over a non-empty database or folder, is refused in French and changes nothing."""

import contextlib
import io
import json
import shutil
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chorus import sauvegarde
from chorus.roles import connexion_par_defaut
from chorus.sauvegarde import MANIFESTE, PARTIE_BASE, PARTIE_MEDIAS
from facturation import services
from facturation.certificat import empreinte_depot
from facturation.models import Facture, HistoriqueFacture
from tests import outils
from tests.facturation.factories import FactureFactory, ligne

pytestmark = pytest.mark.django_db(transaction=True)


def _pdf(numero: str) -> bytes:
    corps = "1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return f"%PDF-1.4\n% facture {numero}\n{corps}".encode()


def _admin():
    parametres = connection.settings_dict
    hote = parametres["HOST"] or parametres.get("OPTIONS", {}).get("host", "")
    return psycopg.connect(
        host=hote,
        port=parametres["PORT"] or None,
        user=parametres["USER"],
        password=parametres["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def base_neuve():
    """An empty database beside the test database: where the backup is restored."""
    nom = f"{connection.settings_dict['NAME']}_restauree"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{nom}"')
    yield {**connection.settings_dict, "NAME": nom}
    connection.close()
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


@pytest.fixture
def medias(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "medias"
    return settings.MEDIA_ROOT


@contextlib.contextmanager
def _dans(base: dict, dossier_medias: Path, settings):
    """The portal pointed at the restored database and media folder."""
    ancien = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = dossier_medias
    try:
        with connexion_par_defaut(base):
            yield
    finally:
        settings.MEDIA_ROOT = ancien


@pytest.fixture
def portail(fournisseur_gp, etat, medias):
    """Two deposited invoices (documents, certificats de dépôt, histories) and another uploaded file."""
    gp, structure = fournisseur_gp
    for numero in ("F-SAUV-1", "F-SAUV-2"):
        facture = FactureFactory(
            fournisseur_gp=(gp, structure),
            destinataire=etat,
            numero=numero,
            numero_marche="",
            lignes=[ligne(prix_unitaire_ht="1234.5")],
        )
        services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=_pdf(numero), nom_fichier="f.pdf")
    default_storage.save("pieces/jointes/notes é.txt", ContentFile("Pièce jointe\n".encode()))
    assert HistoriqueFacture.objects.count() == 4
    return gp, structure


def _fichiers(racine: Path) -> dict[str, bytes]:
    return {p.relative_to(racine).as_posix(): p.read_bytes() for p in sorted(Path(racine).rglob("*")) if p.is_file()}


def _commande(nom, *args, **options) -> str:
    sortie = io.StringIO()
    call_command(nom, *args, stdout=sortie, stderr=io.StringIO(), **options)
    return sortie.getvalue()


def test_sauvegarde_restauree_dans_une_base_neuve_historiques_certificats_et_fichiers_intacts(
    portail, base_neuve, medias, tmp_path, settings, client
):
    originaux = _fichiers(medias)
    assert len(originaux) == 3
    factures = {f.numero: (f.empreinte_certificat, f.date_depot) for f in Facture.objects.all()}
    assert all(empreinte for empreinte, _ in factures.values())
    nombre_historiques = HistoriqueFacture.objects.count()

    sortie = _commande("sauvegarder", tmp_path / "sauvegarde")
    assert "Sauvegarde écrite" in sortie
    manifeste = json.loads((tmp_path / "sauvegarde" / MANIFESTE).read_text())
    assert set(manifeste["parties"]) == {PARTIE_BASE, PARTIE_MEDIAS}
    assert manifeste["historiques"]["facturation.HistoriqueFacture"] == nombre_historiques
    assert manifeste["versions"]["postgresql"] and manifeste["versions"]["pg_dump"]
    assert (tmp_path / "sauvegarde").stat().st_mode & 0o777 == 0o700  # password hashes inside: owner only
    assert all((tmp_path / "sauvegarde" / nom).stat().st_mode & 0o077 == 0 for nom in manifeste["parties"])

    nouveaux_medias = tmp_path / "medias-restaurees"
    with _dans(base_neuve, nouveaux_medias, settings):
        assert not connection.introspection.table_names()  # really a new, empty database
        sortie = _commande("restaurer", tmp_path / "sauvegarde")
        assert "Restauration terminée : les historiques sont intacts et complets." in sortie
        assert "Tous les historiques sont intacts." in _commande("verifier_historiques")
        assert HistoriqueFacture.objects.count() == nombre_historiques
        assert _fichiers(nouveaux_medias) == originaux  # byte-identical, same names
        restaurees = list(Facture.objects.select_related("fournisseur", "destinataire"))
        assert sorted(f.numero for f in restaurees) == sorted(factures)
        for facture in restaurees:
            with facture.fichier.open("rb") as document:
                contenu = document.read()
            assert contenu == _pdf(facture.numero)
            assert (facture.empreinte_certificat, facture.date_depot) == factures[facture.numero]
            assert facture.empreinte_certificat == empreinte_depot(
                contenu,
                numero=facture.numero,
                siret_fournisseur=facture.fournisseur.identifiant,
                siret_destinataire=facture.destinataire.identifiant,
                date_depot=facture.date_depot,
            )
            assert HistoriqueFacture.chaine_intacte(facture)
        # « Vérifier un dépôt », on the restored portal, recognises the restored document by its certificate.
        restauree = Facture.objects.get(numero="F-SAUV-1")
        reponse = client.post("/verifier-un-depot/", {"empreinte": restauree.empreinte_certificat})
        moment = timezone.localtime(restauree.date_depot).strftime("%d/%m/%Y à %H:%M:%S")
        assert f"Ce document a été déposé sur Chorus Pro le {moment} sous le numéro de facture F-SAUV-1" in (
            outils.texte(reponse)
        )


def test_sauvegarde_alteree_refusee_sans_rien_restaurer(portail, base_neuve, tmp_path, settings):
    _commande("sauvegarder", tmp_path / "sauvegarde")
    for partie in (PARTIE_BASE, PARTIE_MEDIAS):
        alteree = tmp_path / f"alteree-{partie}"
        shutil.copytree(tmp_path / "sauvegarde", alteree)
        contenu = bytearray((alteree / partie).read_bytes())
        contenu[len(contenu) // 2] ^= 0x01
        (alteree / partie).write_bytes(bytes(contenu))
        nouveaux_medias = tmp_path / f"medias-{partie}"
        with _dans(base_neuve, nouveaux_medias, settings):
            with pytest.raises(CommandError) as refus:
                _commande("restaurer", alteree)
            assert str(refus.value) == (
                f"Sauvegarde refusée : l'empreinte SHA-256 de {partie} ne correspond pas à celle du manifeste "
                "(fichier modifié ou corrompu). Rien n'a été restauré."
            )
            assert not connection.introspection.table_names()
            assert not nouveaux_medias.exists()
    # A manifest that no longer lists a part is refused too.
    sans_partie = tmp_path / "sans-partie"
    shutil.copytree(tmp_path / "sauvegarde", sans_partie)
    manifeste = json.loads((sans_partie / MANIFESTE).read_text())
    del manifeste["parties"][PARTIE_MEDIAS]
    (sans_partie / MANIFESTE).write_text(json.dumps(manifeste))
    with _dans(base_neuve, tmp_path / "medias-x", settings), pytest.raises(CommandError, match="manque"):
        _commande("restaurer", sans_partie)


def test_base_ou_medias_non_vides_refuses_sauf_remplacer(portail, base_neuve, medias, tmp_path, settings):
    _commande("sauvegarder", tmp_path / "sauvegarde")
    # Over the (non-empty) test database itself: refused, nothing changed.
    with pytest.raises(CommandError, match="n'est pas vide : la restauration l'écraserait"):
        _commande("restaurer", tmp_path / "sauvegarde")
    assert Facture.objects.count() == 2
    # An empty database but a non-empty media folder: refused as well.
    occupe = tmp_path / "medias-occupees"
    occupe.mkdir()
    (occupe / "autre.txt").write_text("à garder")
    with _dans(base_neuve, occupe, settings):
        with pytest.raises(CommandError, match="Le dossier des fichiers .* n'est pas vide"):
            _commande("restaurer", tmp_path / "sauvegarde")
        assert not connection.introspection.table_names()
        assert (occupe / "autre.txt").read_text() == "à garder"
    # --remplacer: the restored database's later changes are replaced by the backup, the folder too.
    with _dans(base_neuve, occupe, settings):
        _commande("restaurer", tmp_path / "sauvegarde", remplacer=True)
        Facture.objects.filter(numero="F-SAUV-2").update(commentaire="modifiée après la sauvegarde")
        _commande("restaurer", tmp_path / "sauvegarde", remplacer=True)
        assert Facture.objects.get(numero="F-SAUV-2").commentaire == ""
        assert Facture.objects.count() == 2
        assert _fichiers(occupe) == _fichiers(medias)


def test_dossier_de_sauvegarde_non_vide_refuse(portail, tmp_path):
    (tmp_path / "occupe").mkdir()
    (tmp_path / "occupe" / "fichier").write_text("x")
    with pytest.raises(CommandError, match="existe déjà et n'est pas vide"):
        _commande("sauvegarder", tmp_path / "occupe")
    assert (tmp_path / "occupe" / "fichier").read_text() == "x"


def test_programmes_de_la_version_du_serveur_sinon_refus_en_francais(monkeypatch, tmp_path):
    """Only a client of the server's major version is used (pg_dump may be newer); none: a French refusal."""
    majeure = connection.pg_version // 10000
    dossier = tmp_path / "bin"
    dossier.mkdir()
    for nom in ("pg_dump", "pg_restore"):
        faux = dossier / nom
        faux.write_text(f"#!/bin/sh\necho '{nom} (PostgreSQL) {majeure + 1}.0'\n")
        faux.chmod(0o755)
    monkeypatch.setattr(sauvegarde, "_dossiers_candidats", lambda _majeure: [dossier])
    assert sauvegarde.programme("pg_dump", plus_recent=True).chemin == str(dossier / "pg_dump")
    with pytest.raises(sauvegarde.SauvegardeRefusee) as refus:
        sauvegarde.programme("pg_restore")
    assert f"Aucun programme pg_restore de PostgreSQL {majeure} (la version du serveur) n'a été trouvé" in str(
        refus.value
    )
    assert "CHORUS_PG_BIN" in str(refus.value)
    with pytest.raises(sauvegarde.SauvegardeRefusee, match="Aucun programme psql"):
        sauvegarde.programme("psql")


def test_restauration_accorde_ses_droits_au_role_applicatif(portail, base_neuve, tmp_path, settings):
    """Restored as the owner, the new database is then usable by the application role, still restricted."""
    _commande("sauvegarder", tmp_path / "sauvegarde")
    settings.DATABASE_PROPRIETAIRE = base_neuve
    application = {**base_neuve, "USER": "chorus_application_test", "PASSWORD": "mot-de-passe-du-role-de-test"}
    with _dans(application, tmp_path / "medias-restaurees", settings):
        assert "Restauration terminée" in _commande("restaurer", tmp_path / "sauvegarde")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == ("chorus_application_test",)
        assert Facture.objects.count() == 2 and HistoriqueFacture.objects.count() == 4
        with pytest.raises(DatabaseError) as refus, transaction.atomic():
            HistoriqueFacture.objects.update(motif="réécrit")
        # Refused by the privileges (the append-only trigger raises the same SQLSTATE with its own message).
        assert refus.value.__cause__.sqlstate == "42501"
        assert "Historique en ajout seul" not in str(refus.value)


def test_sauvegarde_d_une_version_anterieure_invite_a_migrer(portail, base_neuve, tmp_path, settings):
    """A backup whose schema lacks a migration of the code (an older portal) is restored, and the command says
    to run migrate."""
    _commande("sauvegarder", tmp_path / "sauvegarde")
    with _dans(base_neuve, tmp_path / "medias-restaurees", settings):
        assert "migration(s) du code" not in _commande("restaurer", tmp_path / "sauvegarde")
        # The same data, as an older portal would have written it: the last migration of sessions not there yet.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE app = 'sessions'")
        _commande("sauvegarder", tmp_path / "ancienne")
        sortie = _commande("restaurer", tmp_path / "ancienne", remplacer=True)
    assert "1 migration(s) du code ne sont pas appliquées à cette sauvegarde : lancez « manage.py migrate »." in sortie
