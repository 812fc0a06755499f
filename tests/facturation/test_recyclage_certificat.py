"""« Recycler » changes the recipient, which the certificat de dépôt's digest covers (issue 13, item 10): a new
certificate is issued, the replaced one is kept (append-only), and « Vérifier un certificat de dépôt » accepts the
new one and says the old one was replaced."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from facturation import services
from facturation.certificat import empreinte_depot
from facturation.enums import StatutFacture
from facturation.models import CertificatRemplace, Facture
from facturation.statuts import DESTINATAIRE
from tests import outils
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory
from tests.facturation.factories import FactureFactory, ligne, recycler

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% facture F-RECYC-1\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
URL = "/verifier-un-depot/"


@pytest.fixture
def a_recycler(fournisseur_gp, etat):
    """An invoice sent to the State (DRFIP_IDF), then sent back « À recycler » by the recipient."""
    gp, structure = fournisseur_gp
    facture = FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero="F-RECYC-1",
        numero_marche="",
        lignes=[ligne(prix_unitaire_ht="1234.5")],
        document=PDF,
    )
    services.CIRCUIT.transition(
        facture, to=StatutFacture.A_RECYCLER, acting_user=None, role=DESTINATAIRE, motif="Mauvais destinataire"
    )
    facture.refresh_from_db()
    return facture


@pytest.fixture
def commune():
    commune = StructureFactory(publique=True, raison_sociale="Commune de Vif")
    ServiceFactory(structure=commune, code="FACTURES", libelle="Factures")
    return commune


def test_recycler_vers_un_autre_destinataire_emet_un_nouveau_certificat(a_recycler, commune):
    facture = a_recycler
    ancienne = facture.empreinte_certificat
    recycler(facture, commune)
    facture.refresh_from_db()
    # The new digest is the one anyone recomputes with the new recipient (same document, number, deposit time).
    assert facture.empreinte_certificat == empreinte_depot(
        PDF,
        numero=facture.numero,
        siret_fournisseur=facture.fournisseur.identifiant,
        siret_destinataire=commune.identifiant,
        date_depot=facture.date_depot,
    )
    assert facture.empreinte_certificat != ancienne
    remplace = CertificatRemplace.objects.get(facture=facture)
    assert (remplace.empreinte, remplace.remplace_par) == (ancienne, facture.empreinte_certificat)
    assert remplace.identifiant_destinataire == "11000201100044"
    assert remplace.acting_user == facture.fournisseur.gestionnaire_principal


def test_recycler_deux_fois_garde_chaque_certificat_remplace(a_recycler, commune, etat):
    facture = a_recycler
    premiere = facture.empreinte_certificat
    recycler(facture, commune)
    facture.refresh_from_db()
    deuxieme = facture.empreinte_certificat
    services.CIRCUIT.transition(
        facture, to=StatutFacture.A_RECYCLER, acting_user=None, role=DESTINATAIRE, motif="Mauvais destinataire"
    )
    recycler(facture, etat, "DRFIP_IDF", numero_engagement="EJ-1")
    facture.refresh_from_db()
    # Back to the first recipient: the digest is the first one again, and both replacements are on record.
    assert facture.empreinte_certificat == premiere
    assert list(
        CertificatRemplace.objects.filter(facture=facture).order_by("id").values_list("empreinte", "remplace_par")
    ) == [(premiere, deuxieme), (deuxieme, premiere)]


def test_recycler_vers_un_autre_service_du_meme_destinataire_garde_le_certificat(a_recycler, etat):
    """The digest covers the recipient's SIRET, not its service: recycling within the structure changes nothing."""
    facture = a_recycler
    ancienne = facture.empreinte_certificat
    recycler(facture, etat, "FACTURES_PUBLIQUES")
    facture.refresh_from_db()
    assert facture.empreinte_certificat == ancienne
    assert not CertificatRemplace.objects.exists()


def test_un_recyclage_refuse_ne_remplace_pas_le_certificat(a_recycler, etat):
    facture = a_recycler
    ancienne = facture.empreinte_certificat
    autre_gp = UtilisateurFactory()
    with pytest.raises(ValidationError):
        # The State requires a code service: refused, nothing changes.
        recycler(facture, etat)
    with pytest.raises(PermissionDenied):
        services.recycler(
            acting_user=autre_gp, facture=facture, destinataire=etat, service_destinataire=None, numero_engagement=""
        )
    facture.refresh_from_db()
    assert facture.empreinte_certificat == ancienne and facture.statut == StatutFacture.A_RECYCLER
    assert not CertificatRemplace.objects.exists()


def test_les_certificats_remplaces_sont_en_ajout_seul(a_recycler, commune):
    recycler(a_recycler, commune)
    with pytest.raises(DatabaseError), transaction.atomic():
        CertificatRemplace.objects.update(empreinte="x" * 44)
    with pytest.raises(DatabaseError), transaction.atomic():
        CertificatRemplace.objects.all().delete()
    assert CertificatRemplace.objects.count() == 1


def test_verifier_le_nouveau_certificat_et_l_ancien_remplace(client, a_recycler, commune):
    facture = a_recycler
    ancienne = facture.empreinte_certificat
    recycler(facture, commune)
    facture.refresh_from_db()

    nouveau = outils.texte(client.post(URL, {"empreinte": facture.empreinte_certificat}))
    assert "Dépôt retrouvé" in nouveau and "à destination de Commune de Vif" in nouveau
    assert "remplacé" not in nouveau

    ancien = outils.texte(client.post(URL, {"empreinte": ancienne}))
    assert "Certificat de dépôt remplacé" in ancien and "Dépôt retrouvé" not in ancien
    recycle_le = timezone.localtime(CertificatRemplace.objects.get().remplace_le).strftime("%d/%m/%Y à %H:%M:%S")
    assert f"a été recyclée le {recycle_le} vers un autre destinataire (Commune de Vif)" in ancien
    assert "Empreinte du certificat de dépôt en vigueur" in ancien
    assert f'data-testid="empreinte-certificat">{facture.empreinte_certificat}</code>' in ancien

    # The document itself is still recognised, with its certificate in force.
    document = outils.texte(client.post(URL, {"fichier": SimpleUploadedFile("f.pdf", PDF), "empreinte": ancienne}))
    assert "Certificat de dépôt remplacé" in document
    assert "Le document et l'empreinte correspondent au même dépôt." in document


def test_recycler_par_la_page_emet_le_nouveau_certificat(client, a_recycler, commune):
    facture = a_recycler
    ancienne = facture.empreinte_certificat
    client.force_login(facture.fournisseur.gestionnaire_principal)
    response = client.post(
        reverse("recycler_facture", args=[facture.pk]),
        {"destinataire_siret": commune.identifiant, "code_service": "FACTURES", "numero_engagement": ""},
    )
    assert response.status_code == 302
    facture = Facture.objects.get(pk=facture.pk)
    assert facture.destinataire == commune and facture.empreinte_certificat != ancienne
    assert CertificatRemplace.objects.filter(facture=facture, empreinte=ancienne).exists()
    # The supplier's page of the invoice keeps the replaced certificate on record.
    page = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    assert "Certificats de dépôt remplacés" in page and ancienne in page and "ETAT (11000201100044)" in page
