"""The invoices' history is partitioned by month of its date (issue 15, ``chorus.partitions``): rows land in their
month's partition (or a catch-all one, before the first month or after the last), beat creates the coming months
idempotently and moves the catch-all's rows of a month it creates, the append-only rule still holds, and the
migration keeps yesterday's rows, ids and hash chains."""

import datetime
import re

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from chorus import partitions
from chorus.tasks import creer_partitions_mensuelles
from facturation.enums import StatutFacture
from facturation.models import HistoriqueFacture
from tests.facturation.factories import FactureFactory

TABLE = HistoriqueFacture._meta.db_table
UTC = datetime.UTC


def _partition_de(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _partitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE])
        return {nom for (nom,) in cursor.fetchall()}


def _mois_extremes() -> tuple[datetime.date, datetime.date]:
    mois = sorted(nom[-7:] for nom in _partitions() if re.fullmatch(rf"{TABLE}_p\d{{4}}_\d{{2}}", nom))
    return tuple(datetime.datetime.strptime(m, "%Y_%m").date() for m in (mois[0], mois[-1]))


def _nom(mois: datetime.date) -> str:
    return f"{TABLE}_p{mois:%Y_%m}"


def _ligne(facture, statut, *, le=None, precedent=""):
    champs = {"created_at": le} if le else {}
    return HistoriqueFacture.ajouter(
        objet=facture, acting_user=None, statut_precedent=precedent, statut=statut, role="SYSTEME", **champs
    )


@pytest.fixture
def facture(fournisseur_gp, etat):
    return FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)


@pytest.mark.django_db
def test_la_table_est_partitionnee_par_mois_contigus_entre_deux_partitions_fourre_tout():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p JOIN pg_attribute a "
            "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchone() == ("r", "created_at")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [TABLE],
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, created_at)"
        # The id sequence belongs to the column: Django's flush and sequence reset find it.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        assert cursor.fetchone()[0] == f"public.{TABLE}_id_seq"
    premier, dernier = _mois_extremes()
    mois, attendues = premier, {f"{TABLE}_passe", f"{TABLE}_futur"}
    while mois <= dernier:
        attendues.add(_nom(mois))
        mois = partitions.mois_suivant(mois)
    assert _partitions() == attendues


@pytest.mark.django_db
def test_une_ligne_va_dans_la_partition_de_son_mois(facture):
    partitions.creer_partitions_a_venir()
    maintenant = datetime.datetime.now(UTC)
    ligne = _ligne(facture, StatutFacture.DEPOSEE)
    assert _partition_de(ligne.pk) == f"{TABLE}_p{maintenant:%Y_%m}"
    # Reads by id, by invoice and the chain work as on a plain table.
    assert HistoriqueFacture.objects.get(pk=ligne.pk).empreinte == ligne.empreinte
    assert list(facture.historique.values_list("pk", flat=True)) == [ligne.pk]
    assert HistoriqueFacture.chaine_intacte(facture)


@pytest.mark.django_db
def test_un_mois_sans_partition_va_dans_une_partition_fourre_tout_puis_dans_la_sienne(facture):
    premier, dernier = _mois_extremes()
    avant_premier = partitions.mois_suivant(premier, -1)
    apres_dernier = partitions.mois_suivant(dernier)
    premiere = _ligne(
        facture, StatutFacture.DEPOSEE, le=datetime.datetime.combine(avant_premier, datetime.time(12), UTC)
    )
    seconde = _ligne(
        facture,
        StatutFacture.MISE_A_DISPOSITION,
        le=datetime.datetime.combine(apres_dernier, datetime.time(), UTC),  # the first instant of that month
        precedent=StatutFacture.DEPOSEE,
    )
    lointaine = _ligne(
        facture, StatutFacture.REJETEE, le=datetime.datetime(2999, 1, 1, tzinfo=UTC), precedent="MISE_A_DISPOSITION"
    )
    assert _partition_de(premiere.pk) == f"{TABLE}_passe"
    assert _partition_de(seconde.pk) == _partition_de(lointaine.pk) == f"{TABLE}_futur"

    # Creating the months moves their rows out of the catch-alls, unchanged.
    assert partitions.creer_partitions(TABLE, avant_premier, apres_dernier) == 2
    assert _partition_de(premiere.pk) == _nom(avant_premier)
    assert _partition_de(seconde.pk) == _nom(apres_dernier)
    assert _partition_de(lointaine.pk) == f"{TABLE}_futur"
    assert _mois_extremes() == (avant_premier, apres_dernier)
    relues = HistoriqueFacture.objects.filter(objet=facture).order_by("created_at", "id")
    assert [(h.pk, h.empreinte) for h in relues] == [(h.pk, h.empreinte) for h in (premiere, seconde, lointaine)]
    assert HistoriqueFacture.chaine_intacte(facture)
    # Asking for months that exist creates nothing.
    assert partitions.creer_partitions(TABLE, avant_premier, apres_dernier) == 0


