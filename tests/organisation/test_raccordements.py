"""« Raccordements »: the structure's gestionnaire (or a user with « Raccordements » modification) creates, renews
and revokes its technical accounts and API clients, each secret shown once; the API honours them (overlap period of
a renewal, revocation at once); the structure is warned 15 days before a password expires; another structure's
accounts and clients are refused."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chorus.api import services as api_services
from chorus.api.kit import ErreurApi
from chorus.models import Message, OutboxMessage
from organisation import services, tasks
from organisation.api import authentification
from organisation.enums import Application, Niveau, StatutRattachement
from organisation.models import (
    ClientApiStructure,
    CompteTechnique,
    HistoriqueClientApi,
    HistoriqueCompteTechnique,
    ModificationDifferee,
    Rattachement,
)
from organisation.services import raccordements
from tests import outils
from tests.factories import StructureFactory, UtilisateurFactory, structure_privee

pytestmark = pytest.mark.django_db

MAINTENANT = "2026-12-04 10:00:00+01:00"


@pytest.fixture
def deux_gp():
    gp, autre_gp = UtilisateurFactory(prenom="Gaëlle", nom="Perrin"), UtilisateurFactory(prenom="Omar", nom="Roux")
    return gp, structure_privee(gp, "ACME SAS"), autre_gp, structure_privee(autre_gp, "Concurrent SARL")


def _utilisateur(structure, niveau):
    """A user attached to ``structure`` holding « Raccordements » at ``niveau`` (None: without it)."""
    user = UtilisateurFactory()
    Rattachement.objects.create(utilisateur=user, structure=structure, statut=StatutRattachement.ACTIF)
    services.definir_profils(utilisateur=user, structure=structure, profils={Application.RACCORDEMENTS: niveau})
    return user


def _secret(response) -> str:
    return re.search(r'data-testid="valeur-secrete">([^<]+)<', response.content.decode()).group(1)


@time_machine.travel(MAINTENANT, tick=False)
def test_gp_cree_un_compte_technique_mot_de_passe_affiche_une_fois(client, deux_gp):
    gp, acme, _, _ = deux_gp
    client.force_login(gp)
    assert "Raccordements" in outils.texte(client.get(reverse("domaines")))
    response = client.post(reverse("raccordements_comptes"), {"structure": acme.pk})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    compte = CompteTechnique.objects.get(structure=acme)
    mot_de_passe = _secret(response)
    texte = outils.texte(response)
    assert compte.login in texte and "Il ne sera plus jamais affiché" in texte
    assert "04/12/2027" in texte  # expiry: a year from now
    assert mot_de_passe not in compte.mot_de_passe_hache and check_password(mot_de_passe, compte.mot_de_passe_hache)
    assert authentification.resoudre(compte.login, mot_de_passe) == compte
    # The list shows it without its password.
    liste = client.get(reverse("raccordements_comptes"))
    assert compte.login in outils.texte(liste) and mot_de_passe not in liste.content.decode()
    # The technical account acts with the profiles of an API account on its structure.
    assert compte.utilisateur.has_usable_password() is False


def test_renouvellement_avec_periode_de_recouvrement(client, deux_gp):
    gp, acme, _, _ = deux_gp
    with time_machine.travel(MAINTENANT, tick=False):
        compte, ancien = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
        plafonne, ancien_plafonne = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    with time_machine.travel("2027-06-01 10:00:00+02:00", tick=False):
        client.force_login(gp)
        response = client.post(reverse("raccordements_renouveler_compte", args=[compte.pk]))
        assert response.status_code == 200
        nouveau = _secret(response)
        compte.refresh_from_db()
        assert compte.expiration_mot_de_passe.date().isoformat() == "2028-05-31"  # 365 days (2028 is a leap year)
        assert "31/05/2028" in outils.texte(response)
        assert authentification.resoudre(compte.login, nouveau) == compte
        assert authentification.resoudre(compte.login, ancien) == compte  # overlap: the connectors are being updated
        assert "08/06/2027" in outils.texte(client.get(reverse("raccordements_comptes")))
    with time_machine.travel("2027-06-08 09:59:00+02:00", tick=False):
        assert authentification.resoudre(compte.login, ancien) == compte
    with time_machine.travel("2027-06-08 10:00:01+02:00", tick=False):
        with pytest.raises(ErreurApi) as refus:
            authentification.resoudre(compte.login, ancien)
        assert refus.value.status == 401
        assert authentification.resoudre(compte.login, nouveau) == compte

    # Renewed 4 days before it expires: the old password is not extended beyond its own expiry.
    with time_machine.travel("2027-11-30 10:00:00+01:00", tick=False):
        raccordements.renouveler_compte_technique(compte=plafonne, acting_user=gp)
    with time_machine.travel("2027-12-04 09:59:00+01:00", tick=False):
        assert authentification.resoudre(plafonne.login, ancien_plafonne) == plafonne
    with time_machine.travel("2027-12-04 10:00:01+01:00", tick=False), pytest.raises(ErreurApi):
        authentification.resoudre(plafonne.login, ancien_plafonne)


def test_mot_de_passe_expire_l_api_nomme_la_page_de_renouvellement(deux_gp):
    gp, acme, _, _ = deux_gp
    with time_machine.travel(MAINTENANT, tick=False):
        compte, mot_de_passe = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    with time_machine.travel("2027-12-05 10:00:00+01:00", tick=False), pytest.raises(ErreurApi) as refus:
        authentification.resoudre(compte.login, mot_de_passe)
    assert refus.value.status == 403
    assert "« Raccordements » > « Comptes techniques »" in refus.value.libelle
    assert reverse("raccordements_comptes") in refus.value.libelle


def test_revocation_refusee_aussitot_par_l_api(client, deux_gp):
    gp, acme, _, _ = deux_gp
    compte, mot_de_passe = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    client.force_login(gp)
    response = client.post(reverse("raccordements_revoquer_compte", args=[compte.pk]), follow=True)
    assert "est révoqué" in outils.texte(response)
    compte.refresh_from_db()
    assert compte.actif is False and compte.revoque_le is not None
    with pytest.raises(ErreurApi) as refus:
        authentification.resoudre(compte.login, mot_de_passe)
    assert refus.value.status == 403 and "désactivé" in refus.value.libelle
    # A revoked account is neither revoked again nor renewed.
    response = client.post(reverse("raccordements_renouveler_compte", args=[compte.pk]), follow=True)
    assert "révoqué : il ne peut pas être renouvelé" in outils.texte(response)


def test_comptes_d_une_autre_structure_refuses(client, deux_gp):
    gp, acme, autre_gp, concurrent = deux_gp
    compte_concurrent, mot_de_passe = raccordements.creer_compte_technique(structure=concurrent, acting_user=autre_gp)
    client.force_login(gp)
    assert compte_concurrent.login not in outils.texte(client.get(reverse("raccordements_comptes")))
    assert client.post(reverse("raccordements_renouveler_compte", args=[compte_concurrent.pk])).status_code == 404
    assert client.post(reverse("raccordements_revoquer_compte", args=[compte_concurrent.pk])).status_code == 404
    # Creating for a structure the user does not manage: a French error, nothing created.
    response = client.post(reverse("raccordements_comptes"), {"structure": concurrent.pk})
    assert "Choisissez une de vos structures dans la liste." in outils.texte(response)
    assert CompteTechnique.objects.filter(structure=concurrent).count() == 1
    compte_concurrent.refresh_from_db()
    assert (
        compte_concurrent.actif
        and authentification.resoudre(compte_concurrent.login, mot_de_passe) == compte_concurrent
    )
    with pytest.raises(Exception, match="Vous ne gérez pas les raccordements"):
        raccordements.revoquer_compte_technique(compte=compte_concurrent, acting_user=gp)


def test_profil_raccordements_consultation_ou_absent(client, deux_gp):
    gp, acme, _, _ = deux_gp
    compte, _ = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    lecteur = _utilisateur(acme, Niveau.CONSULTATION)
    client.force_login(lecteur)
    response = client.get(reverse("raccordements_comptes"))
    assert response.status_code == 200 and compte.login in outils.texte(response)
    assert "Renouveler le mot de passe" not in outils.texte(response)
    assert "Créer un compte technique" not in outils.texte(response)
    assert client.post(reverse("raccordements_revoquer_compte", args=[compte.pk])).status_code == 404
    assert client.post(reverse("raccordements_comptes"), {"structure": acme.pk}).status_code == 200
    assert CompteTechnique.objects.filter(structure=acme).count() == 1

    sans_profil = _utilisateur(acme, None)
    client.force_login(sans_profil)
    assert client.get(reverse("raccordements_comptes")).status_code == 403
    assert client.get(reverse("raccordements_clients")).status_code == 403
    assert "Raccordements" not in outils.texte(client.get(reverse("domaines")))

    # « Raccordements » modification is enough, without being the gestionnaire.
    modificateur = _utilisateur(acme, Niveau.MODIFICATION)
    client.force_login(modificateur)
    response = client.post(reverse("raccordements_revoquer_compte", args=[compte.pk]), follow=True)
    assert response.status_code == 200
    compte.refresh_from_db()
    assert compte.actif is False


def test_prevenu_15_jours_avant_l_expiration_une_seule_fois(deux_gp, django_capture_on_commit_callbacks):
    gp, acme, _, _ = deux_gp
    responsable = _utilisateur(acme, Niveau.MODIFICATION)
    lecteur = _utilisateur(acme, Niveau.CONSULTATION)
    with time_machine.travel(MAINTENANT, tick=False):
        compte, _ = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
        assert raccordements.prevenir_expirations() == 0
    with time_machine.travel("2027-11-18 10:00:00+01:00", tick=False):  # 16 days before
        assert raccordements.prevenir_expirations() == 0
    with time_machine.travel("2027-11-20 10:00:00+01:00", tick=False):  # 14 days before
        emails_avant = OutboxMessage.objects.filter(kind="chorus.email").count()
        assert raccordements.prevenir_expirations() == 1
        messages = Message.objects.filter(evenement="RACCORDEMENTS_EXPIRATION")
        assert {m.destinataire_id for m in messages} == {gp.pk, responsable.pk}
        assert lecteur.pk not in {m.destinataire_id for m in messages}
        assert "expire le 04/12/2027" in messages[0].sujet and compte.login in messages[0].corps
        assert "/raccordements/comptes-techniques/" in messages[0].corps
        assert OutboxMessage.objects.filter(kind="chorus.email").count() == emails_avant + 2
        assert raccordements.prevenir_expirations() == 0  # once per password
        raccordements.renouveler_compte_technique(compte=compte, acting_user=gp)
    with time_machine.travel("2028-11-10 10:00:00+01:00", tick=False):  # the new password's turn
        assert raccordements.prevenir_expirations() == 1


def test_tache_beat_planifiee_et_executee(settings, deux_gp):
    gp, acme, _, _ = deux_gp
    taches = {t["task"] for t in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks.prevenir_expirations_comptes_techniques.name in taches
    with time_machine.travel(MAINTENANT, tick=False):
        raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    with time_machine.travel("2027-11-25 10:00:00+01:00", tick=False):
        assert tasks.prevenir_expirations_comptes_techniques() == 1
        assert tasks.prevenir_expirations_comptes_techniques() == 0


# --- API clients ------------------------------------------------------------------------------------------------


def test_client_api_cree_rotation_et_revocation(client, deux_gp):
    gp, acme, _, _ = deux_gp
    client.force_login(gp)
    response = client.post(reverse("raccordements_clients"), {"structure": acme.pk, "libelle": "Mon ERP"})
    assert response.status_code == 200
    lien = ClientApiStructure.objects.select_related("client").get(structure=acme)
    secret = _secret(response)
    assert lien.client.libelle == "Mon ERP" and lien.cree_par == gp
    assert lien.client.client_id in outils.texte(response)
    assert api_services.client_authentifie(lien.client.client_id, secret) == lien.client
    jeton = api_services.emettre_jeton(lien.client)

    response = client.post(reverse("raccordements_renouveler_client", args=[lien.pk]))
    nouveau = _secret(response)
    assert nouveau != secret
    assert api_services.client_authentifie(lien.client.client_id, secret) is None
    assert api_services.client_authentifie(lien.client.client_id, nouveau) is not None
    assert api_services.jeton_valide(jeton) is not None  # tokens already issued run until they expire

    response = client.post(reverse("raccordements_revoquer_client", args=[lien.pk]), follow=True)
    assert "est révoqué" in outils.texte(response)
    assert api_services.client_authentifie(lien.client.client_id, nouveau) is None
    assert api_services.jeton_valide(jeton) is None


def test_clients_d_une_autre_structure_refuses(client, deux_gp):
    gp, acme, autre_gp, concurrent = deux_gp
    lien, secret = raccordements.creer_client_api(structure=concurrent, acting_user=autre_gp)
    client.force_login(gp)
    assert lien.client.client_id not in outils.texte(client.get(reverse("raccordements_clients")))
    assert client.post(reverse("raccordements_renouveler_client", args=[lien.pk])).status_code == 404
    assert client.post(reverse("raccordements_revoquer_client", args=[lien.pk])).status_code == 404
    response = client.post(reverse("raccordements_clients"), {"structure": concurrent.pk})
    assert "Choisissez une de vos structures dans la liste." in outils.texte(response)
    assert ClientApiStructure.objects.filter(structure=concurrent).count() == 1
    assert api_services.client_authentifie(lien.client.client_id, secret) is not None


def test_pages_en_nombre_de_requetes_borne(client, deux_gp, django_assert_max_num_queries):
    gp, acme, _, _ = deux_gp
    for _ in range(5):
        raccordements.creer_compte_technique(structure=acme, acting_user=gp)
        raccordements.creer_client_api(structure=acme, acting_user=gp)
    client.force_login(gp)
    for url in (reverse("raccordements_comptes"), reverse("raccordements_clients")):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_expire_dans_le_passe_pas_de_recouvrement(deux_gp):
    gp, acme, _, _ = deux_gp
    compte, ancien = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    CompteTechnique.objects.filter(pk=compte.pk).update(expiration_mot_de_passe=timezone.now() - timedelta(days=1))
    compte, nouveau = raccordements.renouveler_compte_technique(compte=compte, acting_user=gp)
    assert compte.ancien_mot_de_passe_valide_jusqu_au is None
    with pytest.raises(ErreurApi):
        authentification.resoudre(compte.login, ancien)
    assert authentification.resoudre(compte.login, nouveau) == compte


# --- Mode of emission and reception -------------------------------------------------------------------------------


def _appliquer_modifications():
    ModificationDifferee.objects.update(effective_at=timezone.now() - timedelta(seconds=1))
    services.appliquer_modifications_dues()


def test_mode_d_echange_choisi_par_le_gp_prend_effet_apres_30_minutes(client, deux_gp):
    gp, acme, _, concurrent = deux_gp
    client.force_login(gp)
    page = client.get(reverse("raccordements_mode_echange"))
    assert page.status_code == 200 and "Émission : portail Chorus Pro" in outils.texte(page)
    response = client.post(
        reverse("raccordements_mode_echange"),
        {"structure": acme.pk, "emission": "EDI", "reception": "PORTAIL"},
        follow=True,
    )
    assert "prendra effet le" in outils.texte(response)
    assert "Mode d'émission et de réception de ACME SAS" in outils.texte(response)  # pending, shown
    acme.refresh_from_db()
    assert acme.emetteur_edi is False
    _appliquer_modifications()
    acme.refresh_from_db()
    assert acme.emetteur_edi is True and acme.recepteur_edi is False
    page = outils.texte(client.get(reverse("raccordements_mode_echange"), {"structure": acme.pk}))
    assert "Émission : EDI ou API" in page
    # The same choice again: a French message, nothing stored.
    avant = ModificationDifferee.objects.count()
    response = client.post(
        reverse("raccordements_mode_echange"),
        {"structure": acme.pk, "emission": "EDI", "reception": "PORTAIL"},
        follow=True,
    )
    assert "Aucune modification" in outils.texte(response) and ModificationDifferee.objects.count() == avant
    # Bad input: an error next to the field, nothing stored.
    response = client.post(reverse("raccordements_mode_echange"), {"structure": acme.pk, "emission": "FAX"})
    assert "Mode d'émission inconnu." in outils.texte(response) and ModificationDifferee.objects.count() == avant


def test_mode_d_echange_d_une_autre_structure_refuse(client, deux_gp):
    gp, _, _, concurrent = deux_gp
    client.force_login(gp)
    response = client.post(
        reverse("raccordements_mode_echange"), {"structure": concurrent.pk, "emission": "EDI", "reception": "EDI"}
    )
    assert response.status_code == 404
    assert client.get(reverse("raccordements_mode_echange"), {"structure": concurrent.pk}).status_code == 404
    assert not ModificationDifferee.objects.filter(object_id=concurrent.pk, description__startswith="Mode").exists()
    lecteur = _utilisateur(concurrent, Niveau.CONSULTATION)
    client.force_login(lecteur)
    page = client.get(reverse("raccordements_mode_echange"))  # read, not changed
    assert page.status_code == 200 and "Émission : portail Chorus Pro" in outils.texte(page)
    assert "Enregistrer" not in outils.texte(page)
    response = client.post(
        reverse("raccordements_mode_echange"), {"structure": concurrent.pk, "emission": "EDI", "reception": "EDI"}
    )
    assert response.status_code == 403
    assert not ModificationDifferee.objects.filter(object_id=concurrent.pk, description__startswith="Mode").exists()
    client.force_login(_utilisateur(concurrent, None))
    assert client.get(reverse("raccordements_mode_echange")).status_code == 403
    with pytest.raises(Exception, match="Vous ne gérez pas les raccordements"):
        raccordements.modifier_mode_echange(structure=concurrent, acting_user=gp, emetteur_edi=True, recepteur_edi=True)


def test_structure_publique_choisit_de_ne_pas_remonter_la_mise_en_paiement(client, deux_gp):
    gp, acme, _, _ = deux_gp
    publique = StructureFactory(publique=True, raison_sociale="Commune de Test")
    responsable = _utilisateur(publique, Niveau.MODIFICATION)
    client.force_login(responsable)
    page = outils.texte(client.get(reverse("raccordements_mode_echange")))
    assert "Statut « Mise en paiement » : remonté" in page
    response = client.post(
        reverse("raccordements_mode_echange"),
        {"structure": publique.pk, "emission": "PORTAIL", "reception": "EDI", "mise_en_paiement": "NON_REMONTE"},
        follow=True,
    )
    assert "prendra effet le" in outils.texte(response)
    _appliquer_modifications()
    publique.refresh_from_db()
    assert publique.mise_en_paiement_non_remontee is True and publique.recepteur_edi is True
    # A private structure has no such parameter: the page does not offer it, the service refuses it.
    client.force_login(gp)
    assert "Statut « Mise en paiement »" not in outils.texte(client.get(reverse("raccordements_mode_echange")))
    with pytest.raises(Exception, match="Seule une structure publique"):
        raccordements.modifier_mode_echange(
            structure=acme, acting_user=gp, emetteur_edi=True, recepteur_edi=False, mise_en_paiement_non_remontee=True
        )


def test_historique_en_ajout_seul_et_dans_l_historique_du_gestionnaire(client, deux_gp):
    gp, acme, autre_gp, concurrent = deux_gp
    compte, _ = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    raccordements.renouveler_compte_technique(compte=compte, acting_user=gp)
    raccordements.revoquer_compte_technique(compte=compte, acting_user=gp)
    lien, _ = raccordements.creer_client_api(structure=acme, acting_user=gp)
    raccordements.renouveler_secret_client(lien=lien, acting_user=gp)
    raccordements.creer_compte_technique(structure=concurrent, acting_user=autre_gp)
    lignes = list(HistoriqueCompteTechnique.objects.filter(objet=compte).order_by("id"))
    assert [(h.statut_precedent, h.statut, h.acting_user_id) for h in lignes] == [
        ("", "ACTIF", gp.pk),
        ("ACTIF", "RENOUVELE", gp.pk),
        ("RENOUVELE", "REVOQUE", gp.pk),
    ]
    assert "l'ancien est accepté jusqu'au" in lignes[1].motif
    assert HistoriqueCompteTechnique.chaine_intacte(compte) and HistoriqueClientApi.chaine_intacte(lien)
    with pytest.raises(Exception, match="ajout seul"), transaction.atomic():
        HistoriqueCompteTechnique.objects.filter(objet=compte).update(motif="effacé")

    client.force_login(gp)
    texte = outils.texte(client.get(reverse("historique_gestionnaire")))
    assert f"Compte technique {compte.login}" in texte and "Secret renouvelé → Révoqué" in texte
    assert f"Client API {lien.client.client_id}" in texte and "Actif → Secret renouvelé" in texte
    assert concurrent.identifiant not in texte  # another structure's accounts stay out


def test_utilisateur_rattache_a_un_service_ne_gere_pas_les_raccordements(client, deux_gp):
    """A technical account answers over the whole structure: a user attached to one service only (even with
    « Raccordements » modification) neither sees nor makes the structure's credentials, nor its flux."""
    gp, acme, _, _ = deux_gp
    service = services.creer_service(acting_user=gp, structure=acme, code="ACHATS", libelle="Achats")
    compte, mot_de_passe = raccordements.creer_compte_technique(structure=acme, acting_user=gp)
    agent = UtilisateurFactory()
    Rattachement.objects.create(utilisateur=agent, structure=acme, service=service, statut=StatutRattachement.ACTIF)
    services.definir_profils(
        utilisateur=agent, structure=acme, profils={Application.RACCORDEMENTS: Niveau.MODIFICATION}
    )
    client.force_login(agent)
    for page in ("raccordements_comptes", "raccordements_clients", "raccordements_mode_echange", "raccordements_flux"):
        response = client.get(reverse(page))
        assert response.status_code == 403, page
        assert "utilisateurs rattachés à toute la structure" in outils.texte(response), page
    assert "Raccordements" not in outils.texte(client.get(reverse("domaines")))
    assert client.post(reverse("raccordements_comptes"), {"structure": acme.pk}).status_code == 403
    assert client.post(reverse("raccordements_renouveler_compte", args=[compte.pk])).status_code == 404
    assert client.post(reverse("raccordements_revoquer_compte", args=[compte.pk])).status_code == 404
    assert CompteTechnique.objects.filter(structure=acme).count() == 1
    compte.refresh_from_db()
    assert compte.actif and authentification.resoudre(compte.login, mot_de_passe) == compte
    with pytest.raises(Exception, match="Vous ne gérez pas les raccordements"):
        raccordements.creer_compte_technique(structure=acme, acting_user=agent)
