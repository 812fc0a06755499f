"""Consent and authority (issue 13, item 10): the gestionnaire's « Rattacher un utilisateur » is an invitation the
user accepts or refuses in « Mes rattachements », and an identity is changed only by its owner or the support."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chorus.models import Message
from organisation import queries, services
from organisation.api.comptes import creer_compte_technique
from organisation.enums import Application, Niveau, StatutRattachement
from organisation.models import HistoriqueRattachement, ModificationDifferee, Rattachement
from tests import outils
from tests.factories import ServiceFactory, UtilisateurFactory, rattacher, structure_privee

pytestmark = pytest.mark.django_db


@pytest.fixture
def gp_et_structure():
    gp = UtilisateurFactory(prenom="Gaëlle", nom="Perrin")
    structure = structure_privee(gp, "ACME SAS")
    return gp, structure


@pytest.fixture
def collegue(gp_et_structure):
    """A user named « Ancien », attached to the GP's structure by its invitation."""
    gp, structure = gp_et_structure
    collegue = UtilisateurFactory(nom="Ancien")
    rattacher(gp, collegue, structure)
    return collegue


def _messages(user) -> list[str]:
    return list(Message.objects.filter(destinataire=user).order_by("id").values_list("sujet", flat=True))


def _agent_support():
    return UtilisateurFactory(agent_support=True)


# --- Rattachement by invitation ------------------------------------------------------------------------------


def _repondre(client, rattachement, statut) -> str:
    """The logged-in user's answer to the invitation (« Accepter » is ``ACTIF``, « Refuser » ``REFUSE``): the page
    it leads to, as text; ``rattachement`` is read again."""
    response = client.post(reverse("repondre_invitation", args=[rattachement.pk]), {"statut": statut}, follow=True)
    rattachement.refresh_from_db()
    return outils.texte(response)


def test_le_gp_invite_rien_ne_s_applique_avant_l_acceptation(
    client, gp_et_structure, django_capture_on_commit_callbacks
):
    gp, structure = gp_et_structure
    invite = UtilisateurFactory(email="zoe@exemple.fr")
    client.force_login(gp)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rattacher_utilisateur"), {"email": invite.email, "structure": structure.pk, "maille": "STRUCTURE"}
        )
    assert response.status_code == 302
    rattachement = Rattachement.objects.get(utilisateur=invite, structure=structure)
    assert rattachement.statut == StatutRattachement.INVITE
    # Neither attached nor granted any profile, and invisible in the GP's list of users.
    assert not queries.structures_de(invite).exists()
    assert not services.profils_de(utilisateur=invite, structure=structure)
    # The GP's list shows it as an invitation waiting for an answer, not among the attached users.
    page = client.get(reverse("utilisateurs")).content.decode()
    actifs, _, invitations = page.partition("Invitations en attente de réponse")
    assert invite.email not in actifs and invite.email in invitations
    # Told through « Mes messages » and by e-mail, once the invitation is committed.
    assert _messages(invite) == ["Invitation à un rattachement"]
    historique = HistoriqueRattachement.objects.get(objet=rattachement)
    assert (historique.statut, historique.acting_user_id, historique.role) == (
        StatutRattachement.INVITE,
        gp.pk,
        services.ROLE_GESTIONNAIRE,
    )


def test_l_invite_accepte_dans_mes_rattachements_puis_est_rattache_avec_les_profils(client, gp_et_structure):
    gp, structure = gp_et_structure
    invite = UtilisateurFactory()
    rattachement = services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    client.force_login(invite)
    page = outils.texte(client.get(reverse("mes_rattachements")))
    assert "Invitation à accepter" in page and "Accepter" in page and "Refuser" in page
    assert "Vous êtes rattaché à la structure ACME SAS." in _repondre(client, rattachement, StatutRattachement.ACTIF)
    assert rattachement.statut == StatutRattachement.ACTIF
    assert queries.structures_de(invite, Application.FACTURES_EMISES, Niveau.MODIFICATION).get() == structure
    assert [(h.statut_precedent, h.statut, h.acting_user_id) for h in rattachement.historique.order_by("id")] == [
        ("", StatutRattachement.INVITE, gp.pk),
        (StatutRattachement.INVITE, StatutRattachement.ACTIF, invite.pk),
    ]
    assert "Invitation acceptée" in _messages(gp)


def test_l_invite_refuse_et_n_est_pas_rattache(client, gp_et_structure):
    gp, structure = gp_et_structure
    invite = UtilisateurFactory()
    rattachement = services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    client.force_login(invite)
    assert "Vous avez refusé l'invitation" in _repondre(client, rattachement, StatutRattachement.REFUSE)
    assert rattachement.statut == StatutRattachement.REFUSE
    assert not queries.structures_de(invite).exists()
    assert not services.profils_de(utilisateur=invite, structure=structure)
    assert "Invitation refusée" in _messages(gp)
    # Answered once: a second answer changes nothing.
    assert "Action déjà effectuée" in _repondre(client, rattachement, StatutRattachement.ACTIF)
    assert rattachement.statut == StatutRattachement.REFUSE


