"""A payable piece's history on its page and on the dossier page: its own rows (deposit, « Mise à disposition du
destinataire ») then its invoice's processing in « Factures reçues », each status once (found by the browser
journey: the invoice's own deposit rows repeated the piece's « Mise à disposition du destinataire »)."""

import re

import pytest
from django.urls import reverse

from facturation import services as facturation_services
from facturation.enums import Cadre, StatutFacture
from organisation.enums import OptionMoa
from tests.travaux.factories import acteur, dossier
from travaux import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def a19():
    f, moe = acteur("Titulaire SAS"), acteur("MOE SARL")
    moa = acteur("COMMUNE DE SAINT-JEAN", publique=True, option_moa=OptionMoa.AVEC_MOA)
    *_, a19 = dossier({"fournisseur": f, "moe": moe, "moa": moa}, etape=Cadre.A19)
    a19.refresh_from_db()
    facturation_services.CIRCUIT.transition(
        a19.facture, to=StatutFacture.SERVICE_FAIT, acting_user=None, role="DESTINATAIRE"
    )
    a19.fournisseur_user = f[0]
    return a19


def _statuts_du_tableau(html: str, legende: str) -> list[str]:
    tableau = re.search(rf"<caption>{re.escape(legende)}</caption>.*?</table>", html, re.S).group(0)
    return re.findall(r'<tr data-testid="historique">\s*<td>[^<]*</td>\s*<td>([^<]*)</td>', tableau)


ATTENDUS = ["Service fait", "Mise à disposition du destinataire", "Déposée", "Brouillon"]


def test_la_page_de_la_piece_payable_montre_chaque_statut_une_fois(client, a19):
    client.force_login(a19.fournisseur_user)
    html = client.get(reverse("travaux_piece", args=[a19.pk])).content.decode()
    assert _statuts_du_tableau(html, "Historique des statuts de la pièce") == ATTENDUS


def test_le_dossier_montre_chaque_statut_de_la_piece_payable_une_fois(client, a19):
    client.force_login(a19.fournisseur_user)
    html = client.get(reverse("travaux_dossier", args=[a19.dossier_id])).content.decode()
    assert _statuts_du_tableau(html, f"Statuts de la pièce n° {a19.numero}") == ATTENDUS


def test_un_nouveau_depot_de_la_facture_apres_sa_mise_a_disposition_reste_affiche(a19):
    facture = a19.facture
    entrees = list(facture.historique.order_by("created_at", "id"))
    assert [h.statut for h in queries.historique_facture_apres_envoi(entrees)] == [StatutFacture.SERVICE_FAIT]
    # Rows after the first mise à disposition are all kept, a second deposit included.
    rejouees = [*entrees, *[h for h in entrees if h.statut in ("DEPOSEE", "MISE_A_DISPOSITION")]]
    assert [h.statut for h in queries.historique_facture_apres_envoi(rejouees)] == [
        "SERVICE_FAIT",
        "DEPOSEE",
        "MISE_A_DISPOSITION",
    ]
