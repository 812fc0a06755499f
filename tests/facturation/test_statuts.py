"""``facturation.statuts``: the one declaration of the invoice's lifecycle, and what each page reads from it."""

from chorus.workflow import SYSTEME
from facturation import services, statuts
from facturation.enums import StatutFacture

S = StatutFacture


def test_le_circuit_execute_la_table_declaree():
    assert list(services.CIRCUIT.table.values()) == list(statuts.TRANSITIONS)
    for statut in S:
        for role in (statuts.FOURNISSEUR, statuts.DESTINATAIRE, statuts.VALIDEUR, SYSTEME):
            assert statuts.cibles(statut, role) == [
                t.cible for t in services.CIRCUIT.transitions_possibles(statut, role)
            ]


def test_actions_du_fournisseur_par_statut():
    attendues = {
        S.A_RECYCLER: [statuts.RECYCLER],
        S.ERREUR_FOURNISSEUR_SUR_VALIDEUR: [statuts.CORRIGER_VALIDEUR],
        S.SUSPENDUE: [statuts.COMPLETER],
        S.REJETEE: [statuts.TRAITER_REJET],
    }
    for statut in S:
        assert statuts.actions_fournisseur(statut) == attendues.get(statut, []), statut
    assert statuts.actions_fournisseur(S.REJETEE, rejet_traite=True) == []


def test_actions_du_valideur_et_delai():
    assert statuts.actions_valideur(S.A_VALIDER_1) == [statuts.VALIDER, statuts.REFUSER]
    assert [s for s in S if statuts.attend_validation(s)] == [S.A_VALIDER_1]


def test_actions_du_destinataire_lues_dans_la_table():
    actions = statuts.actions_destinataire(S.MISE_A_DISPOSITION)
    assert [a.statut for a in actions] == [
        S.PRISE_EN_COMPTE_DESTINATAIRE,
        S.SERVICE_FAIT,
        S.MANDATEE,
        S.MISE_A_DISPOSITION_COMPTABLE,
        S.COMPTABILISEE,
        S.MISE_EN_PAIEMENT,
        S.SUSPENDUE,
        S.A_RECYCLER,
        S.REJETEE,
    ]
    assert [a.statut for a in actions if a.secondaire] == [S.SUSPENDUE, S.A_RECYCLER, S.REJETEE]
    assert dict(actions)[S.REJETEE] == "Rejeter"  # still a (status, label) pair for the callers
    assert statuts.actions_destinataire(S.REJETEE) == []
    assert [a.statut for a in statuts.actions_destinataire(S.COMPTABILISEE)] == [S.MISE_EN_PAIEMENT]


def test_badges_par_role():
    assert statuts.badge(S.MISE_A_DISPOSITION, statuts.DESTINATAIRE) == "fr-badge--new"
    assert statuts.badge(S.REJETEE, statuts.DESTINATAIRE) == "fr-badge--error"
    assert statuts.badge(S.SERVICE_FAIT, statuts.DESTINATAIRE) == ""
    assert statuts.badge(S.A_VALIDER_1, statuts.VALIDEUR) == "fr-badge--new"
    assert statuts.badge(S.ERREUR_FOURNISSEUR_SUR_VALIDEUR, statuts.VALIDEUR) == "fr-badge--error"
    assert statuts.badge(S.MISE_EN_PAIEMENT, statuts.VALIDEUR) == "fr-badge--success"
    assert statuts.libelle(S.A_RECYCLER) == "À recycler"
    assert statuts.StatutFacture is StatutFacture