def test_invitation_a_un_service_n_ouvre_que_ce_service(gp_et_structure):
    gp, structure = gp_et_structure
    compta = ServiceFactory(structure=structure, code="COMPTA")
    ServiceFactory(structure=structure, code="ACHATS")
    invite = UtilisateurFactory()
    rattacher(gp, invite, structure, service=compta)
    assert list(queries.services_visibles(invite, structure).values_list("code", flat=True)) == ["COMPTA"]


def test_seul_l_invite_repond_a_son_invitation(client, gp_et_structure):
    gp, structure = gp_et_structure
    invite, autre = UtilisateurFactory(), UtilisateurFactory()
    rattachement = services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    # Another user (and even the GP who invited) reaches no such invitation: 404, nothing changes.
    for intrus in (autre, gp):
        client.force_login(intrus)
        url = reverse("repondre_invitation", args=[rattachement.pk])
        assert client.post(url, {"statut": StatutRattachement.ACTIF}).status_code == 404
    # The other structure's GP does not even see the invitation in its list.
    autre_gp = UtilisateurFactory()
    structure_privee(autre_gp, "Autre SAS")
    client.force_login(autre_gp)
    assert invite.email not in client.get(reverse("utilisateurs")).content.decode()
    with pytest.raises(PermissionDenied):
        services.repondre_invitation(utilisateur=gp, rattachement=rattachement, accepter=True)
    rattachement.refresh_from_db()
    assert rattachement.statut == StatutRattachement.INVITE
    assert not queries.structures_de(invite).exists()


def test_reponse_inconnue_refusee_sans_rien_changer(client, gp_et_structure):
    gp, structure = gp_et_structure
    invite = UtilisateurFactory()
    rattachement = services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    client.force_login(invite)
    assert "Choisissez « Accepter » ou « Refuser »." in _repondre(client, rattachement, "INACTIF")
    assert rattachement.statut == StatutRattachement.INVITE


def test_un_rattachement_actif_ne_se_repond_pas(client, gp_et_structure):
    """The user's own active rattachement is not an invitation: « Refuser » cannot detach it."""
    gp, structure = gp_et_structure
    invite = UtilisateurFactory()
    rattachement = rattacher(gp, invite, structure)
    client.force_login(invite)
    assert "Action déjà effectuée" in _repondre(client, rattachement, StatutRattachement.REFUSE)
    assert rattachement.statut == StatutRattachement.ACTIF


def test_invitation_en_double_refusee(client, gp_et_structure):
    gp, structure = gp_et_structure
    invite = UtilisateurFactory()
    services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    client.force_login(gp)
    response = client.post(
        reverse("rattacher_utilisateur"), {"email": invite.email, "structure": structure.pk, "maille": "STRUCTURE"}
    )
    assert "déjà une invitation à ce rattachement" in outils.texte(response)
    assert Rattachement.objects.filter(utilisateur=invite).count() == 1
    # The invited user cannot open a parallel request either: the invitation is there to accept.
    with pytest.raises(ValidationError, match="vous a déjà invité"):
        services.demander_rattachement(utilisateur=invite, structure=structure, commentaire="Comptabilité")


def test_le_gp_d_une_autre_structure_n_invite_pas(client, gp_et_structure):
    _gp, structure = gp_et_structure
    autre_gp = UtilisateurFactory()
    structure_privee(autre_gp, "Autre SAS")
    invite = UtilisateurFactory()
    with pytest.raises(PermissionDenied):
        services.rattacher_utilisateur(acting_user=autre_gp, email=invite.email, structure=structure)
    client.force_login(autre_gp)
    response = client.post(
        reverse("rattacher_utilisateur"), {"email": invite.email, "structure": structure.pk, "maille": "STRUCTURE"}
    )
    assert response.status_code == 200  # the form refuses a structure it does not offer
    assert not Rattachement.objects.filter(utilisateur=invite).exists()


def test_un_utilisateur_simple_n_invite_pas(client, gp_et_structure):
    gp, structure = gp_et_structure
    simple = UtilisateurFactory()
    rattacher(gp, simple, structure)
    invite = UtilisateurFactory()
    with pytest.raises(PermissionDenied):
        services.rattacher_utilisateur(acting_user=simple, email=invite.email, structure=structure)
    client.force_login(simple)
    assert client.get(reverse("rattacher_utilisateur")).status_code == 403
    assert not Rattachement.objects.filter(utilisateur=invite).exists()


def test_accepter_apres_la_desactivation_de_la_structure_refuse(client, gp_et_structure):
    gp, structure = gp_et_structure
    invite = UtilisateurFactory()
    rattachement = services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    services.changer_statut_structure(acting_user=gp, structure=structure, active=False)
    client.force_login(invite)
    assert "Cette structure n'est pas active" in _repondre(client, rattachement, StatutRattachement.ACTIF)
    assert rattachement.statut == StatutRattachement.INVITE
    assert not services.profils_de(utilisateur=invite, structure=structure)


