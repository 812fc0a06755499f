"""The Tableaux de bord's counters (``CompteurFactures``, issue 15 goal 2): kept by the database on every write of
invoices (drafts, sending, transitions, abandon, delete, bulk insert, bulk update, a change of structure or
service), read through the same perimeter as the invoices, folded by ``compacter``, checked against the invoices by
``verifier_compteurs``, and rebuilt by the migration from yesterday's invoices."""

import logging
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chorus.celery import app
from facturation import compteurs, queries, tasks
from facturation.enums import StatutFacture
from facturation.models import CompteurFactures, Facture
from tests.factories import (
    ServiceFactory,
    StructureFactory,
    UtilisateurFactory,
    rattacher,
    siret_aleatoire,
    utilisateur_de,
)
from tests.facturation.en_volume import en_masse
from tests.facturation.factories import FactureFactory, amener, fournisseur_pret

pytestmark = pytest.mark.django_db
S = StatutFacture


def _par_statut(qs) -> dict[str, int]:
    """The dashboards' former query: the scoped invoices grouped by status."""
    return dict(qs.values("statut").annotate(n=Count("id")).order_by().values_list("statut", "n"))


@pytest.fixture
def monde(fournisseur_gp, etat):
    """A supplier with a service COMPTA, the State (its services DRFIP_IDF and FACTURES_PUBLIQUES), another public
    structure, and their users: whole structure, service only, no profile, other structure."""
    gp, fournisseur = fournisseur_gp
    compta = ServiceFactory(structure=fournisseur, code="COMPTA", libelle="Comptabilité")
    agent_compta = UtilisateurFactory(email="compta@fournisseur.fr")
    rattacher(gp, agent_compta, fournisseur, service=compta)
    commune = StructureFactory(identifiant=siret_aleatoire(), raison_sociale="Commune de Vif", publique=True)
    return {
        "gp": gp,
        "agent_compta": agent_compta,
        "compta": compta,
        "commune": commune,
        "agent_etat": utilisateur_de(etat, profils={"FACTURES_RECUES": "modification"}, email="agent@etat.gouv.fr"),
        "agent_drfip": utilisateur_de(
            etat,
            service=etat.services.get(code="DRFIP_IDF"),
            profils={"FACTURES_RECUES": "modification"},
            email="drfip@etat.gouv.fr",
        ),
        "agent_commune": utilisateur_de(commune, profils={"FACTURES_RECUES": "modification"}, email="a@vif.fr"),
        "sans_profil": UtilisateurFactory(email="personne@exemple.fr"),
    }


def _verifier(monde) -> None:
    """For every user, both dashboards' counts equal the scoped GROUP BY of the invoices, and no key drifts."""
    for nom in ("gp", "agent_compta", "agent_etat", "agent_drfip", "agent_commune", "sans_profil"):
        user = monde[nom]
        assert queries.comptes_emises(user) == _par_statut(queries.factures_emises(user)), nom
        assert queries.comptes_recues(user) == _par_statut(queries.factures_recues(user)), nom
    assert compteurs.ecarts() == []


