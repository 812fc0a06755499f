"""« Sollicitations reçues »: Tableau de bord (counts by état, each a link to Rechercher) and Statistiques (per
month: received, answered, mean delay to the first answer), both scoped to the user's received sollicitations."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sollicitations import queries
from sollicitations.enums import StatutSollicitation
from tests import outils
from tests.sollicitations.conftest import deposer

S = StatutSollicitation


@pytest.fixture
def trois(fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    # A fixed mid-month date, reached by travelling: the test never depends on today's date (at the start of a
    # month, « the 15th of this month » would lie in the future).
    debut = timezone.make_aware(datetime(2026, 3, 15, 10, 0))
    # Three questions deposited together; the first answered 4 h later, the second 6 h later, the third not.
    reponses = [(S.RESOLUE, "Voilà.", 4), (S.DEMANDE_INFORMATION, "Précisez.", 6), (None, "", 0)]
    a, b, c = (
        deposer(
            gp,
            structure,
            destinataire=etat,
            objet=f"Question {i}",
            deposee_le=debut,
            statut=statut,
            traitee_par=agent_drfip,
            reponse=reponse,
            traitee_le=debut + timedelta(hours=heures),
        )
        for i, (statut, reponse, heures) in enumerate(reponses)
    )
    return a, b, c, debut


def test_tableau_de_bord_par_etat(client, trois, agent_drfip, agent_autre_service, django_assert_max_num_queries):
    client.force_login(agent_drfip)
    with django_assert_max_num_queries(7):  # session, user, unread badge, perimeter, counts
        response = client.get(reverse("tableau_de_bord_sollicitations"))
    lignes = {ligne["statut"]: ligne["nombre"] for ligne in response.context["lignes"]}
    assert lignes == {S.A_TRAITER: 1, S.DEMANDE_INFORMATION: 1, S.RESOLUE: 1}
    assert f'href="{reverse("rechercher_sollicitations_recues")}?statut=RESOLUE">1</a>' in outils.texte(response)
    # Another service of the same structure sees none of them.
    assert queries.tableau_de_bord_recues(agent_autre_service) == []


def test_statistiques_par_mois(client, trois, agent_drfip, agent_autre_service):
    _a, _b, _c, debut = trois
    client.force_login(agent_drfip)
    with time_machine.travel(debut + timedelta(days=1)):
        response = client.get(reverse("statistiques_sollicitations"))
    (mois,) = response.context["lignes"]
    assert (mois["recues"], mois["resolues"], mois["repondues"]) == (3, 1, 2)
    assert mois["delai_heures"] == 5.0  # 4 h and 6 h to the first answer
    assert "5,0 h" in outils.texte(response)
    assert queries.statistiques_recues(agent_autre_service) == []
    # A year later, the month is out of the window.
    assert queries.statistiques_recues(agent_drfip, maintenant=debut + timedelta(days=400)) == []