def test_une_demande_de_l_utilisateur_vaut_consentement(gp_et_structure):
    """A user who asked to join the structure already consented: the GP's « Rattacher » grants the request."""
    gp, structure = gp_et_structure
    demandeur = UtilisateurFactory()
    services.demander_rattachement(utilisateur=demandeur, structure=structure, commentaire="Comptabilité")
    rattachement = services.rattacher_utilisateur(acting_user=gp, email=demandeur.email, structure=structure)
    rattachement.refresh_from_db()
    assert rattachement.statut == StatutRattachement.ACTIF
    assert queries.structures_de(demandeur).get() == structure


# --- Identity: the user or the support only ---------------------------------------------------------------------


def test_le_gp_ne_renomme_pas_un_utilisateur_service_refuse(gp_et_structure, collegue):
    gp, _ = gp_et_structure
    with pytest.raises(PermissionDenied, match="par lui-même"):
        services.modifier_utilisateur(acting_user=gp, utilisateur=collegue, changements={"nom": "Nouveau"})
    # Not through the generic deferred change either.
    with pytest.raises(PermissionDenied):
        services.demander_modification(objet=collegue, changements={"nom": "Nouveau"}, demandeur=gp, description="x")
    assert not ModificationDifferee.objects.filter(
        content_type=ContentType.objects.get_for_model(collegue), object_id=collegue.pk
    ).exists()


def test_le_gp_n_a_plus_de_page_de_modification_d_un_utilisateur(client, gp_et_structure, collegue):
    gp, _ = gp_et_structure
    with pytest.raises(NoReverseMatch):
        reverse("modifier_utilisateur", args=[collegue.pk])
    client.force_login(gp)
    assert client.post(f"/organisation/utilisateurs/{collegue.pk}/modifier/", {"nom": "Nouveau"}).status_code == 404
    page = client.get(reverse("utilisateurs")).content.decode()
    assert f"/organisation/utilisateurs/{collegue.pk}/" not in page
    collegue.refresh_from_db()
    assert collegue.nom == "Ancien"


def test_le_support_modifie_une_identite(collegue):
    services.modifier_utilisateur(acting_user=_agent_support(), utilisateur=collegue, changements={"nom": "Nouveau"})
    assert outils.modifications_appliquees() == 1
    collegue.refresh_from_db()
    assert collegue.nom == "Nouveau"


def test_l_utilisateur_modifie_son_identite_dans_mon_compte(client):
    user = UtilisateurFactory(nom="Ancien", prenom="Léa")
    client.force_login(user)
    response = client.post(reverse("mon_compte"), {"prenom": "Léa", "nom": "Nouveau", "telephone": ""})
    assert response.status_code == 302
    assert outils.modifications_appliquees() == 1
    user.refresh_from_db()
    assert user.nom == "Nouveau"


def test_une_modification_d_identite_par_un_gp_deja_en_attente_echoue_a_l_application(gp_et_structure, collegue):
    """Rights are re-checked when a change applies: one a gestionnaire queued before this rule is not applied."""
    gp, _ = gp_et_structure
    maintenant = timezone.now()
    modification = ModificationDifferee.objects.create(
        demandeur=gp,
        content_type=ContentType.objects.get_for_model(collegue),
        object_id=collegue.pk,
        description="Modification de l'utilisateur",
        changements={"nom": "Nouveau"},
        created_at=maintenant,
        effective_at=maintenant,
    )
    services.appliquer_modifications_dues()
    modification.refresh_from_db()
    collegue.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.ECHEC
    assert collegue.nom == "Ancien"


def test_un_compte_technique_n_est_pas_invite(gp_et_structure):
    gp, structure = gp_et_structure
    autre = structure_privee(UtilisateurFactory(), "Autre")
    compte, _ = creer_compte_technique(structure=autre, login="TECH_1_autre@cpro.fr")
    with pytest.raises(ValidationError, match="Un compte technique ne se rattache pas"):
        services.rattacher_utilisateur(acting_user=gp, email=compte.login, structure=structure)
    assert not Rattachement.objects.filter(utilisateur=compte.utilisateur, structure=structure).exists()


def test_invitations_et_mes_rattachements_requetes_bornees(client, gp_et_structure, django_assert_max_num_queries):
    """The GP's list of users with its pending invitations, and « Mes rattachements » with its answers: a bounded
    number of queries whatever the number of rows."""
    gp, structure = gp_et_structure
    invites = [UtilisateurFactory() for _ in range(8)]
    for invite in invites:
        services.rattacher_utilisateur(acting_user=gp, email=invite.email, structure=structure)
    for autre_gp in (UtilisateurFactory(), UtilisateurFactory()):
        autre = structure_privee(autre_gp, "Autre")
        services.rattacher_utilisateur(acting_user=autre_gp, email=invites[0].email, structure=autre)
    client.force_login(gp)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("utilisateurs")).content.decode()
    assert page.count('data-testid="invitation-utilisateur"') == 8
    client.force_login(invites[0])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("mes_rattachements")).content.decode()
    assert page.count("Invitation à accepter") == 3