def test_compteurs_egaux_au_group_by_a_chaque_ecriture(fournisseur_gp, etat, monde):
    gp, fournisseur = fournisseur_gp
    drfip = etat.services.get(code="DRFIP_IDF")
    publiques = etat.services.get(code="FACTURES_PUBLIQUES")
    # Drafts (one for the supplier's service COMPTA), then sent invoices.
    brouillon = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, service_fournisseur=monde["compta"])
    _verifier(monde)
    rejetee = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, envoyer=True)
    payee = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, service="FACTURES_PUBLIQUES", recue=True)
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=monde["commune"], service=None, envoyer=True)
    _verifier(monde)
    # Transitions: rejection, payment, the draft abandoned.
    amener(rejetee, S.REJETEE, fournisseur=gp)
    amener(payee, S.MISE_EN_PAIEMENT, fournisseur=gp)
    amener(brouillon, S.ABANDONNEE, fournisseur=gp)
    _verifier(monde)
    assert queries.comptes_emises(gp) == {
        "ABANDONNEE": 1,
        "BROUILLON": 1,
        "MISE_A_DISPOSITION": 1,
        "MISE_EN_PAIEMENT": 1,
        "REJETEE": 1,
    }
    assert queries.comptes_emises(monde["agent_compta"]) == {"BROUILLON": 1}
    assert queries.comptes_recues(monde["agent_etat"]) == {"MISE_EN_PAIEMENT": 1, "REJETEE": 1}
    assert queries.comptes_recues(monde["agent_drfip"]) == {"REJETEE": 1}
    assert queries.comptes_recues(monde["agent_commune"]) == {"MISE_A_DISPOSITION": 1}
    # A bulk insert (one statement, one trigger run), then a bulk status change and a change of service.
    en_masse(fournisseur_gp, 30, destinataire=etat, service_destinataire=drfip, statut=S.MISE_A_DISPOSITION)
    _verifier(monde)
    assert queries.comptes_recues(monde["agent_drfip"]) == {"MISE_A_DISPOSITION": 30, "REJETEE": 1}
    Facture.objects.filter(numero__in=["M-000", "M-001", "M-002"]).update(statut=S.SERVICE_FAIT)
    Facture.objects.filter(numero__in=["M-003", "M-004"]).update(service_destinataire=publiques)
    Facture.objects.filter(numero="M-005").update(destinataire=monde["commune"], service_destinataire=None)
    Facture.objects.filter(numero="M-006").update(service_fournisseur=monde["compta"])
    _verifier(monde)
    assert queries.comptes_recues(monde["agent_drfip"]) == {"MISE_A_DISPOSITION": 24, "REJETEE": 1, "SERVICE_FAIT": 3}
    assert queries.comptes_emises(monde["agent_compta"]) == {"BROUILLON": 1, "MISE_A_DISPOSITION": 1}
    # Deletes, one and many (a fresh draft: an invoice with a history is never deleted).
    a_supprimer = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    _verifier(monde)
    a_supprimer.lignes.all().delete()
    a_supprimer.recapitulatif_tva.all().delete()
    Facture.objects.filter(pk=a_supprimer.pk).delete()
    Facture.objects.filter(numero__startswith="M-0", numero__gte="M-010").delete()
    _verifier(monde)
    assert queries.comptes_recues(monde["agent_drfip"]) == {"MISE_A_DISPOSITION": 4, "REJETEE": 1, "SERVICE_FAIT": 3}
    # An amount changed moves no invoice between counters: nothing is appended.
    lignes = CompteurFactures.objects.count()
    Facture.objects.filter(pk=payee.pk).update(telechargee_le=timezone.now())
    assert CompteurFactures.objects.count() == lignes
    # Folding leaves one row per key and the same counts.
    utilisateurs = [u for u in monde.values() if isinstance(u, type(gp))]
    avant = [(queries.comptes_emises(u), queries.comptes_recues(u)) for u in utilisateurs]
    cles, restantes = compteurs.compacter()
    assert cles > 0 and restantes <= cles
    assert not CompteurFactures.objects.filter(compacte=False).exists()
    par_cle = CompteurFactures.objects.values("cote", "structure", "service", "statut").annotate(n=Count("id"))
    assert {c["n"] for c in par_cle} == {1}
    assert not CompteurFactures.objects.filter(nombre=0).exists()
    assert [(queries.comptes_emises(u), queries.comptes_recues(u)) for u in utilisateurs] == avant
    _verifier(monde)
    assert compteurs.compacter() == (0, 0)


def test_un_utilisateur_ne_lit_jamais_les_compteurs_d_une_autre_structure(client, fournisseur_gp, etat, monde):
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)
    autre_gp, _autre = fournisseur_pret(email="autre@fournisseur.fr", raison_sociale="Autre fournisseur")
    assert CompteurFactures.objects.filter(structure=etat).exists()
    for nom in ("agent_commune", "sans_profil"):
        assert not CompteurFactures.objects.recues_par(monde[nom]).exists()
        assert not CompteurFactures.objects.emises_par(monde[nom]).exists()
        client.force_login(monde[nom])
        assert client.get(reverse("tableau_de_bord_factures_recues")).context["total"] == 0
        assert client.get(reverse("tableau_de_bord_factures")).context["lignes"] == []
    assert queries.comptes_emises(autre_gp) == {}
    # The recipient's agents never read the supplier's issued counters, nor the supplier its recipient's.
    assert queries.comptes_emises(monde["agent_etat"]) == {}
    assert queries.comptes_recues(monde["gp"]) == {}
    client.logout()
    assert client.get(reverse("tableau_de_bord_factures"))["Location"].startswith(reverse("connexion"))


