"""The transition engine (chorus.workflow) and the append-only, hash-chained history (chorus.history), exercised on
the demo lifecycle of ``tests.workflow_demo``."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.test.utils import CaptureQueriesContext

from chorus.workflow import SYSTEME, Transition, TransitionInterdite, Workflow
from tests.factories import UtilisateurFactory
from tests.workflow_demo.models import Demande, HistoriqueDemande

Statut = Demande.Statut
DESTINATAIRE = "DESTINATAIRE"

TRANSITIONS = [
    Transition(Statut.DEPOSEE, Statut.MISE_A_DISPOSITION, roles={SYSTEME}),
    Transition(Statut.MISE_A_DISPOSITION, Statut.REJETEE, roles={DESTINATAIRE}, motif_obligatoire=True),
    Transition(Statut.MISE_A_DISPOSITION, Statut.MISE_EN_PAIEMENT, roles={DESTINATAIRE}),
]


def circuit(*notifications) -> Workflow:
    return Workflow(
        transitions=TRANSITIONS,
        historique=HistoriqueDemande,
        libelles=Demande.Statut,
        notifications=notifications,
    )


CIRCUIT = circuit()

pytestmark = pytest.mark.django_db


@pytest.fixture
def demande():
    return Demande.objects.create(numero="D-001")


@pytest.fixture
def destinataire():
    return UtilisateurFactory()


@pytest.fixture
def demande_a_disposition(demande):
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    return demande


def historique(demande) -> list[HistoriqueDemande]:
    return list(HistoriqueDemande.objects.filter(objet=demande).order_by("created_at", "id"))


# --- Déclaration de la table ---------------------------------------------------------------------------------


def test_transition_declaree_deux_fois_leve_value_error():
    with pytest.raises(ValueError, match="DEPOSEE → MISE_A_DISPOSITION declared twice"):
        Workflow(
            transitions=[
                Transition("DEPOSEE", "MISE_A_DISPOSITION", roles={SYSTEME}),
                Transition("DEPOSEE", "MISE_A_DISPOSITION", roles={DESTINATAIRE}),
            ],
            historique=HistoriqueDemande,
        )


def test_transition_fige_les_roles_en_frozenset():
    t = Transition("A", "B", roles=["X", "Y", "X"])
    assert t.roles == frozenset({"X", "Y"})
    assert t.motif_obligatoire is False
    with pytest.raises(AttributeError):
        t.cible = "C"


def test_libelle_vient_des_choix_du_modele_sinon_le_code():
    assert CIRCUIT.libelle(Statut.MISE_A_DISPOSITION) == "Mise à disposition du destinataire"
    assert CIRCUIT.libelle("INCONNU") == "INCONNU"
    sans_libelles = Workflow(transitions=TRANSITIONS, historique=HistoriqueDemande)
    assert sans_libelles.libelle(Statut.DEPOSEE) == "DEPOSEE"


# --- transitions_possibles -----------------------------------------------------------------------------------


def test_transitions_possibles_selon_le_role():
    assert [t.cible for t in CIRCUIT.transitions_possibles(Statut.DEPOSEE, SYSTEME)] == [Statut.MISE_A_DISPOSITION]
    assert CIRCUIT.transitions_possibles(Statut.DEPOSEE, DESTINATAIRE) == []
    assert [t.cible for t in CIRCUIT.transitions_possibles(Statut.MISE_A_DISPOSITION, DESTINATAIRE)] == [
        Statut.REJETEE,
        Statut.MISE_EN_PAIEMENT,
    ]
    assert CIRCUIT.transitions_possibles(Statut.MISE_A_DISPOSITION, SYSTEME) == []
    assert CIRCUIT.transitions_possibles(Statut.REJETEE, DESTINATAIRE) == []
    assert CIRCUIT.transitions_possibles(Statut.MISE_A_DISPOSITION, "FOURNISSEUR") == []


def test_transitions_possibles_indiquent_le_motif_obligatoire():
    possibles = {t.cible: t for t in CIRCUIT.transitions_possibles(Statut.MISE_A_DISPOSITION, DESTINATAIRE)}
    assert possibles[Statut.REJETEE].motif_obligatoire is True
    assert possibles[Statut.MISE_EN_PAIEMENT].motif_obligatoire is False


# --- Transition autorisée ------------------------------------------------------------------------------------


def test_transition_autorisee_enregistre_le_statut_et_l_historique(demande_a_disposition, destinataire):
    entree = CIRCUIT.transition(
        demande_a_disposition,
        to=Statut.REJETEE,
        acting_user=destinataire,
        role=DESTINATAIRE,
        motif="Bon de commande absent",
        commentaire="Merci de joindre le bon de commande.",
    )

    assert demande_a_disposition.statut == Statut.REJETEE
    assert Demande.objects.get(pk=demande_a_disposition.pk).statut == Statut.REJETEE

    assert isinstance(entree, HistoriqueDemande)
    assert entree.pk is not None
    enregistree = HistoriqueDemande.objects.get(pk=entree.pk)
    assert enregistree.objet_id == demande_a_disposition.pk
    assert enregistree.acting_user == destinataire
    assert enregistree.role == DESTINATAIRE
    assert enregistree.statut_precedent == Statut.MISE_A_DISPOSITION
    assert enregistree.statut == Statut.REJETEE
    assert enregistree.motif == "Bon de commande absent"
    assert enregistree.commentaire == "Merci de joindre le bon de commande."
    assert len(enregistree.empreinte) == 64


def test_transition_systeme_sans_acteur(demande):
    entree = CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    assert entree.acting_user is None
    assert entree.role == SYSTEME
    assert entree.statut_precedent == Statut.DEPOSEE
    assert entree.motif == ""
    assert entree.commentaire == ""
    assert Demande.objects.get(pk=demande.pk).statut == Statut.MISE_A_DISPOSITION


def test_transition_ecrit_une_ligne_par_changement(demande, destinataire):
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    CIRCUIT.transition(demande, to=Statut.MISE_EN_PAIEMENT, acting_user=destinataire, role=DESTINATAIRE)
    assert [(h.statut_precedent, h.statut) for h in historique(demande)] == [
        (Statut.DEPOSEE, Statut.MISE_A_DISPOSITION),
        (Statut.MISE_A_DISPOSITION, Statut.MISE_EN_PAIEMENT),
    ]


def test_transition_part_du_statut_en_base_et_pas_de_l_objet_en_memoire(demande, destinataire):
    perime = Demande.objects.get(pk=demande.pk)  # chargé avant la mise à disposition
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    assert perime.statut == Statut.DEPOSEE

    entree = CIRCUIT.transition(perime, to=Statut.MISE_EN_PAIEMENT, acting_user=destinataire, role=DESTINATAIRE)

    assert entree.statut_precedent == Statut.MISE_A_DISPOSITION
    assert perime.statut == Statut.MISE_EN_PAIEMENT


def test_transition_applique_les_mises_a_jour_supplementaires(demande):
    avant = Demande.objects.get(pk=demande.pk).updated_at
    CIRCUIT.transition(
        demande,
        to=Statut.MISE_A_DISPOSITION,
        acting_user=None,
        role=SYSTEME,
        extra_updates={"numero": "D-001-bis"},
    )
    en_base = Demande.objects.get(pk=demande.pk)
    assert en_base.numero == "D-001-bis"
    assert en_base.statut == Statut.MISE_A_DISPOSITION
    assert en_base.updated_at > avant
    assert demande.numero == "D-001-bis"
    assert demande.updated_at == en_base.updated_at


def test_transition_verrouille_la_ligne_avec_select_for_update(demande):
    with CaptureQueriesContext(connection) as requetes:
        CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    verrous = [q["sql"] for q in requetes.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(verrous) == 1
    assert '"workflow_demo_demande"' in verrous[0]
    assert 'FOR UPDATE OF "workflow_demo_demande"' in verrous[0]
    # Le verrou est pris avant l'écriture du statut.
    sqls = [q["sql"] for q in requetes.captured_queries]
    index_verrou = sqls.index(verrous[0])
    index_update = next(i for i, sql in enumerate(sqls) if sql.startswith('UPDATE "workflow_demo_demande"'))
    assert index_verrou < index_update


# --- Transitions refusées ------------------------------------------------------------------------------------


def test_transition_interdite_ne_change_rien(demande, destinataire):
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    CIRCUIT.transition(demande, to=Statut.MISE_EN_PAIEMENT, acting_user=destinataire, role=DESTINATAIRE)
    avant = [(h.pk, h.empreinte) for h in historique(demande)]

    with pytest.raises(TransitionInterdite) as exc_info:
        CIRCUIT.transition(demande, to=Statut.REJETEE, acting_user=destinataire, role=DESTINATAIRE, motif="Trop tard")

    assert exc_info.value.message == (
        "Action impossible : passer de « Mise en paiement » à « Rejetée » n'est pas autorisé pour ce rôle."
    )
    assert str(exc_info.value) == exc_info.value.message
    assert demande.statut == Statut.MISE_EN_PAIEMENT
    assert Demande.objects.get(pk=demande.pk).statut == Statut.MISE_EN_PAIEMENT
    assert [(h.pk, h.empreinte) for h in historique(demande)] == avant


def test_transition_non_declaree_refusee_en_nommant_les_libelles(demande, destinataire):
    with pytest.raises(TransitionInterdite) as exc_info:
        CIRCUIT.transition(demande, to=Statut.MISE_EN_PAIEMENT, acting_user=destinataire, role=DESTINATAIRE)
    assert "« Déposée »" in exc_info.value.message
    assert "« Mise en paiement »" in exc_info.value.message
    assert Demande.objects.get(pk=demande.pk).statut == Statut.DEPOSEE
    assert not HistoriqueDemande.objects.filter(objet=demande).exists()


def test_transition_vers_un_statut_inconnu_refusee(demande):
    with pytest.raises(TransitionInterdite, match="« Déposée » à « ARCHIVEE »"):
        CIRCUIT.transition(demande, to="ARCHIVEE", acting_user=None, role=SYSTEME)
    assert Demande.objects.get(pk=demande.pk).statut == Statut.DEPOSEE


def test_transition_refusee_pour_un_autre_role(demande, destinataire):
    # L'arête existe, mais pour le système seulement.
    with pytest.raises(TransitionInterdite) as exc_info:
        CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=destinataire, role=DESTINATAIRE)
    assert exc_info.value.message == (
        "Action impossible : passer de « Déposée » à « Mise à disposition du destinataire » "
        "n'est pas autorisé pour ce rôle."
    )
    assert Demande.objects.get(pk=demande.pk).statut == Statut.DEPOSEE
    assert not HistoriqueDemande.objects.filter(objet=demande).exists()


@pytest.mark.parametrize("motif", ["", "   \n\t"])
def test_transition_refusee_sans_motif_obligatoire(demande_a_disposition, destinataire, motif):
    nb_lignes = HistoriqueDemande.objects.filter(objet=demande_a_disposition).count()
    with pytest.raises(TransitionInterdite) as exc_info:
        CIRCUIT.transition(
            demande_a_disposition, to=Statut.REJETEE, acting_user=destinataire, role=DESTINATAIRE, motif=motif
        )
    assert exc_info.value.message == "Un motif est obligatoire pour passer au statut « Rejetée »."
    assert demande_a_disposition.statut == Statut.MISE_A_DISPOSITION
    assert Demande.objects.get(pk=demande_a_disposition.pk).statut == Statut.MISE_A_DISPOSITION
    assert HistoriqueDemande.objects.filter(objet=demande_a_disposition).count() == nb_lignes


def test_verifier_accepte_un_motif_non_vide_et_renvoie_la_transition():
    t = CIRCUIT.verifier(statut=Statut.MISE_A_DISPOSITION, cible=Statut.REJETEE, role=DESTINATAIRE, motif="Doublon")
    assert (t.source, t.cible) == (Statut.MISE_A_DISPOSITION, Statut.REJETEE)


# --- Chaîne d'empreintes -------------------------------------------------------------------------------------


def test_la_chaine_d_empreintes_relie_les_lignes(demande, destinataire):
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    CIRCUIT.transition(demande, to=Statut.REJETEE, acting_user=destinataire, role=DESTINATAIRE, motif="Doublon")

    premiere, seconde = historique(demande)
    assert premiere.empreinte_precedente == ""
    assert seconde.empreinte_precedente == premiere.empreinte
    assert premiere.empreinte != seconde.empreinte
    for ligne in (premiere, seconde):
        assert ligne.empreinte == ligne.calculer_empreinte()
    assert HistoriqueDemande.chaine_intacte(demande) is True


def test_chaque_objet_a_sa_propre_chaine(demande):
    autre = Demande.objects.create(numero="D-002")
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    entree_autre = CIRCUIT.transition(autre, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    assert entree_autre.empreinte_precedente == ""
    assert HistoriqueDemande.chaine_intacte(demande) is True
    assert HistoriqueDemande.chaine_intacte(autre) is True


def test_chaine_intacte_vide(demande):
    assert HistoriqueDemande.chaine_intacte(demande) is True


def test_l_empreinte_couvre_le_contenu_de_la_ligne(demande_a_disposition, destinataire):
    entree = CIRCUIT.transition(
        demande_a_disposition, to=Statut.REJETEE, acting_user=destinataire, role=DESTINATAIRE, motif="Doublon"
    )
    empreinte = entree.calculer_empreinte()
    entree.motif = "Autre motif"
    assert entree.calculer_empreinte() != empreinte
    entree.motif = "Doublon"
    entree.acting_user_id = None
    assert entree.calculer_empreinte() != empreinte


def _sans_trigger(sql: str, params=()):
    """Run ``sql`` with the append-only trigger disabled, inside the test's transaction (rolled back afterwards),
    to simulate someone tampering with the table directly. PostgreSQL refuses ALTER TABLE while deferred
    foreign-key checks are pending, hence the SET CONSTRAINTS."""
    table = "workflow_demo_historiquedemande"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_immuable")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_immuable")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_chaine_rompue_si_une_ligne_est_modifiee(demande, destinataire):
    CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    entree = CIRCUIT.transition(
        demande, to=Statut.REJETEE, acting_user=destinataire, role=DESTINATAIRE, motif="Doublon"
    )
    _sans_trigger("UPDATE workflow_demo_historiquedemande SET motif = %s WHERE id = %s", ["Falsifié", entree.pk])
    assert HistoriqueDemande.objects.get(pk=entree.pk).motif == "Falsifié"
    assert HistoriqueDemande.chaine_intacte(demande) is False


def test_chaine_rompue_si_une_ligne_est_supprimee(demande, destinataire):
    premiere = CIRCUIT.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    CIRCUIT.transition(demande, to=Statut.REJETEE, acting_user=destinataire, role=DESTINATAIRE, motif="Doublon")
    _sans_trigger("DELETE FROM workflow_demo_historiquedemande WHERE id = %s", [premiere.pk])
    assert HistoriqueDemande.objects.filter(objet=demande).count() == 1
    assert HistoriqueDemande.chaine_intacte(demande) is False


# --- Historique en ajout seul (trigger PostgreSQL) -----------------------------------------------------------

REFUS_BASE = (ProgrammingError, InternalError, DatabaseError)


def test_update_orm_de_l_historique_refuse_par_postgresql(demande_a_disposition):
    entree = HistoriqueDemande.objects.get(objet=demande_a_disposition)
    with pytest.raises(REFUS_BASE, match="Historique en ajout seul : UPDATE interdit"), transaction.atomic():
        HistoriqueDemande.objects.filter(pk=entree.pk).update(motif="Falsifié")
    assert HistoriqueDemande.objects.get(pk=entree.pk).motif == ""


def test_save_d_une_ligne_existante_refuse_par_postgresql(demande_a_disposition):
    entree = HistoriqueDemande.objects.get(objet=demande_a_disposition)
    entree.commentaire = "Réécrit"
    with pytest.raises(REFUS_BASE, match="ajout seul"), transaction.atomic():
        entree.save()
    assert HistoriqueDemande.objects.get(pk=entree.pk).commentaire == ""


def test_delete_orm_de_l_historique_refuse_par_postgresql(demande_a_disposition):
    with pytest.raises(REFUS_BASE, match="Historique en ajout seul : DELETE interdit"), transaction.atomic():
        HistoriqueDemande.objects.filter(objet=demande_a_disposition).delete()
    assert HistoriqueDemande.objects.filter(objet=demande_a_disposition).count() == 1
    assert HistoriqueDemande.chaine_intacte(demande_a_disposition) is True


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE workflow_demo_historiquedemande SET statut = 'REJETEE'",
        "DELETE FROM workflow_demo_historiquedemande",
    ],
)
def test_sql_brut_sur_l_historique_refuse_par_postgresql(demande_a_disposition, sql):
    with pytest.raises(REFUS_BASE, match="ajout seul"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    ligne = HistoriqueDemande.objects.get(objet=demande_a_disposition)
    assert ligne.statut == Statut.MISE_A_DISPOSITION


def test_le_refus_est_une_erreur_de_privilege(demande_a_disposition):
    with pytest.raises(ProgrammingError) as exc_info, transaction.atomic():
        HistoriqueDemande.objects.filter(objet=demande_a_disposition).update(motif="x")
    assert exc_info.value.__cause__.sqlstate == "42501"  # insufficient_privilege


def test_l_insertion_reste_permise(demande_a_disposition):
    # Le trigger ne vise que UPDATE et DELETE : ajouter une ligne fonctionne.
    HistoriqueDemande.ajouter(
        objet=demande_a_disposition,
        acting_user=None,
        statut_precedent=Statut.MISE_A_DISPOSITION,
        statut=Statut.MISE_A_DISPOSITION,
        commentaire="Note",
    )
    assert HistoriqueDemande.objects.filter(objet=demande_a_disposition).count() == 2
    assert HistoriqueDemande.chaine_intacte(demande_a_disposition) is True


# --- Notifications -------------------------------------------------------------------------------------------


def test_le_hook_de_notification_recoit_l_objet_et_l_entree(demande):
    appels = []

    def hook(*, objet, entree):
        appels.append((objet.pk, objet.statut, entree.pk, entree.statut, connection.in_atomic_block))

    entree = circuit(hook).transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)

    assert appels == [(demande.pk, Statut.MISE_A_DISPOSITION, entree.pk, Statut.MISE_A_DISPOSITION, True)]


def test_les_hooks_sont_appeles_dans_l_ordre(demande):
    appels = []
    workflow = circuit(lambda **kw: appels.append("premier"), lambda **kw: appels.append("second"))
    workflow.transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    assert appels == ["premier", "second"]


def test_aucun_hook_appele_pour_une_transition_refusee(demande, destinataire):
    appels = []
    with pytest.raises(TransitionInterdite):
        circuit(lambda **kw: appels.append(kw)).transition(
            demande, to=Statut.MISE_A_DISPOSITION, acting_user=destinataire, role=DESTINATAIRE
        )
    assert appels == []


def test_un_hook_en_echec_annule_toute_la_transition(demande):
    def hook(*, objet, entree):
        raise RuntimeError("file de notifications indisponible")

    with pytest.raises(RuntimeError, match="indisponible"):
        circuit(hook).transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)

    assert Demande.objects.get(pk=demande.pk).statut == Statut.DEPOSEE
    assert not HistoriqueDemande.objects.filter(objet=demande).exists()
    assert demande.statut == Statut.DEPOSEE


def test_les_callbacks_on_commit_du_hook_ne_partent_qu_au_commit(demande, django_capture_on_commit_callbacks):
    envois = []

    def hook(*, objet, entree):
        transaction.on_commit(lambda: envois.append((objet.pk, entree.statut)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        circuit(hook).transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
        assert envois == []  # pas encore commité

    assert len(callbacks) == 1
    assert envois == [(demande.pk, Statut.MISE_A_DISPOSITION)]


def test_les_callbacks_on_commit_ne_partent_jamais_en_cas_d_annulation(demande, django_capture_on_commit_callbacks):
    envois = []

    def hook_qui_programme(*, objet, entree):
        transaction.on_commit(lambda: envois.append(entree.statut))

    def hook_qui_echoue(*, objet, entree):
        raise RuntimeError("échec après la programmation de l'envoi")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            circuit(hook_qui_programme, hook_qui_echoue).transition(
                demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME
            )

    assert callbacks == []
    assert envois == []
    assert Demande.objects.get(pk=demande.pk).statut == Statut.DEPOSEE


def test_annulation_par_l_appelant_supprime_les_callbacks(demande, django_capture_on_commit_callbacks):
    envois = []

    def hook(*, objet, entree):
        transaction.on_commit(lambda: envois.append(entree.statut))

    class Annulation(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Annulation), transaction.atomic():
            circuit(hook).transition(demande, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
            raise Annulation

    assert callbacks == []
    assert envois == []
    assert Demande.objects.get(pk=demande.pk).statut == Statut.DEPOSEE
    assert not HistoriqueDemande.objects.filter(objet=demande).exists()


# --- Transitions en masse (un lot de flux) -------------------------------------------------------------------


def test_transition_en_masse_un_update_par_statut_source_et_chaines_comme_une_a_une(destinataire):
    demandes = [Demande.objects.create(numero=f"M-{i}") for i in range(3)]
    a_la_main = Demande.objects.create(numero="M-main")
    CIRCUIT.transition(a_la_main, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)

    with CaptureQueriesContext(connection) as requetes:
        entrees = CIRCUIT.transition_en_masse(demandes, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)
    sqls = [q["sql"] for q in requetes.captured_queries]
    # The chains' tails in one query, one UPDATE for the three, one INSERT of their rows: no lock per object.
    assert len(sqls) == 3 and sum(sql.startswith('UPDATE "workflow_demo_demande"') for sql in sqls) == 1
    assert [e.objet_id for e in entrees] == [d.pk for d in demandes]
    assert {d.statut for d in Demande.objects.filter(pk__in=[d.pk for d in demandes])} == {Statut.MISE_A_DISPOSITION}
    assert all(d.statut == Statut.MISE_A_DISPOSITION for d in demandes)

    # Tails carried by the caller (as a flux's chunk does): no query to read them, one UPDATE, one INSERT.
    tous = [*demandes, a_la_main]
    queues = {e.objet_id: e.empreinte for e in entrees} | {a_la_main.pk: HistoriqueDemande.queue(a_la_main)}
    with CaptureQueriesContext(connection) as requetes:
        CIRCUIT.transition_en_masse(
            tous, to=Statut.MISE_EN_PAIEMENT, acting_user=destinataire, role=DESTINATAIRE, queues=queues
        )
    assert len(requetes.captured_queries) == 2
    for demande in tous:
        premiere, seconde = historique(demande)
        assert (premiere.statut_precedent, premiere.statut) == (Statut.DEPOSEE, Statut.MISE_A_DISPOSITION)
        assert (seconde.statut_precedent, seconde.statut) == (Statut.MISE_A_DISPOSITION, Statut.MISE_EN_PAIEMENT)
        assert seconde.acting_user == destinataire and seconde.role == DESTINATAIRE
        assert premiere.empreinte_precedente == "" and seconde.empreinte_precedente == premiere.empreinte
        assert HistoriqueDemande.chaine_intacte(demande) is True


def test_transition_en_masse_la_meme_empreinte_qu_une_a_une():
    une = Demande.objects.create(numero="E-1")
    entree = CIRCUIT.transition_en_masse([une], to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME)[0]
    refaite = HistoriqueDemande.nouvelle(
        objet=une,
        precedente="",
        acting_user=None,
        role=SYSTEME,
        statut_precedent=Statut.DEPOSEE,
        statut=Statut.MISE_A_DISPOSITION,
        created_at=entree.created_at,
    )
    assert HistoriqueDemande.objects.get(pk=entree.pk).empreinte == refaite.empreinte == entree.calculer_empreinte()


def test_transition_en_masse_refusee_pour_un_seul_ne_change_rien(demande_a_disposition, destinataire):
    deposee = Demande.objects.create(numero="R-1")
    avant = HistoriqueDemande.objects.count()
    appels = []
    with pytest.raises(TransitionInterdite, match="« Déposée » à « Mise en paiement »"):
        circuit(lambda **kw: appels.append(kw)).transition_en_masse(
            [demande_a_disposition, deposee], to=Statut.MISE_EN_PAIEMENT, acting_user=destinataire, role=DESTINATAIRE
        )
    assert appels == [] and HistoriqueDemande.objects.count() == avant
    assert Demande.objects.get(pk=demande_a_disposition.pk).statut == Statut.MISE_A_DISPOSITION


def test_transition_en_masse_objet_change_entre_temps_rien_n_est_ecrit(demande_a_disposition, destinataire):
    perime = Demande.objects.create(numero="P-1")
    Demande.objects.filter(pk=perime.pk).update(statut=Statut.REJETEE)  # someone else moved it meanwhile
    perime_a_disposition = Demande.objects.get(pk=perime.pk)
    perime_a_disposition.statut = Statut.MISE_A_DISPOSITION  # the caller's stale copy
    avant = HistoriqueDemande.objects.count()
    with pytest.raises(TransitionInterdite, match="n'est plus au statut « Mise à disposition du destinataire »"):
        with transaction.atomic():
            CIRCUIT.transition_en_masse(
                [demande_a_disposition, perime_a_disposition],
                to=Statut.MISE_EN_PAIEMENT,
                acting_user=destinataire,
                role=DESTINATAIRE,
            )
    assert Demande.objects.get(pk=demande_a_disposition.pk).statut == Statut.MISE_A_DISPOSITION
    assert Demande.objects.get(pk=perime.pk).statut == Statut.REJETEE
    assert HistoriqueDemande.objects.count() == avant


def test_transition_en_masse_appelle_les_hooks_pour_chaque_objet(django_capture_on_commit_callbacks):
    demandes = [Demande.objects.create(numero=f"H-{i}") for i in range(2)]
    appels = []
    circuit(lambda *, objet, entree: appels.append((objet.pk, objet.statut, entree.objet_id))).transition_en_masse(
        demandes, to=Statut.MISE_A_DISPOSITION, acting_user=None, role=SYSTEME
    )
    assert appels == [(d.pk, Statut.MISE_A_DISPOSITION, d.pk) for d in demandes]
