"""Issuing scoped to the service (issue 13, item 10): a user attached to one service of a supplier structure issues
invoices for that service only (saisie, dépôt, actions on an invoice), and sees only those; a user attached to the
structure itself — its GP, a technical account — keeps the whole structure."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturation import services
from facturation.models import Facture, FluxDepot
from facturation.services import envoi
from facturation.services.circuit import MESSAGE_AUTRE_SERVICE_FOURNISSEUR, MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE
from organisation import services as org_services
from organisation.api.comptes import creer_compte_technique
from organisation.enums import Application, Niveau
from tests import outils
from tests.factories import ServiceFactory, UtilisateurFactory, rattacher
from tests.facturation.depot import deposer
from tests.facturation.factories import FactureFactory
from tests.fixtures_facturation import donnees_saisie

pytestmark = pytest.mark.django_db


@pytest.fixture
def services_fournisseur(fournisseur_gp):
    _gp, structure = fournisseur_gp
    return (
        ServiceFactory(structure=structure, code="COMPTA", libelle="Comptabilité"),
        ServiceFactory(structure=structure, code="ACHATS", libelle="Achats"),
    )


@pytest.fixture
def agent_compta(fournisseur_gp, services_fournisseur):
    """A user attached to the supplier's COMPTA service only, with the default profiles (« Factures émises »
    in modification)."""
    gp, structure = fournisseur_gp
    agent = UtilisateurFactory(email="compta@fournisseur.fr")
    rattacher(gp, agent, structure, service=services_fournisseur[0])
    return agent


def _saisir(client, structure, etat, **extra):
    return client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "enregistrer", **extra})


def test_saisie_sans_service_refusee_pour_un_agent_de_service(client, fournisseur_gp, etat, agent_compta):
    _gp, structure = fournisseur_gp
    client.force_login(agent_compta)
    page = outils.texte(client.get(reverse("saisir_facture")))
    assert "Service du fournisseur" in page and "COMPTA" in page and "ACHATS" not in page
    response = _saisir(client, structure, etat)
    assert response.status_code == 200
    assert MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE in outils.texte(response)
    assert not Facture.objects.exists()


def test_saisie_pour_un_autre_service_refusee(client, fournisseur_gp, etat, agent_compta, services_fournisseur):
    _gp, structure = fournisseur_gp
    client.force_login(agent_compta)
    response = _saisir(client, structure, etat, service_fournisseur=services_fournisseur[1].pk)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in outils.texte(response)
    assert not Facture.objects.exists()


def test_saisie_pour_son_service_acceptee_et_visible(client, fournisseur_gp, etat, agent_compta, services_fournisseur):
    gp, structure = fournisseur_gp
    compta = services_fournisseur[0]
    client.force_login(agent_compta)
    response = _saisir(client, structure, etat, service_fournisseur=compta.pk)
    assert response.status_code == 302
    facture = Facture.objects.get()
    assert facture.service_fournisseur == compta
    assert list(Facture.objects.emises_par(agent_compta, Niveau.MODIFICATION)) == [facture]
    # The structure's GP sees it too (structure level).
    assert list(Facture.objects.emises_par(gp)) == [facture]


def test_service_refuse_dans_la_couche_services(fournisseur_gp, etat, agent_compta, services_fournisseur):
    _gp, structure = fournisseur_gp
    compta, achats = services_fournisseur
    donnees = {"fournisseur": structure, "destinataire": etat, "numero": "F-SVC-1"}
    with pytest.raises(PermissionDenied, match="choisissez votre service"):
        services.enregistrer(acting_user=agent_compta, donnees={**donnees, "service_fournisseur": None}, lignes=[])
    with pytest.raises(PermissionDenied) as refus:
        services.enregistrer(acting_user=agent_compta, donnees={**donnees, "service_fournisseur": achats}, lignes=[])
    assert str(refus.value) == MESSAGE_AUTRE_SERVICE_FOURNISSEUR
    assert not Facture.objects.exists()
    facture = services.enregistrer(
        acting_user=agent_compta,
        donnees={**donnees, "service_fournisseur": compta},
        lignes=[{"denomination": "Prestation", "quantite": "1", "prix_unitaire_ht": "100", "taux_tva": "20"}],
    )
    assert facture.service_fournisseur == compta


def test_l_agent_de_service_ne_touche_pas_aux_factures_de_la_structure(
    client, fournisseur_gp, etat, agent_compta, services_fournisseur
):
    """A draft of the whole structure, or of another service: neither visible to nor sendable by the agent."""
    gp, structure = fournisseur_gp
    de_la_structure = FactureFactory(fournisseur_gp=(gp, structure), destinataire=etat, numero="F-STRUCT")
    des_achats = FactureFactory(
        fournisseur_gp=(gp, structure),
        destinataire=etat,
        numero="F-ACHATS",
        service_fournisseur=services_fournisseur[1],
    )
    client.force_login(agent_compta)
    for facture in (de_la_structure, des_achats):
        assert client.get(reverse("facture_emise", args=[facture.pk])).status_code == 404
        assert client.get(reverse("modifier_brouillon", args=[facture.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            services.valider_et_envoyer(
                acting_user=agent_compta, facture=facture, contenu=b"%PDF-1.4 x", nom_fichier="x.pdf"
            )
        # Nor taken over by saving it under their own service.
        with pytest.raises(PermissionDenied):
            services.enregistrer(
                acting_user=agent_compta,
                donnees={"fournisseur": structure, "service_fournisseur": services_fournisseur[0]},
                lignes=[],
                facture=facture,
            )
        facture.refresh_from_db()
        assert facture.statut == "BROUILLON" and facture.service_fournisseur_id != services_fournisseur[0].pk
    assert not list(Facture.objects.emises_par(agent_compta))


def test_depot_sans_service_refuse_pour_un_agent_de_service(client, fournisseur_gp, agent_compta):
    _gp, structure = fournisseur_gp
    client.force_login(agent_compta)
    response = deposer(client, structure, b"%PDF-1.4 facture", nom="f.pdf")
    assert response.status_code == 200
    assert MESSAGE_SERVICE_FOURNISSEUR_OBLIGATOIRE in outils.texte(response)
    assert not Facture.objects.exists()
    # The deposit pipeline refuses it too, before reading the file.
    with pytest.raises(PermissionDenied):
        envoi.preparer_depot(
            acting_user=agent_compta,
            fournisseur=structure,
            cadre="A1_FACTURE_FOURNISSEUR",
            contenu=b"%PDF-1.4 facture",
            nom_fichier="f.pdf",
        )


def test_consultation_seule_n_emet_pas(client, fournisseur_gp, etat, services_fournisseur):
    gp, structure = fournisseur_gp
    lecteur = UtilisateurFactory()
    rattacher(gp, lecteur, structure, service=services_fournisseur[0])
    org_services.definir_profils(
        utilisateur=lecteur, structure=structure, profils={Application.FACTURES_EMISES: Niveau.CONSULTATION}
    )
    client.force_login(lecteur)
    assert client.get(reverse("saisir_facture")).status_code == 403
    with pytest.raises(PermissionDenied, match="profil « Factures émises » en modification"):
        services.enregistrer(
            acting_user=lecteur,
            donnees={"fournisseur": structure, "service_fournisseur": services_fournisseur[0]},
            lignes=[],
        )


def test_un_service_d_une_autre_structure_refuse(client, fournisseur_gp, etat, agent_compta):
    _gp, structure = fournisseur_gp
    etranger = ServiceFactory(code="AILLEURS")
    client.force_login(agent_compta)
    response = _saisir(client, structure, etat, service_fournisseur=etranger.pk)
    assert "Sélectionnez un choix valide" in outils.texte(response)
    with pytest.raises(PermissionDenied):
        services.enregistrer(
            acting_user=agent_compta,
            donnees={"fournisseur": structure, "service_fournisseur": etranger},
            lignes=[],
        )
    assert not Facture.objects.exists()


def test_le_gp_emet_pour_toute_la_structure_avec_ou_sans_service(client, fournisseur_gp, etat, services_fournisseur):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    assert _saisir(client, structure, etat).status_code == 302
    reponse = _saisir(client, structure, etat, numero="F2026-002", service_fournisseur=services_fournisseur[1].pk)
    assert reponse.status_code == 302
    assert sorted(Facture.objects.values_list("numero", "service_fournisseur__code")) == [
        ("F2026-001", None),
        ("F2026-002", "ACHATS"),
    ]


def test_un_compte_technique_reste_a_la_maille_structure(fournisseur_gp, etat, services_fournisseur):
    """Technical accounts belong to their structure: the API issues for the whole structure, service or not."""
    _gp, structure = fournisseur_gp
    compte, _mot_de_passe = creer_compte_technique(structure=structure, login="TECH_1_test@cpro.fr")
    services.exiger_emission(compte.utilisateur, structure)
    services.exiger_emission(compte.utilisateur, structure, service=services_fournisseur[1])


def test_un_agent_de_service_ne_depose_pas_de_flux_pour_la_structure(client, fournisseur_gp, agent_compta):
    """A flux names no supplier service: its invoices would be the whole structure's. Even with « Raccordements »
    in modification, a user attached to one service does not deposit one on the portal."""
    _gp, structure = fournisseur_gp
    org_services.definir_profils(
        utilisateur=agent_compta, structure=structure, profils={Application.RACCORDEMENTS: Niveau.MODIFICATION}
    )
    client.force_login(agent_compta)
    # « Raccordements » is for users attached to the whole structure: the page itself is refused...
    assert client.get(reverse("raccordements_flux")).status_code == 403
    # ...and a forged deposit too, nothing created.
    response = client.post(
        reverse("raccordements_flux"),
        {
            "structure": structure.pk,
            "syntaxe": "IN_DP_E1_CII_16B",
            "fichier": SimpleUploadedFile("f.xml", b"<x/>", content_type="application/xml"),
        },
    )
    assert response.status_code == 403
    assert not FluxDepot.objects.exists()