def test_tableaux_de_bord_en_requetes_bornees_quel_que_soit_le_volume(
    client, fournisseur_gp, etat, monde, django_assert_max_num_queries
):
    drfip = etat.services.get(code="DRFIP_IDF")
    pages = [(monde["gp"], "tableau_de_bord_factures"), (monde["agent_etat"], "tableau_de_bord_factures_recues")]
    for volume in (5, 120):
        en_masse(
            fournisseur_gp,
            volume,
            prefixe=f"V{volume}",
            destinataire=etat,
            service_destinataire=drfip,
            statut=S.MISE_A_DISPOSITION,
        )
        compteurs.compacter()
        for user, page in pages:
            client.force_login(user)
            client.get(reverse(page))
            with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as requetes:
                response = client.get(reverse(page))
            assert response.status_code == 200
            assert not [q for q in requetes.captured_queries if '"facturation_facture"' in q["sql"]]
    # The rows read are one per key, whatever the number of invoices: here one status, structure-wide.
    assert CompteurFactures.objects.recues_par(monde["agent_etat"]).count() == 1
    assert CompteurFactures.objects.emises_par(monde["gp"]).count() == 1
    client.force_login(monde["agent_etat"])
    response = client.get(reverse("tableau_de_bord_factures_recues"))
    assert response.context["total"] == 125 and response.context["a_traiter"] == 125
    client.force_login(monde["gp"])
    lignes = client.get(reverse("tableau_de_bord_factures")).context["lignes"]
    assert lignes == [{"statut": "MISE_A_DISPOSITION", "libelle": "Mise à disposition du destinataire", "nombre": 125}]


def test_verifier_compteurs_signale_et_corrige_les_ecarts(capsys, fournisseur_gp, etat, monde):
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)
    call_command("verifier_compteurs")
    assert "aucun écart" in capsys.readouterr().out
    # A counter too high for the State, a missing one for the supplier (as if a write had bypassed the triggers).
    CompteurFactures.objects.create(cote="RECUES", structure=etat, service=None, statut=S.REJETEE, nombre=2)
    CompteurFactures.objects.filter(cote="EMISES", statut=S.MISE_A_DISPOSITION).delete()
    with pytest.raises(CommandError, match="2 compteur"):
        call_command("verifier_compteurs")
    sortie = capsys.readouterr().out
    assert f"RECUES structure {etat.pk}, REJETEE : 2 compté(s), 0 facture(s)" in sortie
    assert "EMISES structure" in sortie and "MISE_A_DISPOSITION : 0 compté(s), 1 facture(s)" in sortie
    assert queries.comptes_recues(monde["agent_etat"]) == {"MISE_A_DISPOSITION": 1, "REJETEE": 2}
    call_command("verifier_compteurs", "--corriger")
    assert "2 compteur(s) corrigé(s)" in capsys.readouterr().out
    _verifier(monde)
    assert queries.comptes_recues(monde["agent_etat"]) == {"MISE_A_DISPOSITION": 1}
    call_command("verifier_compteurs")
    assert "aucun écart" in capsys.readouterr().out


def test_taches_beat_compactent_et_signalent(caplog, fournisseur_gp, etat, monde):
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)
    assert CompteurFactures.objects.filter(compacte=False).exists()
    assert tasks.compacter_compteurs() > 0
    assert not CompteurFactures.objects.filter(compacte=False).exists()
    assert tasks.verifier_compteurs() == 0
    CompteurFactures.objects.create(cote="EMISES", structure=etat, service=None, statut=S.REJETEE, nombre=1)
    with caplog.at_level(logging.ERROR, logger="facturation.tasks"):
        assert tasks.verifier_compteurs() == 1
    assert "Compteur de factures en écart" in caplog.text
    planifiees = {e["task"]: e["schedule"] for e in app.conf.beat_schedule.values()}
    assert planifiees["facturation.tasks.compacter_compteurs"].minute == set(range(60))
    assert "facturation.tasks.verifier_compteurs" in planifiees


AVANT = [("facturation", "0016_merge_flux_tranches")]


