"""``sollicitations.statuts``: the one declaration of a sollicitation's lifecycle, and what the pages read from it."""

from chorus.workflow import SYSTEME
from sollicitations import services, statuts
from sollicitations.enums import DESTINATAIRE, EMETTEUR, STATUTS_ATTENTE_EMETTEUR, SUPPORT, StatutSollicitation

S = StatutSollicitation


def test_le_circuit_execute_la_table_declaree():
    assert list(services.CIRCUIT.table.values()) == list(statuts.TRANSITIONS)
    for statut in S:
        for role in (EMETTEUR, DESTINATAIRE, SUPPORT, SYSTEME):
            assert statuts.cibles(statut, role) == [
                t.cible for t in services.CIRCUIT.transitions_possibles(statut, role)
            ]


def test_actions_du_deposant():
    assert statuts.actions_emetteur(S.DEMANDE_INFORMATION) == [statuts.REPONDRE]
    assert statuts.actions_emetteur(S.RESOLUE) == [statuts.CLOTURER, statuts.RENVOYER]
    # The sender's Synthèse lists exactly the statuses where the sender has something to do.
    assert [s for s in S if statuts.actions_emetteur(s)] == STATUTS_ATTENTE_EMETTEUR


def test_statuts_proposes_aux_recepteurs():
    assert statuts.statuts_recepteur(S.A_TRAITER, DESTINATAIRE) == [
        S.EN_COURS,
        S.DEMANDE_INFORMATION,
        S.RESOLUE,
        S.MAUVAISE_AFFECTATION,
    ]
    assert S.REAFFECTEE in statuts.statuts_recepteur(S.EN_COURS, SUPPORT)
    assert S.MAUVAISE_AFFECTATION not in statuts.statuts_recepteur(S.EN_COURS, SUPPORT)
    assert statuts.statuts_recepteur(S.RESOLUE, DESTINATAIRE) == []
    assert statuts.statuts_recepteur(S.A_TRAITER, None) == []
    assert statuts.statuts_recepteur(S.DEMANDE_INFORMATION, EMETTEUR) == []


def test_mots_et_badges_selon_le_cote():
    assert statuts.libelle(S.EN_COURS) == "En cours"
    assert statuts.libelle(S.EN_COURS, pour_emetteur=True) == "À traiter"
    assert statuts.libelle(S.RESOLUE, pour_emetteur=True) == "Résolue"
    assert statuts.badge(S.A_TRAITER) == statuts.badge(S.A_TRAITER, pour_emetteur=True) == "fr-badge--new"
    assert statuts.badge(S.EN_COURS) == "fr-badge--info"
    assert statuts.badge(S.EN_COURS, pour_emetteur=True) == ""  # never « En cours »' badge for the sender
    assert statuts.badge(S.MAUVAISE_AFFECTATION) == ""
