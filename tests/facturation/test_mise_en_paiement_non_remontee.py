"""« Raccordements » > « Mode d'émission et de réception », gestion du statut « Mise en paiement »: a public
structure that does not report that status is not offered « Mettre en paiement » and is refused it (page, service,
selection), so that its suppliers never see it (their pages, the API and their e-mails stop at the previous
status); a structure that reports it keeps the action."""

import pytest
from django.urls import reverse

from chorus.models import Message
from facturation import services
from facturation.enums import StatutFacture
from facturation.models import Facture
from tests import outils
from tests.factories import utilisateur_de
from tests.facturation.factories import FactureFactory, amener

pytestmark = pytest.mark.django_db
S = StatutFacture


@pytest.fixture
def agent(etat):
    return utilisateur_de(etat, email="agent@etat.gouv.fr", profils={"FACTURES_RECUES": "modification"})


def _service_fait(fournisseur_gp, etat, numero):
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero=numero, envoyer=True)
    return amener(facture, S.SERVICE_FAIT)


def test_statut_non_remonte_ni_propose_ni_accepte(client, fournisseur_gp, etat, agent):
    gp, _ = fournisseur_gp
    etat.mise_en_paiement_non_remontee = True
    etat.save(update_fields=["mise_en_paiement_non_remontee"])
    facture = _service_fait(fournisseur_gp, etat, "MEP-1")
    client.force_login(agent)
    page = outils.texte(client.get(reverse("facture_recue", args=[facture.pk])))
    assert "Mandater" in page and "Mettre en paiement" not in page
    response = client.post(
        reverse("traiter_facture_recue", args=[facture.pk, S.MISE_EN_PAIEMENT]),
        {"statut_vu": S.SERVICE_FAIT, "commentaire": ""},
        follow=True,
    )
    assert "ne remonte pas le statut « Mise en paiement »" in outils.texte(response)
    assert Facture.objects.get(pk=facture.pk).statut == S.SERVICE_FAIT
    # The same refusal for the selection and the service itself (the API's path).
    traitees, refusees = services.traiter_en_masse(
        acting_user=agent, factures=[(facture, S.SERVICE_FAIT)], statut=S.MISE_EN_PAIEMENT
    )
    assert traitees == [] and "ne remonte pas" in refusees[0][1]
    with pytest.raises(Exception, match="ne remonte pas le statut"):
        services.traiter(acting_user=agent, facture=facture, statut=S.MISE_EN_PAIEMENT)
    facture.refresh_from_db()
    assert facture.statut == S.SERVICE_FAIT
    # The supplier never hears of it.
    assert not Message.objects.filter(destinataire=gp, sujet__contains="Mise en paiement").exists()
    client.force_login(gp)
    assert "Mise en paiement" not in outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))


def test_statut_remonte_l_action_reste(client, fournisseur_gp, etat, agent):
    gp, _ = fournisseur_gp
    facture = _service_fait(fournisseur_gp, etat, "MEP-2")
    client.force_login(agent)
    assert "Mettre en paiement" in outils.texte(client.get(reverse("facture_recue", args=[facture.pk])))
    services.traiter(acting_user=agent, facture=facture, statut=S.MISE_EN_PAIEMENT)
    assert Facture.objects.get(pk=facture.pk).statut == S.MISE_EN_PAIEMENT
    assert Message.objects.filter(destinataire=gp, sujet="Facture MEP-2 : Mise en paiement").exists()
