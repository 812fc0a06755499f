"""The demo invoices of ``make run``: every page of the supplier and of the valideur has something to show."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from chorus.navigation import alertes_connexion
from facturation import queries
from facturation.models import Facture
from organisation.models import Utilisateur

pytestmark = pytest.mark.django_db


def test_factures_de_demonstration(client):
    call_command("charger_demo")
    call_command("charger_demo_factures")
    gp = Utilisateur.objects.get(email="gestionnaire@demo.chorus-pro.fr")
    statuts = dict(queries.factures_emises(gp).values_list("numero", "statut"))
    assert statuts == {
        "F2026-0101": "MISE_EN_PAIEMENT", "F2026-0102": "SERVICE_FAIT", "F2026-0103": "SUSPENDUE",
        "F2026-0104": "REJETEE", "F2026-0105": "A_RECYCLER", "F2026-0106": "MISE_A_DISPOSITION",
        "AV2026-0007": "MISE_A_DISPOSITION", "ST2026-0011": "A_VALIDER_1", "F2026-0110": "BROUILLON",
    }  # fmt: skip
    # Each sent invoice has its certified document and its full history.
    payee = Facture.objects.get(numero="F2026-0101")
    assert payee.fichier and payee.empreinte_certificat
    assert payee.historique.count() == 6  # Déposée, Mise à disposition, then the recipient's four steps

    # The supplier lands on a Synthèse to act on, with the pop-up of the unhandled rejection.
    client.force_login(gp)
    synthese = client.get(reverse("factures_emises")).content.decode()
    for numero in ("F2026-0103", "F2026-0104", "F2026-0105", "F2026-0110"):
        assert numero in synthese
    assert [a["numero"] for a in alertes_connexion(gp)] == ["F2026-0104"]

    # The titulaire has the sous-traitant's invoice to validate.
    titulaire = Utilisateur.objects.get(email="titulaire@demo.chorus-pro.fr")
    assert list(queries.factures_a_valider(titulaire).values_list("numero", flat=True)) == ["ST2026-0011"]

    call_command("charger_demo_factures")  # a second run changes nothing
    assert Facture.objects.count() == 9
