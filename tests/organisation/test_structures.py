"""« Gérer une structure »: creation, identity and parameters (deferred), statut, services, bank details,
billing mandate and transfer of the GP role; and the refusals."""

import pytest
from django.urls import reverse

from organisation import queries, services
from organisation.enums import Application, Niveau, StatutStructure, TypeStructure
from organisation.models import (
    Approbation,
    CoordonneesBancaires,
    HistoriqueStructure,
    MandatFacturation,
    ModificationDifferee,
    Service,
    Structure,
)
from tests import outils
from tests.factories import UtilisateurFactory, rattacher, siret_aleatoire, structure_privee

pytestmark = pytest.mark.django_db

IBAN = "FR7630006000011234567890189"
BIC = "BNPAFRPPXXX"


@pytest.fixture
def publique(gp):
    s = structure_privee(gp, "Commune")
    Structure.objects.filter(pk=s.pk).update(type_structure=TypeStructure.PUBLIQUE)
    s.refresh_from_db()
    return s


def _gerer(client, structure, action, **champs):
    """« Gérer la structure » posted with the form of ``action``, whose fields ``champs`` carry its prefix."""
    donnees = {"action": action, **{f"{action}-{champ}": valeur for champ, valeur in champs.items()}}
    return client.post(reverse("gerer_structure", args=[structure.pk]), donnees)


def test_creer_une_structure_privee_rend_gp(client, gp):
    client.force_login(gp)
    siret = siret_aleatoire()
    response = client.post(
        reverse("creer_structure"),
        {"type_identifiant": "SIRET", "siret": siret, "type_structure": "PRIVEE", "raison_sociale": "Nouvelle SARL"},
    )
    structure = Structure.objects.get(identifiant=siret)
    assert response["Location"] == reverse("gerer_structure", args=[structure.pk])
    assert structure.gestionnaire_principal == gp and structure.statut == StatutStructure.ACTIVE
    assert queries.structures_gerees_par(gp).filter(pk=structure.pk).exists()
    # Same SIRET again: refused next to the field, nothing created.
    response = client.post(
        reverse("creer_structure"),
        {"type_identifiant": "SIRET", "siret": siret, "type_structure": "PRIVEE", "raison_sociale": "Doublon"},
    )
    assert "Une structure existe déjà avec ce SIRET" in outils.texte(response)
    assert Structure.objects.filter(identifiant=siret).count() == 1


def test_creer_une_structure_publique_attend_le_support(client, gp):
    client.force_login(gp)
    siret = siret_aleatoire()
    client.post(
        reverse("creer_structure"),
        {"type_identifiant": "SIRET", "siret": siret, "type_structure": "PUBLIQUE", "raison_sociale": "Mairie"},
    )
    structure = Structure.objects.get(identifiant=siret)
    assert structure.statut == StatutStructure.EN_ATTENTE
    assert Approbation.objects.get(structure=structure).type == "CREATION_STRUCTURE_PUBLIQUE"


