"""``charger_demo_sollicitations``: the demo accounts find something on every sollicitations page; loaded once, and
nothing without the demo accounts."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from chorus.navigation import domaines_de
from organisation.models import Utilisateur
from sollicitations.enums import StatutSollicitation
from sollicitations.models import Sollicitation

pytestmark = pytest.mark.django_db
S = StatutSollicitation


def _compte(nom):
    return Utilisateur.objects.get(email=f"{nom}@demo.chorus-pro.fr")


def test_sollicitations_de_demonstration(client):
    call_command("charger_demo")
    call_command("charger_demo_sollicitations")
    fournisseur, agent, support = _compte("fournisseur"), _compte("destinataire"), _compte("support")
    statuts = dict(Sollicitation.objects.emises_par(fournisseur).values_list("objet", "statut"))
    assert statuts == {
        "Facture F2026-0106 : date de mise en paiement ?": S.A_TRAITER,
        "Contestation du rejet de la facture F2026-0104": S.DEMANDE_INFORMATION,
        "Facture F2026-0101 : paiement reçu ?": S.RESOLUE,
        "Facture F2026-0102 : service fait constaté ?": S.A_TRAITER,
        "Création d'un compte technique API": S.A_TRAITER,
        "Raccordement EDI de notre logiciel de facturation": S.A_TRAITER,
        "Engagement 1818266843 inconnu": S.CLOTUREE,
    }
    for user in (fournisseur, agent, support):
        assert {"Sollicitations émises", "Sollicitations reçues"} & {
            a.libelle for d in domaines_de(user) for a in d["applications"]
        }

    # The supplier's Synthèse: a complement to give, an answer to accept.
    client.force_login(fournisseur)
    synthese = [s["objet"] for s in client.get(reverse("sollicitations_emises")).context["sollicitations"]]
    assert synthese == ["Facture F2026-0101 : paiement reçu ?", "Contestation du rejet de la facture F2026-0104"]

    # The State's agent (service DRFIP_IDF): the new one and the one sent back.
    client.force_login(agent)
    a_traiter = [s["objet"] for s in client.get(reverse("sollicitations_recues")).context["sollicitations"]]
    assert a_traiter == [
        "Facture F2026-0106 : date de mise en paiement ?",
        "Facture F2026-0102 : service fait constaté ?",
    ]

    # The support desk: the EDI question and the one the service transferred.
    client.force_login(support)
    au_support = [s["objet"] for s in client.get(reverse("sollicitations_recues")).context["sollicitations"]]
    assert au_support == ["Création d'un compte technique API", "Raccordement EDI de notre logiciel de facturation"]
    transferee = Sollicitation.objects.get(objet="Création d'un compte technique API")
    assert [h.statut for h in transferee.historique.order_by("created_at", "id")] == [
        S.A_TRAITER,
        S.MAUVAISE_AFFECTATION,
        S.A_TRAITER,
    ]
    # The support desk opens what is routed to it; another structure's sollicitation is not found.
    sollicitations = list(Sollicitation.objects.all())
    assert {s.au_support for s in sollicitations} == {True, False}
    for s in sollicitations:
        attendu = 200 if s.au_support else 404
        assert client.get(reverse("sollicitation_recue", args=[s.pk])).status_code == attendu, s.objet

    call_command("charger_demo_sollicitations")  # a second run changes nothing
    assert Sollicitation.objects.count() == 7


def test_rien_sans_les_comptes_de_demonstration():
    call_command("charger_demo_sollicitations")
    assert not Sollicitation.objects.exists()
