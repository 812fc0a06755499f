"""The restricted application role (issue 13, item 12): the portal connected as the role that
``creer_role_applicatif`` (and ``migrate``) sets up deposits an invoice and writes its history, but cannot UPDATE,
DELETE, TRUNCATE nor disable the append-only trigger of any history table; migrations run as the owner role.

The test database belongs to the role pytest-django connects with (the owner); the application role is created
here and the portal's default connection is switched to it (``chorus.roles.connexion_par_defaut``), exactly as
``DATABASE_URL`` / ``DATABASE_PROPRIETAIRE_URL`` do in production."""

import datetime
import io
import re

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from chorus.partitions import creer_partitions_a_venir
from chorus.roles import connexion_par_defaut, tables_historiques
from facturation import services
from facturation.enums import StatutFacture
from facturation.models import Facture, HistoriqueFacture
from tests.facturation.factories import FactureFactory, ligne

pytestmark = pytest.mark.django_db(transaction=True)

ROLE = "chorus_application_test"
MOT_DE_PASSE = "mot-de-passe-du-role-de-test"
TABLE = HistoriqueFacture._meta.db_table
PDF = b"%PDF-1.4\n% facture F-ROLE-1\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def roles(settings):
    """(owner, application) connection parameters; the owner is the role the test database belongs to."""
    proprietaire = {cle: connection.settings_dict[cle] for cle in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    proprietaire["OPTIONS"] = dict(connection.settings_dict.get("OPTIONS", {}))
    settings.DATABASE_PROPRIETAIRE = proprietaire
    return proprietaire, {**proprietaire, "USER": ROLE, "PASSWORD": MOT_DE_PASSE}


def _refus(requete: str) -> psycopg.Error:
    """Run ``requete`` as the current role; it must fail, and leave the connection usable."""
    with pytest.raises(DatabaseError) as erreur, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(requete)
    return erreur.value.__cause__


def _commande(nom, **options) -> str:
    sortie = io.StringIO()
    call_command(nom, stdout=sortie, **options)
    return sortie.getvalue()


def test_role_applicatif_depose_mais_ne_reecrit_aucun_historique(roles, fournisseur_gp, etat, client):
    proprietaire, application = roles
    gp, structure = fournisseur_gp
    facture = FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero="F-ROLE-1",
        numero_marche="",
        lignes=[ligne(prix_unitaire_ht="1234.5")],
    )
    with connexion_par_defaut(application):
        sortie = _commande("creer_role_applicatif")
        assert f"Rôle applicatif {ROLE} : lecture et écriture sur" in sortie
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (ROLE, False)

        # The portal works: a deposit through the services changes the invoice and appends its history...
        services.valider_et_envoyer(acting_user=gp, facture=facture, contenu=PDF, nom_fichier="facture.pdf")
        facture.refresh_from_db()
        assert facture.statut == StatutFacture.MISE_A_DISPOSITION
        assert HistoriqueFacture.objects.filter(objet=facture).count() == 2
        assert HistoriqueFacture.chaine_intacte(facture)
        # ...and pages read and write (the session) as this role.
        client.force_login(gp)
        assert client.get(reverse("factures_emises")).status_code == 200

        # Yet no history table can be rewritten, emptied, or stripped of its trigger.
        tables = tables_historiques()
        assert "facturation_historiquefacture" in tables and len(tables) >= 10
        for table in tables:
            for requete in (
                f"UPDATE {table} SET motif = 'réécrit'",
                f"DELETE FROM {table}",
                f"TRUNCATE {table}",
                f"ALTER TABLE {table} DISABLE TRIGGER {table}_immuable",
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                f"DROP TABLE {table}",
            ):
                erreur = _refus(requete)
                # Refused by the privileges ("permission denied", "must be owner"), before the append-only
                # trigger (which raises the same SQLSTATE with its own message) is even reached.
                assert erreur.sqlstate == "42501", (requete, erreur)
                assert "Historique en ajout seul" not in str(erreur), requete
        # A partitioned history's partitions (chorus.partitions) give it no privilege at all, not even SELECT...
        with connection.cursor() as cursor:
            cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE])
            parts = [nom for (nom,) in cursor.fetchall()]
        assert {f"{TABLE}_passe", f"{TABLE}_futur"} <= set(parts)
        for table in parts:
            for requete in (f"SELECT 1 FROM {table}", f"UPDATE {table} SET motif = 'x'", f"DELETE FROM {table}"):
                assert _refus(requete).sqlstate == "42501", requete
        # ...yet beat, connected as this role, creates the coming months through the owner's function (rolled
        # back: this test's database is kept).
        dernier = max(nom[-7:] for nom in parts if re.fullmatch(rf"{TABLE}_p\d{{4}}_\d{{2}}", nom))
        jour = datetime.datetime.strptime(dernier, "%Y_%m").replace(day=20, tzinfo=datetime.UTC)
        with time_machine.travel(jour, tick=False), transaction.atomic():
            assert creer_partitions_a_venir() == {TABLE: 3}
            transaction.set_rollback(True)
        # Nor can it switch every trigger off for its session (reserved to superusers).
        assert _refus("SET session_replication_role = replica").sqlstate == "42501"
        assert HistoriqueFacture.objects.filter(objet=facture).count() == 2

    # As the owner, the rows are still there, unchanged.
    facture_lignes = HistoriqueFacture.objects.filter(objet=facture)
    assert facture_lignes.count() == 2 and HistoriqueFacture.chaine_intacte(facture)
    assert not facture_lignes.filter(motif="réécrit").exists()


def test_migrate_tourne_en_proprietaire_et_accorde_les_droits(roles):
    proprietaire, application = roles
    with connexion_par_defaut(application):
        _commande("creer_role_applicatif")
    # A table whose privileges were lost (a table added by a later migration has none either).
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON TABLE facturation_facture FROM {ROLE}")
    with connexion_par_defaut(application):
        assert _refus("SELECT count(*) FROM facturation_facture").sqlstate == "42501"
        _commande("migrate", verbosity=0)  # started by the application's settings, runs as the owner
        assert Facture.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
            assert [owner for (owner,) in cursor.fetchall()] == [proprietaire["USER"]]


def test_creer_role_applicatif_idempotent(roles):
    _, application = roles
    with connexion_par_defaut(application):
        premiere = _commande("creer_role_applicatif")
        assert _commande("creer_role_applicatif") == premiere


def test_role_applicatif_superutilisateur_refuse(roles):
    proprietaire, _ = roles
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'chorus_super_test'")
        if not cursor.fetchone():
            cursor.execute("CREATE ROLE chorus_super_test LOGIN SUPERUSER")
    with connexion_par_defaut({**proprietaire, "USER": "chorus_super_test"}):
        with pytest.raises(CommandError, match="est superutilisateur ou ignore la sécurité des lignes"):
            _commande("creer_role_applicatif")


def test_sans_role_proprietaire_distinct_la_commande_l_explique(settings):
    settings.DATABASE_PROPRIETAIRE = None
    with pytest.raises(CommandError, match="DATABASE_PROPRIETAIRE_URL n'est pas définie"):
        _commande("creer_role_applicatif")