@pytest.mark.django_db
def test_beat_cree_les_mois_a_venir_une_seule_fois():
    _, dernier = _mois_extremes()
    # Three months ahead of this day is the month after the last one.
    jour = datetime.datetime.combine(partitions.mois_suivant(dernier, -2), datetime.time(10), UTC)
    with time_machine.travel(jour, tick=False):
        assert creer_partitions_mensuelles() == {TABLE: 1}
        assert creer_partitions_mensuelles() == {TABLE: 0}
    assert _mois_extremes()[1] == partitions.mois_suivant(dernier)
    with time_machine.travel(jour + datetime.timedelta(days=62), tick=False):
        assert creer_partitions_mensuelles() == {TABLE: 2}
    assert _mois_extremes()[1] == partitions.mois_suivant(dernier, 3)


def test_beat_planifie_la_creation_des_partitions(settings):
    taches = {t["task"] for t in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "chorus.tasks.creer_partitions_mensuelles" in taches


@pytest.mark.django_db
def test_une_periode_inversee_est_refusee_sans_rien_creer():
    avant = _partitions()
    with pytest.raises(DatabaseError, match="Période invalide"), transaction.atomic():
        partitions.creer_partitions(TABLE, datetime.date(2040, 5, 1), datetime.date(2040, 1, 1))
    assert _partitions() == avant


@pytest.mark.django_db
def test_l_historique_reste_en_ajout_seul_sur_la_table_et_ses_partitions(facture):
    partitions.creer_partitions_a_venir()
    ligne = _ligne(facture, StatutFacture.DEPOSEE)
    for table in (TABLE, _partition_de(ligne.pk)):
        for requete in (f"UPDATE {table} SET motif = 'réécrit'", f"DELETE FROM {table}"):  # noqa: S608
            with pytest.raises(DatabaseError, match="Historique en ajout seul"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(requete)
    assert HistoriqueFacture.objects.get(pk=ligne.pk).motif == ""


@pytest.mark.django_db(transaction=True)
def test_la_migration_garde_les_lignes_d_hier_et_leurs_chaines(fournisseur_gp, etat):
    """A database at the previous migration (a plain table, rows of several months) migrates forward: every
    row is kept in its month's partition with its id, the chains still verify, and the ids go on."""
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    executor = MigrationExecutor(connection)
    derniers = executor.loader.graph.leaf_nodes()
    avant = [("facturation", "0016_merge_flux_tranches")]
    try:
        executor.migrate(avant)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
            assert cursor.fetchone()[0] == 0  # the reverse migration gave back a plain table
        lignes = [
            _ligne(facture, StatutFacture.DEPOSEE, le=datetime.datetime(2024, 1, 31, 23, 59, tzinfo=UTC)),
            _ligne(facture, "MISE_A_DISPOSITION", le=datetime.datetime(2024, 2, 1, tzinfo=UTC), precedent="DEPOSEE"),
            _ligne(facture, "REJETEE", le=datetime.datetime(2024, 4, 3, tzinfo=UTC), precedent="MISE_A_DISPOSITION"),
        ]
    finally:
        MigrationExecutor(connection).migrate(derniers)
    assert [_partition_de(h.pk) for h in lignes] == [f"{TABLE}_p2024_01", f"{TABLE}_p2024_02", f"{TABLE}_p2024_04"]
    relues = list(HistoriqueFacture.objects.filter(objet=facture).order_by("created_at", "id"))
    assert [(h.pk, h.empreinte) for h in relues] == [(h.pk, h.empreinte) for h in lignes]
    assert HistoriqueFacture.chaine_intacte(facture)
    suivante = _ligne(facture, "A_RECYCLER", precedent="REJETEE")
    assert suivante.pk > max(h.pk for h in lignes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [TABLE])
        assert [nom for (nom,) in cursor.fetchall()] == [f"{TABLE}_immuable"]
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [TABLE])
        assert cursor.fetchone()[0] == 2  # the invoice and the acting user