def test_modifier_les_informations_prend_effet_30_minutes_plus_tard(client, gp, structure):
    client.force_login(gp)
    response = _gerer(
        client,
        structure,
        "infos",
        raison_sociale="ACME France",
        # The address of a SIRET structure is INSEE's: not a field of the form, what is posted is ignored.
        adresse="2 avenue Foch",
        ville="Paris",
        numero_rcs="RCS Paris 732 829 320",
        numero_tva="",
        telephone="",
        courriel="",
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.raison_sociale == "ACME SAS"
    page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
    assert "Modifications en attente" in page and "Raison sociale : ACME France" in page
    assert outils.modifications_appliquees() == 1
    structure.refresh_from_db()
    assert (structure.raison_sociale, structure.numero_rcs, structure.ville) == (
        "ACME France",
        "RCS Paris 732 829 320",
        "",
    )


def test_parametres_publics_differes_et_incompatibilite(client, gp, publique):
    client.force_login(gp)
    base = {"option_moa": "AVEC_MOA", "code_service_obligatoire": "on"}
    response = _gerer(client, publique, "parametres", **base, service_ou_engagement_obligatoire="on")
    assert "exclut « code service obligatoire »" in outils.texte(response)
    assert not ModificationDifferee.objects.exists()

    assert _gerer(client, publique, "parametres", **base).status_code == 302
    outils.modifications_appliquees()
    publique.refresh_from_db()
    assert publique.code_service_obligatoire and publique.option_moa == "AVEC_MOA"


def test_desactiver_puis_activer_la_structure_avec_historique(client, gp, structure):
    client.force_login(gp)
    _gerer(client, structure, "desactiver")
    structure.refresh_from_db()
    assert structure.statut == StatutStructure.INACTIVE
    _gerer(client, structure, "activer")
    structure.refresh_from_db()
    assert structure.statut == StatutStructure.ACTIVE
    transitions = list(
        HistoriqueStructure.objects.filter(objet=structure)
        .order_by("created_at", "id")
        .values_list("statut", "acting_user")
    )
    assert transitions == [("ACTIVE", gp.pk), ("INACTIVE", gp.pk), ("ACTIVE", gp.pk)]
    assert HistoriqueStructure.chaine_intacte(structure)


def test_services_creation_immediate_modification_differee(client, gp, structure):
    client.force_login(gp)
    data = {"code": "compta", "libelle": "Comptabilité"}
    assert _gerer(client, structure, "service", **data).status_code == 302
    service = Service.objects.get(structure=structure)
    assert service.code == "COMPTA" and service.actif
    assert "Ce code service existe déjà" in outils.texte(_gerer(client, structure, "service", **data))

    url = reverse("modifier_service", args=[structure.pk, service.pk])
    response = client.post(url, {"libelle": "Comptabilité générale", "engagement_obligatoire": "on"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.actif and service.libelle == "Comptabilité"
    outils.modifications_appliquees()
    service.refresh_from_db()
    assert (service.libelle, service.engagement_obligatoire, service.actif) == ("Comptabilité générale", True, False)


@pytest.mark.parametrize(
    ("iban", "bic", "message"),
    [
        ("FR7630006000011234567890188", BIC, "L'IBAN saisi n'est pas valide"),
        (IBAN, "BNP", "Le BIC saisi n'est pas valide"),
    ],
)
def test_coordonnees_bancaires_invalides_refusees(client, gp, structure, iban, bic, message):
    client.force_login(gp)
    data = {"titulaire": "ACME", "iban": iban, "bic": bic}
    response = _gerer(client, structure, "coordonnees", **data)
    assert message in outils.texte(response)
    assert not CoordonneesBancaires.objects.exists() and not ModificationDifferee.objects.exists()


def test_coordonnees_bancaires_actives_apres_le_delai(client, gp, structure):
    client.force_login(gp)
    data = {"titulaire": "ACME SAS", "iban": "fr76 3000 6000 0112 3456 7890 189", "bic": "bnpafrppxxx"}
    assert _gerer(client, structure, "coordonnees", **data).status_code == 302
    coordonnees = CoordonneesBancaires.objects.get()
    assert coordonnees.iban == IBAN and coordonnees.bic == BIC and not coordonnees.active
    assert not queries.coordonnees_bancaires_actives(structure).exists()
    outils.modifications_appliquees()
    assert list(queries.coordonnees_bancaires_actives(structure)) == [coordonnees]
    assert "Cet IBAN est déjà enregistré" in outils.texte(_gerer(client, structure, "coordonnees", **data))


def test_mandat_de_facturation(client, gp, structure):
    client.force_login(gp)
    assert _gerer(client, structure, "mandat").status_code == 302
    assert not queries.mandat_facturation_actif(structure)
    response = client.post(reverse("gerer_structure", args=[structure.pk]), {"action": "mandat"}, follow=True)
    assert "déjà souscrit" in outils.texte(response)
    outils.modifications_appliquees()
    assert queries.mandat_facturation_actif(structure)
    assert MandatFacturation.objects.get().souscrit_par == gp


def test_transfert_du_role_de_gestionnaire_principal(client, gp, structure):
    collegue = UtilisateurFactory()
    rattacher(gp, collegue, structure)
    client.force_login(gp)
    assert _gerer(client, structure, "transfert", nouveau=collegue.pk).status_code == 302
    structure.refresh_from_db()
    assert structure.gestionnaire_principal == gp
    outils.modifications_appliquees()
    structure.refresh_from_db()
    assert structure.gestionnaire_principal == collegue
    assert services.profils_de(utilisateur=collegue, structure=structure) == services.tous_les_profils()
    assert services.profils_de(utilisateur=gp, structure=structure) == services.profils_par_defaut()
    assert not queries.structures_gerees_par(gp).exists()
    assert queries.structures_de(gp, Application.FACTURES_EMISES, Niveau.MODIFICATION).exists()


def test_seul_le_gp_transfere_son_role(gp, structure):
    collegue = UtilisateurFactory()
    rattacher(gp, collegue, structure)
    services.definir_profils(utilisateur=collegue, structure=structure, profils=services.tous_les_profils())
    with pytest.raises(Exception, match="Seul le gestionnaire principal"):
        services.transferer_gestionnaire_principal(acting_user=collegue, structure=structure, nouveau=collegue)
    assert not ModificationDifferee.objects.exists()


def test_personne_d_autre_ne_gere_la_structure(client, gp, structure):
    autre = UtilisateurFactory()
    simple = UtilisateurFactory()
    rattacher(gp, simple, structure)
    service = services.creer_service(acting_user=gp, structure=structure, code="S1", libelle="Service 1")
    url = reverse("modifier_service", args=[structure.pk, service.pk])
    client.force_login(autre)
    assert client.get(reverse("gerer_structure", args=[structure.pk])).status_code == 404
    assert _gerer(client, structure, "desactiver").status_code == 404
    assert client.post(url, {"libelle": "Piraté"}).status_code == 404
    # A simple user of the structure consults it (read-only page) but changes nothing.
    client.force_login(simple)
    assert client.get(reverse("gerer_structure", args=[structure.pk])).status_code == 200
    assert _gerer(client, structure, "desactiver").status_code == 403
    assert client.post(url, {"libelle": "Piraté"}).status_code == 404
    structure.refresh_from_db()
    assert structure.statut == StatutStructure.ACTIVE
    assert not ModificationDifferee.objects.exists()


@pytest.mark.parametrize(
    ("lecteur", "plafond"),
    [
        pytest.param("gp", 25, id="gestionnaire_principal"),
        pytest.param("simple", 14, id="consultation"),  # a user of the structure without the right to change it
    ],
)
def test_page_gerer_une_structure_requetes_bornees(
    client, request, gp, structure, lecteur, plafond, django_assert_max_num_queries
):
    for i in range(10):
        services.creer_service(acting_user=gp, structure=structure, code=f"S{i}", libelle=f"Service {i}")
    client.force_login(request.getfixturevalue(lecteur))
    with django_assert_max_num_queries(plafond):
        response = client.get(reverse("gerer_structure", args=[structure.pk]))
    assert outils.texte(response).count('data-testid="service"') == 10


def test_mettre_a_jour_depuis_la_base_insee(client, gp, structure):
    from organisation.models import EtablissementInsee

    client.force_login(gp)
    response = client.post(reverse("gerer_structure", args=[structure.pk]), {"action": "insee"}, follow=True)
    assert "Ce SIRET est absent de la base INSEE importée." in outils.texte(response)
    EtablissementInsee.objects.create(
        siret=structure.identifiant,
        raison_sociale="ACME SOCIETE PAR ACTIONS SIMPLIFIEE",
        adresse="5 RUE DU PORT",
        code_postal="13002",
        ville="MARSEILLE",
    )
    response = client.post(reverse("gerer_structure", args=[structure.pk]), {"action": "insee"}, follow=True)
    assert "Mise à jour depuis la base INSEE enregistrée" in outils.texte(response)
    outils.modifications_appliquees()
    structure.refresh_from_db()
    assert (structure.raison_sociale, structure.ville) == ("ACME SOCIETE PAR ACTIONS SIMPLIFIEE", "MARSEILLE")
