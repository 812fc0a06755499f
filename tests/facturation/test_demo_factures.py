"""The demo invoices of ``make run``: every page of the supplier, of the recipient and of the valideur has something
to show."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from chorus.navigation import alertes_connexion, domaines_de
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
        "F2026-0101": "MISE_EN_PAIEMENT",
        "F2026-0102": "SERVICE_FAIT",
        "F2026-0103": "SUSPENDUE",
        "F2026-0104": "REJETEE",
        "F2026-0105": "A_RECYCLER",
        "F2026-0106": "MISE_A_DISPOSITION",
        "F2026-0107": "COMPLETEE",
        "AV2026-0007": "MISE_A_DISPOSITION",
        "ST2026-0011": "A_VALIDER_1",
        "F2026-0110": "BROUILLON",
    }
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

    # The State's agent, attached to the service DRFIP_IDF, finds in « Factures reçues » the invoices addressed to
    # it (never the draft nor the one still « À valider »), and those awaiting action in « Factures à traiter ».
    agent = Utilisateur.objects.get(email="destinataire@demo.chorus-pro.fr")
    assert "Factures reçues" in [a.libelle for d in domaines_de(agent) for a in d["applications"]]
    recues = dict(queries.factures_recues(agent).values_list("numero", "statut"))
    assert recues == {k: v for k, v in statuts.items() if k not in ("ST2026-0011", "F2026-0110")}
    client.force_login(agent)
    a_traiter = [f["numero"] for f in client.get(reverse("factures_recues")).context["factures"]]
    assert sorted(a_traiter) == ["AV2026-0007", "F2026-0106", "F2026-0107"]
    completee = Facture.objects.get(numero="F2026-0107")
    assert [h.statut for h in completee.historique.order_by("created_at", "id")][-2:] == ["SUSPENDUE", "COMPLETEE"]
    suspension = completee.historique.get(statut="SUSPENDUE")
    assert (suspension.motif, suspension.commentaire) == (
        "Justificatif absent ou insuffisant",
        "Joindre le bon de livraison signé.",
    )
    assert completee.pieces_jointes.get().designation == "Bon de livraison signé"

    call_command("charger_demo_factures")  # a second run changes nothing
    assert Facture.objects.count() == 10
