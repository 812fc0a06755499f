"""Account creation, rattachements, habilitations and approbations: services and pages, successes and refusals."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from chorus import outbox
from chorus.models import OutboxMessage
from chorus.navigation import nombre_approbations
from organisation import queries, services
from organisation.enums import (
    Application,
    Niveau,
    StatutApprobation,
    StatutRattachement,
    StatutStructure,
    TypeApprobation,
    TypeStructure,
)
from organisation.models import Approbation, HistoriqueApprobation, Rattachement, Structure, Utilisateur
from tests import outils
from tests.factories import MOT_DE_PASSE, UtilisateurFactory, rattacher, structure_privee
from tests.organisation.inscription import gp_inscrit

pytestmark = pytest.mark.django_db

SIRET_PRIVE = "73282932000074"
SIRET_PUBLIC = "11000201100044"
AUTRE_SIRET = "35600000049837"


def _envoyer_courriels():
    for pk in OutboxMessage.objects.filter(statut=OutboxMessage.Statut.EN_ATTENTE).values_list("pk", flat=True):
        outbox.process(pk)


def _compte(siret=SIRET_PRIVE, type_structure=TypeStructure.PRIVEE, email="nouveau@exemple.fr", **extra):
    data = {
        "email": email,
        "prenom": "Nina",
        "nom": "Roux",
        "telephone": "",
        "siret": siret,
        "type_structure": type_structure,
        "raison_sociale": "ACME SAS",
        "adresse": "1 rue de la Paix",
        "code_postal": "75002",
        "ville": "Paris",
        "commentaire": "",
        "password1": "Un-mot-de-passe-solide-2026",
        "password2": "Un-mot-de-passe-solide-2026",
    }
    data.update(extra)
    return data


@pytest.fixture
def gp_et_structure():
    """A private structure whose GP created it through « Créer un compte »."""
    return gp_inscrit()


@pytest.fixture
def support():
    return UtilisateurFactory(agent_support=True)


# --- Créer un compte ---------------------------------------------------------------------------------------


def test_creation_compte_structure_privee_inconnue_devient_gp_avec_tous_les_profils(client):
    response = client.post(reverse("creer_compte"), _compte())
    assert response.status_code == 302
    user = Utilisateur.objects.get(email="nouveau@exemple.fr")
    structure = Structure.objects.get(identifiant=SIRET_PRIVE)
    assert not user.is_active  # activation by e-mail first
    # The structure waits for its GP's account to be activated (issue 13, item 9).
    assert structure.statut == StatutStructure.INACTIVE and structure.gestionnaire_principal == user
    assert services.profils_de(utilisateur=user, structure=structure) == services.tous_les_profils()
    assert "vous en êtes le gestionnaire principal" in outils.texte(client.get(reverse("compte_cree")))

    # Activation link from the e-mail, then login.
    _envoyer_courriels()
    lien = re.search(r"http://\S+/activer/\S+/", mail.outbox[-1].body).group(0)
    chemin = lien.split("8000", 1)[1]
    assert (
        client.post(
            reverse("connexion"), {"username": user.email, "password": "Un-mot-de-passe-solide-2026"}
        ).status_code
        == 200
    )
    assert client.get(chemin).status_code == 200
    user.refresh_from_db()
    assert user.is_active
    structure.refresh_from_db()
    assert structure.statut == StatutStructure.ACTIVE
    assert list(structure.historique.order_by("pk").values_list("statut_precedent", "statut", "acting_user")) == [
        ("", StatutStructure.INACTIVE, user.pk),
        (StatutStructure.INACTIVE, StatutStructure.ACTIVE, user.pk),
    ]
    assert client.get(chemin).status_code == 400  # single-use
    response = client.post(reverse("connexion"), {"username": user.email, "password": "Un-mot-de-passe-solide-2026"})
    assert response.status_code == 302


def test_creation_compte_structure_existante_demande_au_gp(client, gp_et_structure):
    gp, structure = gp_et_structure
    # The comment is required when the structure exists: nothing is written without it.
    response = client.post(reverse("creer_compte"), _compte(commentaire=""))
    assert response.status_code == 200
    assert "précisez votre demande de rattachement" in outils.texte(response)
    assert not Utilisateur.objects.filter(email="nouveau@exemple.fr").exists()

    response = client.post(reverse("creer_compte"), _compte(commentaire="Je rejoins le service comptable."))
    assert response.status_code == 302
    user = Utilisateur.objects.get(email="nouveau@exemple.fr")
    rattachement = Rattachement.objects.get(utilisateur=user)
    assert rattachement.statut == StatutRattachement.EN_ATTENTE
    approbation = Approbation.objects.get(demandeur=user)
    assert approbation.type == TypeApprobation.CREATION_COMPTE
    assert list(queries.approbations_a_traiter(gp)) == [approbation]
    assert not queries.structures_de(user).exists()

    services.decider(approbation=approbation, acting_user=gp, approuver=True)
    rattachement.refresh_from_db()
    assert rattachement.statut == StatutRattachement.ACTIF
    assert services.profils_de(utilisateur=user, structure=structure) == services.profils_par_defaut()
    _envoyer_courriels()
    assert any("approuvée" in m.body and m.to == [user.email] for m in mail.outbox)


def test_creation_compte_structure_publique_inconnue_va_au_support(client, support):
    response = client.post(
        reverse("creer_compte"),
        _compte(siret=SIRET_PUBLIC, type_structure=TypeStructure.PUBLIQUE, raison_sociale="ETAT"),
    )
    assert response.status_code == 302
    user = Utilisateur.objects.get(email="nouveau@exemple.fr")
    structure = Structure.objects.get(identifiant=SIRET_PUBLIC)
    assert structure.statut == StatutStructure.EN_ATTENTE
    approbation = Approbation.objects.get(type=TypeApprobation.CREATION_STRUCTURE_PUBLIQUE)
    assert list(queries.approbations_a_traiter(support)) == [approbation]
    # A simple user of another structure cannot decide.
    with pytest.raises(PermissionDenied):
        services.decider(approbation=approbation, acting_user=UtilisateurFactory(), approuver=True)

    client.force_login(support)
    response = client.post(reverse("approbation", args=[approbation.pk]), {"decision": "REFUSER", "motif": ""})
    assert "Le motif est obligatoire" in outils.texte(response)
    approbation.refresh_from_db()
    assert approbation.statut == StatutApprobation.DEMANDE

    response = client.post(
        reverse("approbation", args=[approbation.pk]), {"decision": "REFUSER", "motif": "SIRET d'une autre entité."}
    )
    assert response.status_code == 302
    approbation.refresh_from_db()
    structure.refresh_from_db()
    assert approbation.statut == StatutApprobation.REFUSE and approbation.motif_refus == "SIRET d'une autre entité."
    assert structure.statut == StatutStructure.REFUSEE
    assert Rattachement.objects.get(utilisateur=user).statut == StatutRattachement.REFUSE
    assert HistoriqueApprobation.chaine_intacte(approbation)
    _envoyer_courriels()
    assert any("refusée" in m.body and "SIRET d'une autre entité." in m.body for m in mail.outbox)


def test_support_approuve_la_structure_publique_et_le_demandeur_devient_gp(support):
    user, cas = services.creer_compte(
        email="maire@commune.fr",
        prenom="Léa",
        nom="Morel",
        password=MOT_DE_PASSE,
        siret=SIRET_PUBLIC,
        type_structure=TypeStructure.PUBLIQUE,
        raison_sociale="Commune",
        commentaire="Mairie",
    )
    assert cas == services.CasCreation.NOUVELLE_STRUCTURE_PUBLIQUE
    approbation = Approbation.objects.get()
    services.decider(approbation=approbation, acting_user=support, approuver=True)
    structure = Structure.objects.get(identifiant=SIRET_PUBLIC)
    assert structure.statut == StatutStructure.ACTIVE and structure.gestionnaire_principal == user
    assert queries.structures_gerees_par(user).get() == structure


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"siret": "73282932000075"}, "siret", "clé de contrôle est incorrecte"),
        ({"siret": "123"}, "siret", "14 chiffres"),
        ({"password2": "autre-chose-2026"}, "password2", "ne correspondent pas"),
        ({"raison_sociale": ""}, "raison_sociale", "raison sociale de votre structure est obligatoire"),
        ({"code_postal": "7500"}, "code_postal", "5 chiffres"),
    ],
)
def test_creation_compte_saisie_invalide_message_et_rien_n_est_ecrit(client, changes, field, message):
    response = client.post(reverse("creer_compte"), _compte(**changes))
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert not Utilisateur.objects.exists() and not Structure.objects.exists()


def test_creation_compte_adresse_deja_utilisee(client):
    UtilisateurFactory(email="nouveau@exemple.fr")
    response = client.post(reverse("creer_compte"), _compte(email="Nouveau@Exemple.fr"))
    assert "Un compte existe déjà avec cette adresse électronique." in outils.texte(response)
    assert not Structure.objects.exists()


# --- Rattachements -----------------------------------------------------------------------------------------


def test_demande_de_rattachement_au_niveau_service_puis_approbation(
    client, gp_et_structure, django_capture_on_commit_callbacks
):
    gp, structure = gp_et_structure
    service = structure.services.get()
    user = UtilisateurFactory()
    client.force_login(user)

    page = client.get(reverse("demander_rattachement"), {"raison_sociale": "acme"})
    assert "ACME SAS" in outils.texte(page)
    response = client.post(
        reverse("demander_rattachement"),
        {"structure": structure.pk, "maille": "SERVICE", "service": service.pk, "commentaire": ""},
    )
    assert "Ce champ est obligatoire." in outils.texte(response)
    assert not Rattachement.objects.filter(utilisateur=user).exists()

    response = client.post(
        reverse("demander_rattachement"),
        {"structure": structure.pk, "maille": "SERVICE", "service": service.pk, "commentaire": "Comptable"},
    )
    assert response.status_code == 302
    assert "En attente d'approbation" in outils.texte(client.get(reverse("mes_rattachements")))
    approbation = Approbation.objects.get(demandeur=user)
    assert approbation.service == service

    # The GP sees it in the badge and the list, and approves.
    client.force_login(gp)
    assert 'data-testid="badge-approbations"' in outils.texte(client.get(reverse("domaines")))
    assert nombre_approbations(gp) == 1
    assert "Demande de rattachement" in outils.texte(client.get(reverse("approbations")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("approbation", args=[approbation.pk]), {"decision": "APPROUVER"})
    assert response.status_code == 302
    assert list(queries.services_visibles(user, structure)) == [service]
    assert nombre_approbations(gp) == 0  # the cached badge count was dropped by the decision


def test_recherche_sans_critere_ou_siret_trop_court(client):
    client.force_login(UtilisateurFactory())
    assert "Saisissez un SIRET ou une raison sociale." in outils.texte(
        client.get(reverse("demander_rattachement"), {"ville": "Paris"})
    )
    assert "au moins 3 chiffres" in outils.texte(client.get(reverse("demander_rattachement"), {"siret": "12"}))


def test_le_gp_rattache_directement_puis_detache(client, gp_et_structure):
    gp, structure = gp_et_structure
    user = UtilisateurFactory(email="collegue@acme.fr")
    client.force_login(gp)
    response = client.post(
        reverse("rattacher_utilisateur"), {"email": "inconnu@acme.fr", "structure": structure.pk, "maille": "STRUCTURE"}
    )
    assert "Aucun compte n'existe avec cette adresse électronique." in outils.texte(response)

    response = client.post(
        reverse("rattacher_utilisateur"),
        {"email": "Collegue@acme.fr", "structure": structure.pk, "maille": "STRUCTURE"},
    )
    assert response.status_code == 302
    # An invitation: nothing applies until the user accepts it (tests/organisation/test_consentement.py).
    rattachement = Rattachement.objects.get(utilisateur=user, statut=StatutRattachement.INVITE)
    assert not queries.structures_de(user).exists()
    services.repondre_invitation(utilisateur=user, rattachement=rattachement, accepter=True)
    assert queries.structures_de(user, Application.FACTURES_EMISES, Niveau.MODIFICATION).get() == structure
    assert not queries.structures_gerees_par(user).exists()

    assert client.post(reverse("detacher_utilisateur", args=[rattachement.pk])).status_code == 302
    rattachement.refresh_from_db()
    assert rattachement.statut == StatutRattachement.INACTIF
    assert not queries.structures_de(user).exists()
    assert not services.profils_de(utilisateur=user, structure=structure)


def test_le_gp_ne_peut_pas_etre_detache(client, gp_et_structure):
    gp, structure = gp_et_structure
    client.force_login(gp)
    rattachement = Rattachement.objects.get(utilisateur=gp)
    response = client.post(reverse("detacher_utilisateur", args=[rattachement.pk]), follow=True)
    assert "Le gestionnaire principal ne peut pas être détaché" in outils.texte(response)
    rattachement.refresh_from_db()
    assert rattachement.statut == StatutRattachement.ACTIF


# --- Habilitations -----------------------------------------------------------------------------------------


def test_demande_de_profil_approuvee_par_le_gp(client, gp_et_structure):
    gp, structure = gp_et_structure
    user = UtilisateurFactory()
    rattacher(gp, user, structure)
    client.force_login(user)
    response = client.post(
        reverse("gerer_mes_habilitations"),
        {"structure": structure.pk, "action": "SUPPRIMER", "profil": "factures_recues_modification", "commentaire": ""},
    )
    assert response.status_code == 302
    approbation = Approbation.objects.get(type=TypeApprobation.HABILITATIONS)
    client.force_login(gp)
    assert "Supprimer « Factures reçues »" in outils.texte(client.get(reverse("approbation", args=[approbation.pk])))
    client.post(reverse("approbation", args=[approbation.pk]), {"decision": "APPROUVER"})
    assert Application.FACTURES_RECUES not in services.profils_de(utilisateur=user, structure=structure)

    client.force_login(user)
    page = outils.texte(client.get(reverse("mes_habilitations")))
    assert "Factures émises modification" in page and "Factures reçues" not in page
    export = b"".join(client.get(reverse("exporter_mes_habilitations")).streaming_content).decode("utf-8-sig")
    assert export.splitlines()[0] == "Structure;SIRET;Profil"
    assert f"ACME SAS;{SIRET_PRIVE};Factures émises modification" in export


def test_le_gp_change_le_niveau_d_un_profil(client, gp_et_structure):
    gp, structure = gp_et_structure
    user = UtilisateurFactory()
    rattacher(gp, user, structure)
    client.force_login(gp)
    url = f"{reverse('gerer_habilitations')}?structure={structure.pk}&utilisateur={user.pk}"
    response = client.post(
        url, {"structure": structure.pk, "action": "AJOUTER", "profil": "factures_emises_consultation"}
    )
    assert response.status_code == 302
    # The 30-minute rule: nothing changes until the sweep applies it.
    profils = services.profils_de(utilisateur=user, structure=structure)
    assert profils[Application.FACTURES_EMISES] == Niveau.MODIFICATION
    assert "Modifications en attente" in outils.texte(client.get(url))
    assert outils.modifications_appliquees() == 1
    profils = services.profils_de(utilisateur=user, structure=structure)
    assert profils[Application.FACTURES_EMISES] == Niveau.CONSULTATION
    assert queries.structures_de(user, Application.FACTURES_EMISES, Niveau.CONSULTATION).exists()
    assert not queries.structures_de(user, Application.FACTURES_EMISES, Niveau.MODIFICATION).exists()


def test_profil_organisation_uniquement_en_modification():
    with pytest.raises(Exception, match="n'existe pas en consultation"):
        services.definir_profils(
            utilisateur=UtilisateurFactory(), structure=None, profils={Application.ORGANISATION: Niveau.CONSULTATION}
        )


# --- Tenancy: refusals -------------------------------------------------------------------------------------


def test_un_utilisateur_sans_profil_organisation_ne_gere_rien(client, gp_et_structure):
    gp, structure = gp_et_structure
    simple = UtilisateurFactory()
    rattacher(gp, simple, structure)
    client.force_login(simple)
    for name in ("utilisateurs", "rattacher_utilisateur", "gerer_habilitations"):
        assert client.get(reverse(name)).status_code == 403, name
    rattachement = Rattachement.objects.get(utilisateur=gp)
    assert client.post(reverse("detacher_utilisateur", args=[rattachement.pk])).status_code == 403


def test_le_gp_d_une_autre_structure_ne_voit_ni_ne_decide(client, gp_et_structure):
    gp, structure = gp_et_structure
    autre_gp, _ = services.creer_compte(
        email="gp@autre.fr",
        prenom="A",
        nom="B",
        password=MOT_DE_PASSE,
        siret=AUTRE_SIRET,
        type_structure=TypeStructure.PRIVEE,
        raison_sociale="AUTRE",
    )
    Utilisateur.objects.filter(pk=autre_gp.pk).update(is_active=True)
    user = UtilisateurFactory()
    approbation = services.demander_rattachement(utilisateur=user, structure=structure, commentaire="Bonjour")
    assert not queries.approbations_a_traiter(autre_gp).exists()
    client.force_login(autre_gp)
    assert client.get(reverse("approbation", args=[approbation.pk])).status_code == 404
    assert client.post(reverse("approbation", args=[approbation.pk]), {"decision": "APPROUVER"}).status_code == 404
    rattachement_gp = Rattachement.objects.get(utilisateur=gp)
    assert client.post(reverse("detacher_utilisateur", args=[rattachement_gp.pk])).status_code == 404
    response = client.get(f"{reverse('gerer_habilitations')}?structure={structure.pk}&utilisateur={gp.pk}")
    assert "Perrin" not in outils.texte(response)  # falls back to the GP's own structure
    approbation.refresh_from_db()
    assert approbation.statut == StatutApprobation.DEMANDE


def test_le_demandeur_voit_sa_demande_sans_pouvoir_la_decider(client, gp_et_structure):
    _, structure = gp_et_structure
    user = UtilisateurFactory()
    approbation = services.demander_rattachement(utilisateur=user, structure=structure, commentaire="Bonjour")
    client.force_login(user)
    page = outils.texte(client.get(reverse("approbation", args=[approbation.pk])))
    assert "Demandé" in page and "Approuver" not in page
    assert client.post(reverse("approbation", args=[approbation.pk]), {"decision": "APPROUVER"}).status_code == 403


def test_liste_des_approbations_requetes_bornees(client, gp_et_structure, django_assert_max_num_queries):
    gp, structure = gp_et_structure
    for _ in range(15):
        services.demander_rattachement(utilisateur=UtilisateurFactory(), structure=structure, commentaire="x")
    client.force_login(gp)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("approbations"))
    assert outils.texte(response).count("Demande de rattachement") == 15


def test_compte_sur_structure_publique_importee_sans_gp_va_au_support(client, support):
    from organisation.models import EtablissementInsee

    EtablissementInsee.objects.create(siret=SIRET_PUBLIC, raison_sociale="ETAT", est_public=True, ville="PARIS")
    etat = services.creer_structure(
        acting_user=None, identifiant=SIRET_PUBLIC, raison_sociale="ETAT", type_structure=TypeStructure.PUBLIQUE
    )
    response = client.post(
        reverse("creer_compte"),
        _compte(siret=SIRET_PUBLIC, type_structure="PUBLIQUE", raison_sociale="", commentaire="Agent DRFIP"),
    )
    assert response.status_code == 302
    user = Utilisateur.objects.get(email="nouveau@exemple.fr")
    approbation = Approbation.objects.get(demandeur=user)
    assert approbation.type == TypeApprobation.CREATION_COMPTE
    assert list(queries.approbations_a_traiter(support)) == [approbation]
    services.decider(approbation=approbation, acting_user=support, approuver=True)
    etat.refresh_from_db()
    assert etat.gestionnaire_principal == user


def test_creation_compte_pre_remplie_depuis_la_base_insee(client):
    from organisation.models import EtablissementInsee

    EtablissementInsee.objects.create(
        siret=SIRET_PRIVE, raison_sociale="DANONE", adresse="17 BD HAUSSMANN", code_postal="75009", ville="PARIS"
    )
    response = client.post(reverse("creer_compte"), _compte(raison_sociale="", adresse="", code_postal="", ville=""))
    assert response.status_code == 302
    structure = Structure.objects.get(identifiant=SIRET_PRIVE)
    assert (structure.raison_sociale, structure.adresse, structure.ville) == ("DANONE", "17 BD HAUSSMANN", "PARIS")


def test_approbation_en_masse(client, gp_et_structure, django_capture_on_commit_callbacks):
    gp, structure = gp_et_structure
    demandeurs = [UtilisateurFactory(nom=f"Demandeur{i}") for i in range(3)]
    for user in demandeurs:
        services.demander_rattachement(utilisateur=user, structure=structure, commentaire="Comptabilité")
    autre_gp = UtilisateurFactory()
    autre = structure_privee(autre_gp, "Autre SAS")
    services.demander_rattachement(utilisateur=UtilisateurFactory(), structure=autre, commentaire="Ailleurs")
    etrangere = Approbation.objects.get(structure=autre)
    ids = {u.pk: Approbation.objects.get(demandeur=u).pk for u in demandeurs}
    client.force_login(gp)

    # A refusal without motif, an empty selection: a French message and nothing decided.
    selection = [f"ORGANISATION:{ids[demandeurs[0].pk]}"]
    response = client.post(reverse("approbations"), {"selection": selection, "decision": "REFUSER", "motif": ""})
    assert "Le motif est obligatoire pour refuser des demandes." in outils.texte(response)
    response = client.post(reverse("approbations"), {"decision": "APPROUVER"})
    assert "Sélectionnez au moins une demande." in outils.texte(response)
    assert not Approbation.objects.exclude(statut=StatutApprobation.DEMANDE).exists()

    # Two approved at once, and another GP's request slipped into the form is not touched.
    selection = [f"ORGANISATION:{ids[u.pk]}" for u in demandeurs[:2]] + [f"ORGANISATION:{etrangere.pk}"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("approbations"), {"selection": selection, "decision": "APPROUVER"}, follow=True)
    texte = outils.texte(response)
    assert "2 demandes approuvées." in texte
    assert "Certaines demandes sélectionnées ont déjà été traitées ou ne vous sont pas adressées." in texte
    for user in demandeurs[:2]:
        assert Rattachement.objects.get(utilisateur=user).statut == StatutRattachement.ACTIF
    etrangere.refresh_from_db()
    assert etrangere.statut == StatutApprobation.DEMANDE
    assert nombre_approbations(gp) == 1

    # The last one refused with a motif.
    selection = [f"ORGANISATION:{ids[demandeurs[2].pk]}"]
    response = client.post(
        reverse("approbations"), {"selection": selection, "decision": "REFUSER", "motif": "Inconnu"}, follow=True
    )
    assert "1 demande refusée." in outils.texte(response)
    assert Approbation.objects.get(demandeur=demandeurs[2]).motif_refus == "Inconnu"


def test_approbation_en_masse_jamais_sa_propre_demande(client, gp_et_structure):
    gp, structure = gp_et_structure
    propre = Approbation.objects.create(type=TypeApprobation.HABILITATIONS, demandeur=gp, structure=structure)
    client.force_login(gp)
    response = client.post(
        reverse("approbations"), {"selection": [f"ORGANISATION:{propre.pk}"], "decision": "APPROUVER"}, follow=True
    )
    assert "vous ne pouvez pas décider de votre propre demande" in outils.texte(response)
    propre.refresh_from_db()
    assert propre.statut == StatutApprobation.DEMANDE
