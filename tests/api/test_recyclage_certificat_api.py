"""``factures/v1/recycler`` goes through the same service as the portal's « Recycler »: towards another recipient,
the invoice gets a new certificat de dépôt and the replaced one is kept (``tests/facturation/
test_recyclage_certificat.py`` for the rule itself)."""

import pytest

from facturation import services
from facturation.enums import StatutFacture
from facturation.models import CertificatRemplace, Facture
from facturation.statuts import DESTINATAIRE
from tests.factories import ServiceFactory, StructureFactory
from tests.facturation.factories import FactureFactory, ligne

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% facture API-RECYC-1\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_recycler_par_l_api_emet_un_nouveau_certificat(api, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero="API-RECYC-1",
        lignes=[ligne(prix_unitaire_ht="10")],
        document=PDF,
    )
    services.CIRCUIT.transition(
        facture, to=StatutFacture.A_RECYCLER, acting_user=None, role=DESTINATAIRE, motif="Mauvais destinataire"
    )
    ancienne = Facture.objects.get(pk=facture.pk).empreinte_certificat
    commune = StructureFactory(publique=True, raison_sociale="Commune de Vif")
    ServiceFactory(structure=commune, code="FACTURES")
    r = api.post(
        "factures/v1/recycler",
        {
            "identifiantFactureCPP": facture.pk,
            "destinataire": {"codeDestinataire": commune.identifiant, "codeServiceExecutant": "FACTURES"},
        },
    )
    assert r.status_code == 200, r.content
    facture.refresh_from_db()
    assert facture.destinataire == commune and facture.empreinte_certificat != ancienne
    remplace = CertificatRemplace.objects.get(facture=facture)
    assert (remplace.empreinte, remplace.remplace_par) == (ancienne, facture.empreinte_certificat)
    assert remplace.acting_user == api.compte.utilisateur