@pytest.mark.django_db(transaction=True)
def test_la_migration_compte_les_factures_d_hier(fournisseur_gp, etat):
    """A database at the previous migration, with invoices, migrates forward with its counters right."""
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat)
    executor = MigrationExecutor(connection)
    derniers = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(AVANT)
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass('facturation_compteurfactures')")
            assert cur.fetchone()[0] is None
        # Written while the counters did not exist (yesterday's invoices).
        anciens = MigrationExecutor(connection).loader.project_state(AVANT).apps.get_model("facturation", "Facture")
        gp, fournisseur = fournisseur_gp
        anciens.objects.bulk_create(
            anciens(
                fournisseur_id=fournisseur.pk,
                destinataire_id=etat.pk,
                numero=f"H-{i}",
                statut=statut,
                created_by_id=gp.pk,
            )
            for i, statut in enumerate([S.MISE_A_DISPOSITION, S.REJETEE, S.REJETEE, S.BROUILLON])
        )
    finally:
        MigrationExecutor(connection).migrate(derniers)
    assert compteurs.ecarts() == []
    agent = utilisateur_de(etat, profils={"FACTURES_RECUES": "consultation"}, email="hier@etat.gouv.fr")
    assert (
        queries.comptes_recues(agent)
        == _par_statut(queries.factures_recues(agent))
        == {
            "MISE_A_DISPOSITION": 2,
            "REJETEE": 2,
        }
    )
    assert queries.comptes_emises(gp) == _par_statut(Facture.objects.filter(fournisseur=fournisseur))
    assert queries.comptes_emises(gp)["BROUILLON"] == 2
    # The triggers came back with the table: a new invoice is counted.
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)
    assert queries.comptes_recues(agent)["MISE_A_DISPOSITION"] == 3


# Migration 0017's first text (commit 61f070c): the three functions a database migrated before the kit still has —
# the same counting, without the early return on a statement that wrote no row.
_PARTS_0017 = """
        SELECT 'EMISES' AS cote, fournisseur_id AS structure_id, service_fournisseur_id AS service_id, statut,
               {signe} AS n FROM {table}
        UNION ALL
        SELECT 'RECUES', destinataire_id, service_destinataire_id, statut, {signe} FROM {table}
        WHERE destinataire_id IS NOT NULL"""
_FONCTION_0017 = """
CREATE OR REPLACE FUNCTION {nom}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO facturation_compteurfactures (cote, structure_id, service_id, statut, nombre, compacte)
    SELECT cote, structure_id, service_id, statut, sum(n), false
    FROM ({parts}) AS parts
    GROUP BY cote, structure_id, service_id, statut
    HAVING sum(n) <> 0;
    RETURN NULL;
END $$;"""
FONCTIONS_0017 = {
    "insert": [("nouvelles", 1)],
    "update": [("nouvelles", 1), ("anciennes", -1)],
    "delete": [("anciennes", -1)],
}
AVANT_0022 = ("facturation", "0021_numero_court_par_structure")


def _fonctions_et_declencheurs() -> dict[str, tuple[str, str, str]]:
    """Each event's function as the database holds it (its body, its whole definition) and its trigger's."""
    installes = {}
    with connection.cursor() as cur:
        for evenement in FONCTIONS_0017:
            nom = f"{compteurs.COMPTEUR.nom}_{evenement}"
            cur.execute(
                "SELECT p.prosrc, pg_get_functiondef(p.oid), pg_get_triggerdef(t.oid) FROM pg_proc p "
                "JOIN pg_trigger t ON t.tgfoid = p.oid AND t.tgname = p.proname AND NOT t.tgisinternal "
                "WHERE p.proname = %s",
                [nom],
            )
            installes[evenement] = cur.fetchone()
    return installes


