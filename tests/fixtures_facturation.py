from datetime import date, timedelta

import pytest

from organisation.models import Service
from tests.factories import StructureFactory
from tests.facturation.factories import fournisseur_pret

SIRET_ETAT = "11000201100044"


@pytest.fixture
def fournisseur_gp(db):
    """A supplier structure ready to invoice: its GP, active bank details and billing mandate."""
    return fournisseur_pret(email="gp@fournisseur.fr", prenom="Claire", nom="Martin")


@pytest.fixture
def etat(db):
    etat = StructureFactory(
        identifiant=SIRET_ETAT,
        raison_sociale="ETAT",
        publique=True,
        code_service_obligatoire=True,
        adresse="139 rue de Bercy",
        code_postal="75012",
        ville="Paris",
    )
    Service.objects.create(structure=etat, code="DRFIP_IDF", libelle="DRFIP Île-de-France", engagement_obligatoire=True)
    Service.objects.create(structure=etat, code="FACTURES_PUBLIQUES", libelle="Factures publiques")
    Service.objects.create(structure=etat, code="ANCIEN", libelle="Service fermé", actif=False)
    return etat


@pytest.fixture
def communes(db):
    """Public structures of the directory: two active communes, one not yet active, one private company."""
    vif = StructureFactory(
        raison_sociale="Commune de Vif", publique=True, code_postal="38450", ville="Vif", engagement_obligatoire=True
    )
    Service.objects.create(structure=vif, code="TECHNIQUE", libelle="Services techniques", engagement_obligatoire=True)
    Service.objects.create(structure=vif, code="ECOLES", libelle="Écoles")
    Service.objects.create(structure=vif, code="FERME", libelle="Service fermé", actif=False)
    varces = StructureFactory(raison_sociale="Commune de Varces", publique=True, code_postal="38760", ville="Varces")
    attente = StructureFactory(raison_sociale="Commune de Veurey", publique=True, code_postal="38113", en_attente=True)
    privee = StructureFactory(raison_sociale="Commune Conseil SARL", code_postal="38450")
    return vif, varces, attente, privee


def donnees_saisie(structure, etat, **extra):
    coord = structure.coordonnees_bancaires.get()
    data = {
        "destinataire_etat": "oui",
        "destinataire_siret": "",
        "code_service": "DRFIP_IDF",
        "fournisseur": structure.pk,
        "coordonnees_bancaires": coord.pk,
        "cadre": "A1_FACTURE_FOURNISSEUR",
        "valideur_siret": "",
        "type_facture": "FACTURE",
        "numero": "F2026-001",
        "date_facture": (date.today() - timedelta(days=1)).isoformat(),
        "devise": "EUR",
        "type_tva": "TVA_SUR_DEBIT",
        "motif_exoneration": "",
        "numero_marche": "M-2026-12",
        "numero_engagement": "EJ-0042",
        "numero_facture_origine": "",
        "mode_paiement": "VIREMENT",
        "remise_globale_ttc": "30,00",
        "motif_remise_globale": "Geste commercial",
        "commentaire": "",
        "lignes-TOTAL_FORMS": "3",
        "lignes-INITIAL_FORMS": "0",
        "lignes-MIN_NUM_FORMS": "1",
        "lignes-MAX_NUM_FORMS": "500",
        "lignes-0-reference": "MO-1",
        "lignes-0-denomination": "Main d'œuvre",
        "lignes-0-quantite": "10",
        "lignes-0-unite": "HUR",
        "lignes-0-prix_unitaire_ht": "12,50",
        "lignes-0-remise_ht": "5",
        "lignes-0-taux_tva": "20",
        "lignes-1-reference": "MAT-1",
        "lignes-1-denomination": "Matériaux",
        "lignes-1-quantite": "2",
        "lignes-1-unite": "C62",
        "lignes-1-prix_unitaire_ht": "100",
        "lignes-1-remise_ht": "",
        "lignes-1-taux_tva": "20",
        "lignes-2-reference": "LIV-1",
        "lignes-2-denomination": "Livres",
        "lignes-2-quantite": "4",
        "lignes-2-unite": "C62",
        "lignes-2-prix_unitaire_ht": "7,35",
        "lignes-2-remise_ht": "",
        "lignes-2-taux_tva": "5.5",
    }
    data.update(extra)
    return data
