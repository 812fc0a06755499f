"""Organisation (issue 14, item 4): identifier types other than SIRET at creation, RCS / TVA intracommunautaire /
non diffusible on a structure, the address INSEE's and read-only, « Modifier mon numéro de SIRET » (the GP asks,
the support desk decides, history kept), a simple user's read-only consultation; and the refusals."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from organisation import queries, services, sirene
from organisation.enums import (
    Application,
    Niveau,
    StatutApprobation,
    StatutStructure,
    TypeApprobation,
    TypeIdentifiant,
    TypeStructure,
)
from organisation.models import (
    Approbation,
    EtablissementInsee,
    HistoriqueIdentifiantStructure,
    ModificationDifferee,
    Structure,
)
from tests import outils
from tests.factories import UtilisateurFactory, rattacher, siret_aleatoire, structure_privee

pytestmark = pytest.mark.django_db

SIRET_ENTREPRISE = "73282932000074"
TVA_ENTREPRISE = "FR44732829320"


@pytest.fixture
def support():
    return UtilisateurFactory(prenom="Sam", nom="Support", agent_support=True)


@pytest.fixture
def structure(gp):
    return structure_privee(gp, "ACME SAS", siret=SIRET_ENTREPRISE)


def _insee(siret, **champs):
    valeurs = {
        "raison_sociale": "ACME SAS",
        "adresse": "5 RUE DU PORT",
        "code_postal": "13002",
        "ville": "MARSEILLE",
    }
    return EtablissementInsee.objects.create(siret=siret, **{**valeurs, **champs})


def _creer(client, **donnees):
    data = {"type_identifiant": "SIRET", "type_structure": "PRIVEE", **donnees}
    return client.post(reverse("creer_structure"), data)


def _erreur(response, champ) -> str:
    return " ".join(response.context["form"].errors.get(champ, []))


# --- Créer une structure : les types d'identifiant ----------------------------------------------------------


@pytest.mark.parametrize(
    ("type_identifiant", "saisi", "attendu"),
    [
        ("UE_HORS_FRANCE", "de 136 695 976", "DE136695976"),
        ("HORS_UE", "ch-123.456", "CH123456"),
        ("RIDET", "1234567.001", "1234567001"),
        ("TAHITI", "a12345 001", "A12345001"),
    ],
)
def test_creer_une_structure_privee_avec_un_autre_identifiant(client, gp, type_identifiant, saisi, attendu):
    client.force_login(gp)
    response = _creer(
        client,
        type_identifiant=type_identifiant,
        identifiant=saisi,
        raison_sociale="Société étrangère",
        adresse="1 Main Street",
        ville="Nouméa",
        libelle_pays="Nouvelle-Calédonie",
    )
    structure = Structure.objects.get(type_identifiant=type_identifiant)
    assert response["Location"] == reverse("gerer_structure", args=[structure.pk])
    assert structure.identifiant == attendu
    # INSEE does not know these structures: their address is the one typed.
    assert (structure.adresse, structure.ville, structure.libelle_pays) == (
        "1 Main Street",
        "Nouméa",
        "Nouvelle-Calédonie",
    )
    assert structure.gestionnaire_principal == gp and structure.statut == StatutStructure.ACTIVE


def test_un_particulier_recoit_un_identifiant_du_portail(client, gp):
    client.force_login(gp)
    response = _creer(client, type_identifiant="PARTICULIER", identifiant="", raison_sociale="Jeanne Martin")
    assert response.status_code == 302
    structure = Structure.objects.get(type_identifiant=TypeIdentifiant.PARTICULIER)
    assert structure.identifiant.startswith("P") and len(structure.identifiant) == 13
    assert structure.identifiant[1:].isdigit()


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        (
            {"type_identifiant": "UE_HORS_FRANCE", "identifiant": "DE136695977", "raison_sociale": "X"},
            "identifiant",
            "Le numéro de TVA intracommunautaire DE136695977 n'est pas valide pour ce pays.",
        ),
        (
            {"type_identifiant": "RIDET", "identifiant": "123456.001", "raison_sociale": "X"},
            "identifiant",
            "Le numéro RIDET comporte 10 chiffres",
        ),
        (
            {"type_identifiant": "TAHITI", "identifiant": "", "raison_sociale": "X"},
            "identifiant",
            "Le numéro Tahiti est obligatoire.",
        ),
        (
            {"type_identifiant": "HORS_UE", "identifiant": "ABC", "raison_sociale": ""},
            "raison_sociale",
            "La raison sociale (ou vos nom et prénom) est obligatoire.",
        ),
        (
            {
                "type_identifiant": "RIDET",
                "identifiant": "1234567001",
                "type_structure": "PUBLIQUE",
                "raison_sociale": "X",
            },
            "type_structure",
            "Une structure publique est identifiée par son SIRET : choisissez « SIRET ».",
        ),
        (
            {"type_identifiant": "AUTRE", "identifiant": "X", "raison_sociale": "X"},
            "type_identifiant",
            "Sélectionnez un choix valide.",
        ),
        (
            {"siret": "73282932000075", "raison_sociale": "X"},
            "siret",
            "Le SIRET 73282932000075 n'est pas valide : sa clé de contrôle est incorrecte.",
        ),
        (
            {"siret": SIRET_ENTREPRISE, "raison_sociale": "X", "adresse": "2 avenue Foch"},
            "adresse",
            "L'adresse d'une structure identifiée par son SIRET vient de la base INSEE : laissez ces champs vides.",
        ),
        (
            {"siret": SIRET_ENTREPRISE, "raison_sociale": "X", "numero_tva": "FR45732829320"},
            "numero_tva",
            "sa clé ne correspond pas au SIREN",
        ),
        (
            {"siret": SIRET_ENTREPRISE, "raison_sociale": "X", "numero_tva": "FR40303265045"},
            "numero_tva",
            "doit reprendre le SIREN de la structure (732829320)",
        ),
        (
            {"type_identifiant": "PARTICULIER", "raison_sociale": "Jeanne Martin", "numero_tva": "DE136695976"},
            "numero_tva",
            "Un particulier n'a pas de numéro de TVA intracommunautaire.",
        ),
    ],
)
def test_creer_une_structure_erreurs_en_francais_rien_n_est_cree(client, gp, donnees, champ, message):
    client.force_login(gp)
    response = _creer(client, **donnees)
    assert response.status_code == 200
    assert message in _erreur(response, champ)
    assert message in outils.texte(response)
    assert not Structure.objects.exists()


def test_service_refuse_un_identifiant_non_siret_pour_une_structure_publique(gp):
    with pytest.raises(ValidationError) as exc_info:
        services.creer_structure_par_utilisateur(
            acting_user=gp,
            type_identifiant=TypeIdentifiant.HORS_UE,
            identifiant="ABC123",
            raison_sociale="Agence",
            type_structure=TypeStructure.PUBLIQUE,
        )
    assert "Une structure publique est identifiée par son SIRET" in exc_info.value.message_dict["type_structure"][0]
    assert not Structure.objects.exists()


def test_creer_avec_siret_connu_de_l_insee_reprend_son_adresse_et_sa_diffusion(client, gp):
    _insee(SIRET_ENTREPRISE, complement_adresse="BATIMENT B", non_diffusible=True)
    client.force_login(gp)
    response = _creer(
        client,
        siret=SIRET_ENTREPRISE,
        raison_sociale="",
        numero_rcs="RCS Paris 732 829 320",
        numero_tva="fr44 732829320",
    )
    assert response.status_code == 302
    structure = Structure.objects.get(identifiant=SIRET_ENTREPRISE)
    assert structure.raison_sociale == "ACME SAS"  # from INSEE, left empty
    assert (structure.adresse, structure.complement_adresse, structure.code_postal, structure.ville) == (
        "5 RUE DU PORT",
        "BATIMENT B",
        "13002",
        "MARSEILLE",
    )
    assert structure.non_diffusible is True
    assert (structure.numero_rcs, structure.numero_tva) == ("RCS Paris 732 829 320", TVA_ENTREPRISE)


def test_formulaire_de_creation_propose_les_types_et_pas_autre(client, gp):
    client.force_login(gp)
    page = outils.texte(client.get(reverse("creer_structure")))
    for libelle in ("SIRET", "Structure européenne hors France", "Structure hors UE", "RIDET", "Numéro Tahiti"):
        assert f">{libelle}</option>" in page
    assert ">Particulier</option>" in page
    assert "En cours d'immatriculation" not in page


# --- Gérer une structure : adresse INSEE, RCS, TVA ---------------------------------------------------------


def test_adresse_d_une_structure_siret_en_lecture_seule(client, gp, structure):
    Structure.objects.filter(pk=structure.pk).update(adresse="5 RUE DU PORT", ville="MARSEILLE")
    client.force_login(gp)
    page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
    assert "Les données d'adresse sont héritées de SIRENE" in page
    assert "5 RUE DU PORT" in page and "MARSEILLE" in page
    assert 'name="infos-adresse"' not in page and 'name="infos-ville"' not in page
    assert 'name="infos-numero_rcs"' in page and 'name="infos-numero_tva"' in page
    with pytest.raises(ValidationError, match="vient de la base INSEE"):
        services.modifier_structure(acting_user=gp, structure=structure, changements={"ville": "Lyon"})
    with pytest.raises(ValidationError, match="non diffusible"):
        services.modifier_structure(acting_user=gp, structure=structure, changements={"non_diffusible": True})
    assert not ModificationDifferee.objects.exists()


def test_une_structure_hors_ue_saisit_son_adresse(client, gp):
    etrangere = services.creer_structure_par_utilisateur(
        acting_user=gp,
        type_identifiant=TypeIdentifiant.HORS_UE,
        identifiant="CH123456",
        raison_sociale="Helvetia AG",
        type_structure=TypeStructure.PRIVEE,
    )
    client.force_login(gp)
    page = outils.texte(client.get(reverse("gerer_structure", args=[etrangere.pk])))
    assert 'name="infos-adresse"' in page and 'name="infos-ville"' in page
    assert "Les données d'adresse sont héritées de SIRENE" not in page
    assert "Modifier mon numéro de SIRET" not in page


def test_numero_tva_verifie_a_la_modification(client, gp, structure):
    client.force_login(gp)
    donnees = {
        "action": "infos",
        "infos-raison_sociale": "ACME SAS",
        "infos-numero_rcs": "",
        "infos-telephone": "",
        "infos-courriel": "",
    }
    response = client.post(
        reverse("gerer_structure", args=[structure.pk]), {**donnees, "infos-numero_tva": "FR45732829320"}
    )
    assert response.status_code == 200
    assert "sa clé ne correspond pas au SIREN" in outils.texte(response)
    assert not ModificationDifferee.objects.exists()
    response = client.post(
        reverse("gerer_structure", args=[structure.pk]), {**donnees, "infos-numero_tva": "FR 44 732829320"}
    )
    assert response.status_code == 302
    assert ModificationDifferee.objects.get().changements == {"numero_tva": TVA_ENTREPRISE}


def test_mise_a_jour_insee_reprend_le_caractere_non_diffusible(client, gp, structure):
    _insee(SIRET_ENTREPRISE, non_diffusible=True)
    modification = sirene.demander_mise_a_jour_depuis_insee(structure=structure, acting_user=gp)
    assert modification.changements["non_diffusible"] is True


def test_import_sirene_lit_le_statut_de_diffusion():
    ligne = {"siret": SIRET_ENTREPRISE, "statutDiffusionEtablissement": "P", "libelleVoieEtablissement": "[ND]"}
    assert sirene.etablissement_depuis_ligne(ligne)["non_diffusible"] is True
    assert sirene.etablissement_depuis_ligne({**ligne, "statutDiffusionEtablissement": "O"})["non_diffusible"] is False


# --- Modifier mon numéro de SIRET ------------------------------------------------------------------------------


def _demander_siret(client, structure, nouveau, commentaire="Déménagement du siège"):
    return client.post(
        reverse("gerer_structure", args=[structure.pk]),
        {"action": "siret", "siret-nouveau_siret": nouveau, "siret-commentaire": commentaire},
    )


def test_changement_de_siret_demande_par_le_gp_approuve_par_le_support(client, gp, support, structure):
    nouveau = siret_aleatoire()
    _insee(nouveau, adresse="9 QUAI DES CHARTRONS", code_postal="33000", ville="BORDEAUX")
    client.force_login(gp)
    response = _demander_siret(client, structure, nouveau[:7] + " " + nouveau[7:])
    assert response.status_code == 302
    approbation = Approbation.objects.get(type=TypeApprobation.CHANGEMENT_SIRET)
    assert approbation.donnees == {"ancien_siret": SIRET_ENTREPRISE, "nouveau_siret": nouveau}
    assert approbation.statut == StatutApprobation.DEMANDE
    structure.refresh_from_db()
    assert structure.identifiant == SIRET_ENTREPRISE  # nothing changes before the support's decision
    page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
    assert f"Votre demande de passage au SIRET {nouveau} attend la décision du support." in page
    # The support decides, not the GP.
    assert approbation in queries.approbations_a_traiter(support)
    assert approbation not in queries.approbations_a_traiter(gp)
    with pytest.raises(PermissionDenied):
        services.decider(approbation=approbation, acting_user=gp, approuver=True)

    client.force_login(support)
    page = outils.texte(client.get(reverse("approbation", args=[approbation.pk])))
    assert "Modifier mon numéro de SIRET" in page and nouveau in page and "Déménagement du siège" in page
    response = client.post(reverse("approbation", args=[approbation.pk]), {"decision": "APPROUVER"})
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.identifiant == nouveau
    assert (structure.adresse, structure.code_postal, structure.ville) == ("9 QUAI DES CHARTRONS", "33000", "BORDEAUX")
    historique = HistoriqueIdentifiantStructure.objects.get(objet=structure)
    assert (historique.ancien_identifiant, historique.nouvel_identifiant) == (SIRET_ENTREPRISE, nouveau)
    assert historique.acting_user == support and historique.approbation == approbation
    assert HistoriqueIdentifiantStructure.chaine_intacte(structure)
    # The old SIRET still finds the structure; the GP's page shows the history.
    assert list(queries.structures_par_identifiant(SIRET_ENTREPRISE)) == [structure]
    client.force_login(gp)
    page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
    assert "Historique du numéro de SIRET" in page and SIRET_ENTREPRISE in page


def test_historique_des_identifiants_en_ajout_seul(gp, support, structure):
    nouveau = siret_aleatoire()
    _insee(nouveau)
    approbation = services.demander_changement_siret(acting_user=gp, structure=structure, nouveau_siret=nouveau)
    services.decider(approbation=approbation, acting_user=support, approuver=True)
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoriqueIdentifiantStructure.objects.filter(objet=structure).update(statut_precedent="00000000000000")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoriqueIdentifiantStructure.objects.filter(objet=structure).delete()
    assert HistoriqueIdentifiantStructure.objects.get(objet=structure).ancien_identifiant == SIRET_ENTREPRISE


def test_changement_de_siret_refuse_par_le_support(client, gp, support, structure):
    nouveau = siret_aleatoire()
    _insee(nouveau)
    approbation = services.demander_changement_siret(acting_user=gp, structure=structure, nouveau_siret=nouveau)
    client.force_login(support)
    response = client.post(reverse("approbation", args=[approbation.pk]), {"decision": "REFUSER", "motif": ""})
    assert "Le motif est obligatoire pour refuser une demande." in outils.texte(response)
    client.post(reverse("approbation", args=[approbation.pk]), {"decision": "REFUSER", "motif": "Justificatif absent"})
    approbation.refresh_from_db()
    assert approbation.statut == StatutApprobation.REFUSE and approbation.motif_refus == "Justificatif absent"
    structure.refresh_from_db()
    assert structure.identifiant == SIRET_ENTREPRISE
    assert not HistoriqueIdentifiantStructure.objects.exists()
    # Refused: the GP may ask again.
    assert services.demander_changement_siret(acting_user=gp, structure=structure, nouveau_siret=nouveau)


@pytest.mark.parametrize(
    ("cas", "message"),
    [
        ("cle", "sa clé de contrôle est incorrecte"),
        ("meme", "Ce SIRET est déjà celui de la structure."),
        ("absent", "Ce SIRET est absent de la base INSEE : vérifiez-le."),
        ("ferme", "Cet établissement est fermé dans la base INSEE."),
        ("pris", "Une structure existe déjà avec ce SIRET sur le portail."),
    ],
)
def test_changement_de_siret_verifie_le_nouveau_siret(client, gp, structure, cas, message):
    nouveau = siret_aleatoire()
    if cas == "cle":
        nouveau = nouveau[:-1] + str((int(nouveau[-1]) + 1) % 10)
    elif cas == "meme":
        nouveau = SIRET_ENTREPRISE
    elif cas == "ferme":
        _insee(nouveau, actif=False)
    elif cas == "pris":
        _insee(nouveau)
        services.creer_structure_par_utilisateur(
            acting_user=UtilisateurFactory(), siret=nouveau, raison_sociale="Autre", type_structure=TypeStructure.PRIVEE
        )
    client.force_login(gp)
    response = _demander_siret(client, structure, nouveau)
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert not Approbation.objects.filter(type=TypeApprobation.CHANGEMENT_SIRET).exists()


def test_une_seule_demande_de_changement_de_siret_a_la_fois(gp, structure):
    premier, second = siret_aleatoire(), siret_aleatoire()
    _insee(premier)
    _insee(second)
    services.demander_changement_siret(acting_user=gp, structure=structure, nouveau_siret=premier)
    with pytest.raises(ValidationError, match="attend déjà la décision du support"):
        services.demander_changement_siret(acting_user=gp, structure=structure, nouveau_siret=second)


def test_seul_le_gp_demande_le_changement_de_siret(client, gp, structure, simple):
    nouveau = siret_aleatoire()
    _insee(nouveau)
    # A secondary gestionnaire (« Organisation modification ») manages the structure but is not its GP.
    secondaire = UtilisateurFactory()
    rattacher(gp, secondaire, structure)
    services.definir_profils(
        utilisateur=secondaire, structure=structure, profils={Application.ORGANISATION: Niveau.MODIFICATION}
    )
    with pytest.raises(PermissionDenied, match="Seul le gestionnaire principal"):
        services.demander_changement_siret(acting_user=secondaire, structure=structure, nouveau_siret=nouveau)
    client.force_login(secondaire)
    assert "Modifier mon numéro de SIRET" not in outils.texte(
        client.get(reverse("gerer_structure", args=[structure.pk]))
    )
    _demander_siret(client, structure, nouveau)
    client.force_login(simple)
    assert _demander_siret(client, structure, nouveau).status_code == 403
    client.force_login(UtilisateurFactory())
    assert _demander_siret(client, structure, nouveau).status_code == 404
    assert not Approbation.objects.filter(type=TypeApprobation.CHANGEMENT_SIRET).exists()


def test_approbation_impossible_si_le_siret_a_ete_pris_entre_temps(client, gp, support, structure):
    nouveau = siret_aleatoire()
    _insee(nouveau)
    approbation = services.demander_changement_siret(acting_user=gp, structure=structure, nouveau_siret=nouveau)
    services.creer_structure_par_utilisateur(
        acting_user=UtilisateurFactory(), siret=nouveau, raison_sociale="Rapide", type_structure=TypeStructure.PRIVEE
    )
    client.force_login(support)
    response = client.post(reverse("approbation", args=[approbation.pk]), {"decision": "APPROUVER"}, follow=True)
    assert "Une structure existe déjà avec ce SIRET sur le portail." in outils.texte(response)
    approbation.refresh_from_db()
    structure.refresh_from_db()
    assert approbation.statut == StatutApprobation.DEMANDE and structure.identifiant == SIRET_ENTREPRISE
    assert not HistoriqueIdentifiantStructure.objects.exists()


# --- Non diffusible : l'annuaire public ne publie pas l'adresse -----------------------------------------------


@pytest.fixture
def publiques(gp):
    def _publique(nom, non_diffusible):
        s = structure_privee(gp, nom)
        Structure.objects.filter(pk=s.pk).update(
            type_structure=TypeStructure.PUBLIQUE,
            adresse="12 RUE SECRETE",
            code_postal="75007",
            ville="PARIS",
            non_diffusible=non_diffusible,
        )
        s.refresh_from_db()
        return s

    return _publique("Mairie diffusible", non_diffusible=False), _publique("Mairie discrète", non_diffusible=True)


def test_annuaire_cache_l_adresse_d_une_structure_non_diffusible(client, publiques):
    diffusible, discrete = publiques
    page = outils.texte(client.get(reverse("annuaire_structure", args=[discrete.pk])))
    assert "Adresse non diffusible (INSEE)." in page
    assert "12 RUE SECRETE" not in page and "75007" not in page
    page = outils.texte(client.get(reverse("annuaire_structure", args=[diffusible.pk])))
    assert "12 RUE SECRETE" in page
    # The list does not show its town, and a search by town does not reveal it.
    page = outils.texte(client.get(reverse("annuaire"), {"raison_sociale": "Mairie"}))
    assert "Non diffusible" in page and page.count("PARIS") == 1
    response = client.get(reverse("annuaire"), {"ville": "paris"})
    assert [ligne["structure"].pk for ligne in response.context["lignes"]] == [diffusible.pk]
    # The CSV export leaves its address columns empty.
    contenu = b"".join(client.get(reverse("exporter_annuaire")).streaming_content).decode()
    lignes = {ligne["RaisonSociale"]: ligne for ligne in csv.DictReader(io.StringIO(contenu), delimiter=";")}
    assert (lignes["Mairie discrète"]["Adresse"], lignes["Mairie discrète"]["Ville"]) == ("", "")
    assert lignes["Mairie discrète"]["CodePostal"] == ""
    assert (lignes["Mairie diffusible"]["Adresse"], lignes["Mairie diffusible"]["Ville"]) == ("12 RUE SECRETE", "PARIS")


def test_annuaire_retrouve_une_structure_par_son_ancien_siret(client, gp, support, publiques):
    _diffusible, discrete = publiques
    ancien, nouveau = discrete.identifiant, siret_aleatoire()
    _insee(nouveau, non_diffusible=True)
    approbation = services.demander_changement_siret(acting_user=gp, structure=discrete, nouveau_siret=nouveau)
    services.decider(approbation=approbation, acting_user=support, approuver=True)
    for siret in (ancien, nouveau):
        response = client.get(reverse("annuaire"), {"siret": siret})
        assert [ligne["structure"].pk for ligne in response.context["lignes"]] == [discrete.pk], siret


# --- Un utilisateur simple consulte ses structures sans les modifier ------------------------------------------


def test_utilisateur_simple_consulte_sa_structure_en_lecture_seule(client, gp, structure, simple):
    services.creer_service(acting_user=gp, structure=structure, code="COMPTA", libelle="Comptabilité")
    client.force_login(simple)
    page = outils.texte(client.get(reverse("mes_structures")))
    assert "ACME SAS" in page and "Consultation" in page
    response = client.get(reverse("gerer_structure", args=[structure.pk]))
    assert response.status_code == 200
    page = outils.texte(response)
    assert "Vous consultez cette structure : seul son gestionnaire peut la modifier." in page
    assert SIRET_ENTREPRISE in page and "COMPTA" in page and "Informations générales" in page
    assert 'name="action"' not in page and 'method="post"' not in page.split("<main", 1)[1].split("</main>")[0]
    for action in ("infos", "insee", "desactiver", "service", "mandat", "siret", "transfert"):
        assert client.post(reverse("gerer_structure", args=[structure.pk]), {"action": action}).status_code == 403
    structure.refresh_from_db()
    assert structure.statut == StatutStructure.ACTIVE
    assert not ModificationDifferee.objects.exists() and not Approbation.objects.filter(structure=structure).exists()


# --- Demander un rattachement : rechercher une structure par un identifiant d'un autre type ---------------


def test_recherche_d_une_structure_par_identifiant_d_un_autre_type(client, gp):
    tahiti = services.creer_structure_par_utilisateur(
        acting_user=gp,
        type_identifiant=TypeIdentifiant.TAHITI,
        identifiant="A12345001",
        raison_sociale="Pension de Papeete",
        type_structure=TypeStructure.PRIVEE,
    )
    client.force_login(UtilisateurFactory())
    url = reverse("demander_rattachement")
    response = client.get(url, {"type_identifiant": "TAHITI", "siret": "a12 345"})
    assert tahiti.raison_sociale in outils.texte(response)
    response = client.get(url, {"type_identifiant": "TAHITI", "siret": "A1"})
    assert "Saisissez au moins 3 lettres ou chiffres de l'identifiant." in outils.texte(response)
    response = client.get(url, {"type_identifiant": "SIRET", "siret": "A12345"})
    assert "Saisissez au moins 3 chiffres du SIRET." in outils.texte(response)
    assert tahiti.raison_sociale not in outils.texte(response)


# --- Créer un compte avec une structure identifiée autrement que par un SIRET ----------------------------------


def _compte(**extra):
    return {
        "email": "nouveau@exemple.fr",
        "prenom": "Nina",
        "nom": "Roux",
        "telephone": "",
        "type_identifiant": "SIRET",
        "siret": "",
        "identifiant": "",
        "type_structure": "PRIVEE",
        "raison_sociale": "Nickel du Nord",
        "adresse": "1 rue de Sébastopol",
        "code_postal": "98800",
        "ville": "Nouméa",
        "commentaire": "",
        "password1": "Un-mot-de-passe-solide-2026",
        "password2": "Un-mot-de-passe-solide-2026",
        **extra,
    }


def test_creer_un_compte_avec_un_ridet_cree_la_structure_et_rend_gp(client):
    response = client.post(reverse("creer_compte"), _compte(type_identifiant="RIDET", identifiant="1234567.001"))
    assert response.status_code == 302
    structure = Structure.objects.get(type_identifiant=TypeIdentifiant.RIDET, identifiant="1234567001")
    assert structure.gestionnaire_principal.email == "nouveau@exemple.fr"
    assert (structure.adresse, structure.ville) == ("1 rue de Sébastopol", "Nouméa")
    # The same RIDET again: a rattachement request to that structure (comment required), no second structure.
    response = client.post(
        reverse("creer_compte"),
        _compte(type_identifiant="RIDET", identifiant="1234567001", email="collegue@exemple.fr", commentaire="Compta"),
    )
    assert response.status_code == 302
    assert Structure.objects.filter(type_identifiant=TypeIdentifiant.RIDET).count() == 1
    assert Approbation.objects.get(demandeur__email="collegue@exemple.fr").structure == structure


@pytest.mark.parametrize(
    ("extra", "champ", "message"),
    [
        (
            {"type_identifiant": "TAHITI", "identifiant": "A1234"},
            "identifiant",
            "Le numéro Tahiti comporte 9 caractères",
        ),
        (
            {"type_identifiant": "HORS_UE", "identifiant": "ABC", "type_structure": "PUBLIQUE"},
            "type_structure",
            "Une structure publique est identifiée par son SIRET",
        ),
        ({"siret": "123"}, "siret", "Le SIRET doit comporter 14 chiffres (vous en avez saisi 3)."),
    ],
)
def test_creer_un_compte_identifiant_invalide_erreur_en_francais(client, extra, champ, message):
    response = client.post(reverse("creer_compte"), _compte(**extra))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[champ])
    assert not Structure.objects.exists()