@pytest.mark.django_db(transaction=True)
def test_la_migration_0022_remplace_les_fonctions_d_avant_le_kit(fournisseur_gp, etat):
    """A database at 0021 whose counters' functions are 0017's first text: migrating forward installs the kit's
    functions (the early return included) under the same triggers, and the counters still equal the invoices'
    GROUP BY after writes; migrating back past 0022 keeps the kit's functions (the schema a new database has at
    0021)."""
    kit = compteurs.COMPTEUR
    with connection.cursor() as cur:
        cur.execute("SELECT current_schema()")
        (schema,) = cur.fetchone()
    attendus = {
        evenement: (
            kit.corps(evenement),
            f"CREATE OR REPLACE FUNCTION {schema}.{kit.nom}_{evenement}()\n RETURNS trigger\n LANGUAGE plpgsql\n"
            f"AS $function${kit.corps(evenement)}$function$\n",
            " ".join(kit._declencheur(evenement).split())
            .rstrip(";")
            .replace(f" ON {kit.source} ", f" ON {schema}.{kit.source} "),
        )
        for evenement in FONCTIONS_0017
    }
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, recue=True)
    derniers = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        call_command("migrate", *AVANT_0022, verbosity=0)
        with connection.cursor() as cur:
            for evenement, tables in FONCTIONS_0017.items():
                parts = " UNION ALL ".join(_PARTS_0017.format(table=t, signe=s) for t, s in tables)
                cur.execute(_FONCTION_0017.format(nom=f"{kit.nom}_{evenement}", parts=parts))
        anciens = _fonctions_et_declencheurs()
        for evenement, (corps, _, declencheur) in anciens.items():
            assert "IF NOT EXISTS" not in corps and corps != attendus[evenement][0]
            assert declencheur == attendus[evenement][2]
        # The old functions count: an invoice written at 0021 is in the counters.
        en_masse(fournisseur_gp, 2, prefixe="H", destinataire=etat, statut=S.MISE_A_DISPOSITION)
        assert compteurs.ecarts() == []
    finally:
        MigrationExecutor(connection).migrate(derniers)
    assert _fonctions_et_declencheurs() == attendus
    # Writes through the kit's functions: insert, a status change, a delete, and an update of no row.
    factures = en_masse(fournisseur_gp, 3, prefixe="N", destinataire=etat, statut=S.MISE_A_DISPOSITION)
    Facture.objects.filter(pk=factures[0].pk).update(statut=S.REJETEE)
    Facture.objects.filter(pk=factures[1].pk).delete()
    lignes = CompteurFactures.objects.count()
    assert Facture.objects.filter(pk=-1).update(statut=S.REJETEE) == 0
    assert CompteurFactures.objects.count() == lignes
    assert compteurs.ecarts() == []
    gp, fournisseur = fournisseur_gp
    assert queries.comptes_emises(gp) == _par_statut(Facture.objects.filter(fournisseur=fournisseur))
    assert queries.comptes_emises(gp) == {"MISE_A_DISPOSITION": 4, "REJETEE": 1}
    # Back past 0022 (and forward again): the kit's functions stay, as on a new database at 0021.
    try:
        call_command("migrate", *AVANT_0022, verbosity=0)
        assert _fonctions_et_declencheurs() == attendus
    finally:
        MigrationExecutor(connection).migrate(derniers)
    assert _fonctions_et_declencheurs() == attendus


@pytest.mark.django_db(transaction=True)
def test_deux_ecrivains_du_meme_fournisseur_ne_s_attendent_pas(fournisseur_gp, etat):
    """Two transactions writing invoices of one supplier (two flux chunks of a lot) touch the same counter keys:
    the second neither waits for the first to commit nor deadlocks (the triggers append, they never update), and
    a fold meanwhile leaves the open transaction's rows alone."""
    gp, _ = fournisseur_gp
    resultats = []

    def second_ecrivain():
        try:
            with connection.cursor() as cur:
                # Any wait on a lock fails at once instead of hanging the test.
                cur.execute("SET lock_timeout = '2s'")
            with transaction.atomic():
                en_masse(fournisseur_gp, 2, prefixe="B", destinataire=etat, statut=S.MISE_A_DISPOSITION)
            resultats.append(compteurs.compacter())
        except Exception as erreur:  # noqa: BLE001  # reported to the main thread's assertion
            resultats.append(erreur)
        finally:
            connection.close()

    with transaction.atomic():
        en_masse(fournisseur_gp, 3, prefixe="A", destinataire=etat, statut=S.MISE_A_DISPOSITION)
        ecrivain = threading.Thread(target=second_ecrivain)
        ecrivain.start()
        ecrivain.join(timeout=30)
        assert not ecrivain.is_alive()
    assert resultats == [(1 + 1, 2)]  # the second writer's two keys (issued, received), folded
    assert queries.comptes_emises(gp) == {"MISE_A_DISPOSITION": 5}
    assert CompteurFactures.objects.filter(compacte=False).count() == 2  # the first's, for the next fold
    assert compteurs.ecarts() == []
