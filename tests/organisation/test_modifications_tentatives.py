"""Deferred changes that keep failing (attempt counter, then « Non appliquée » shown to the GP and the requester)
and the requester's rights checked again when the change applies (RELIABILITY.md row 3)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from chorus.models import OutboxMessage
from organisation import services
from organisation.enums import Application, Niveau, StatutRattachement
from organisation.models import HistoriqueModificationDifferee, ModificationDifferee, Rattachement
from organisation.services import modifications, raccordements
from tests import outils
from tests.factories import UtilisateurFactory, rattacher, structure_privee

pytestmark = pytest.mark.django_db

# Why a change is refused when it applies, its requester having lost the right to it in the meantime.
REFUS_SANS_PROFIL = (
    "Modification refusée à son application : le demandeur n'a plus le profil « Organisation modification » "
    "sur la structure."
)


def _dans(minutes):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def _erreur_de_l_echec(modification) -> str:
    """The message of ``modification``'s failure: the sweep must have marked it failed (« ECHEC »)."""
    modification.refresh_from_db()
    assert modification.statut == ModificationDifferee.Statut.ECHEC
    return modification.derniere_erreur


def _membre(gp, structure, **profils):
    """A user attached to ``structure`` by its GP, with ``profils`` on top of the default ones."""
    membre = UtilisateurFactory()
    rattacher(gp, membre, structure)
    if profils:
        services.definir_profils(utilisateur=membre, structure=structure, profils=profils)
    return membre


def _historique(modification):
    return [
        (h.statut_precedent, h.statut, h.motif)
        for h in HistoriqueModificationDifferee.objects.filter(objet=modification).order_by("created_at", "id")
    ]


def _courriels_a(user):
    return [m for m in OutboxMessage.objects.filter(kind="chorus.email") if user.email in str(m.payload)]


def test_echec_repete_compte_les_tentatives_puis_non_appliquee_et_la_file_continue(
    client, gp, structure, settings, monkeypatch
):
    settings.CHORUS_MODIFICATION_TENTATIVES_MAX = 3
    collegue = _membre(gp, structure)
    autre = UtilisateurFactory(nom="Avant")

    def en_panne(structure, valeur):
        raise RuntimeError("panne de l'application des profils")

    # Applying these profiles keeps failing (an unexpected error, not a refusal): it must not stop the sweep.
    monkeypatch.setitem(modifications._APPLICATEURS["organisation.structure"], "profils", en_panne)
    with _dans(0):
        bloquee = services.demander_modification_habilitations(
            acting_user=gp,
            utilisateur=collegue,
            structure=structure,
            profils={Application.ORGANISATION: Niveau.MODIFICATION},
        )
    with _dans(1):
        # Another target, due later: applied whatever happens to the first one.
        autre_cible = services.demander_modification(
            objet=autre, changements={"nom": "Après"}, demandeur=autre, description="Modification de mon compte"
        )
        # The same target, due later: waits behind the failing change so that changes of one object keep their order.
        meme_cible = services.modifier_structure(
            acting_user=gp, structure=structure, changements={"raison_sociale": "ACME France"}
        )

    with _dans(40):
        assert services.appliquer_modifications_dues() == 1
    bloquee.refresh_from_db()
    assert (bloquee.statut, bloquee.tentatives) == (ModificationDifferee.Statut.EN_ATTENTE, 1)
    assert bloquee.derniere_erreur == "Tentative 1 sur 3 en échec : erreur technique (RuntimeError)."
    autre.refresh_from_db()
    assert autre.nom == "Après"
    autre_cible.refresh_from_db()
    assert autre_cible.statut == ModificationDifferee.Statut.APPLIQUEE
    structure.refresh_from_db()
    assert structure.raison_sociale == "ACME SAS"
    meme_cible.refresh_from_db()
    assert meme_cible.statut == ModificationDifferee.Statut.EN_ATTENTE
    # The GP sees the attempt beside the pending change.
    client.force_login(gp)
    page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
    assert "Tentative 1 sur 3 en échec" in page

    with _dans(41):
        assert services.appliquer_modifications_dues() == 0
    bloquee.refresh_from_db()
    assert (bloquee.statut, bloquee.tentatives) == (ModificationDifferee.Statut.EN_ATTENTE, 2)

    with _dans(42):
        # Third failure: the change is marked failed and the change waiting behind it applies in the same sweep.
        assert services.appliquer_modifications_dues() == 1
        bloquee.refresh_from_db()
        assert (bloquee.statut, bloquee.tentatives) == (ModificationDifferee.Statut.ECHEC, 3)
        motif = "La modification n'a pas pu être appliquée après 3 tentatives : erreur technique (RuntimeError)."
        assert _historique(bloquee)[-1] == ("EN_ATTENTE", "ECHEC", motif)
        assert HistoriqueModificationDifferee.chaine_intacte(bloquee)
        structure.refresh_from_db()
        assert structure.raison_sociale == "ACME France"
        assert services.profils_de(utilisateur=collegue, structure=structure).get(Application.ORGANISATION) is None
        # Failed for good: later sweeps leave it alone.
        assert services.appliquer_modifications_dues() == 0
        bloquee.refresh_from_db()
        assert bloquee.tentatives == 3

        # Shown to the GP where changes are listed, with the reason; the requester is told by a message.
        page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
        assert "Modifications non appliquées" in page and motif in page
        page = outils.texte(
            client.get(f"{reverse('gerer_habilitations')}?structure={structure.pk}&utilisateur={collegue.pk}")
        )
        assert "Modifications non appliquées" in page and motif in page
    assert any("n'a pas pris effet" in str(m.payload) for m in _courriels_a(gp))


def test_erreur_definitive_non_appliquee_des_la_premiere_fois_avec_le_motif(client, gp, structure):
    service = services.creer_service(acting_user=gp, structure=structure, code="COMPTA", libelle="Comptabilité")
    modification = services.modifier_service(acting_user=gp, service=service, changements={"libelle": "Paie"})
    # Written behind the sweep's back: a value the model refuses can never apply, retrying is pointless.
    ModificationDifferee.objects.filter(pk=modification.pk).update(changements={"libelle": "x" * 500})
    with _dans(31):
        assert services.appliquer_modifications_dues() == 0
        modification.refresh_from_db()
        assert (modification.statut, modification.tentatives) == (ModificationDifferee.Statut.ECHEC, 1)
        assert modification.derniere_erreur.startswith("La modification n'a pas pu être appliquée : ")
        assert "caractères" in modification.derniere_erreur
        client.force_login(gp)
        page = outils.texte(client.get(reverse("modifier_service", args=[structure.pk, service.pk])))
        assert "Modifications non appliquées" in page and modification.derniere_erreur in page
    service.refresh_from_db()
    assert service.libelle == "Comptabilité"


def test_ancien_gp_apres_transfert_sa_modification_est_refusee(client, gp, structure):
    nouveau = _membre(gp, structure)
    with _dans(0):
        services.transferer_gestionnaire_principal(acting_user=gp, structure=structure, nouveau=nouveau)
    with _dans(1):
        modification = services.modifier_structure(
            acting_user=gp, structure=structure, changements={"raison_sociale": "Renommée par l'ancien GP"}
        )
    with _dans(40):
        # The transfer applies first; when the rename is due, its requester is no longer the GP.
        assert services.appliquer_modifications_dues() == 1
        structure.refresh_from_db()
        assert structure.gestionnaire_principal == nouveau
        assert structure.raison_sociale == "ACME SAS"
        assert _erreur_de_l_echec(modification) == REFUS_SANS_PROFIL
        assert _historique(modification)[-1] == ("EN_ATTENTE", "ECHEC", REFUS_SANS_PROFIL)
        # The former GP sees why on « Mon compte », the new GP on the structure.
        client.force_login(gp)
        page = outils.texte(client.get(reverse("mon_compte")))
        assert "Modifications non appliquées" in page and REFUS_SANS_PROFIL in page
        client.force_login(nouveau)
        page = outils.texte(client.get(reverse("gerer_structure", args=[structure.pk])))
        assert "Modifications non appliquées" in page and REFUS_SANS_PROFIL in page
    assert any("n'a pas pris effet" in str(m.payload) for m in _courriels_a(gp))


def test_transfert_refuse_si_le_demandeur_n_est_plus_gp(gp, structure):
    premier = _membre(gp, structure)
    second = _membre(gp, structure)
    with _dans(0):
        services.transferer_gestionnaire_principal(acting_user=gp, structure=structure, nouveau=premier)
    with _dans(1):
        tardif = services.transferer_gestionnaire_principal(acting_user=gp, structure=structure, nouveau=second)
    with _dans(40):
        assert services.appliquer_modifications_dues() == 1
    structure.refresh_from_db()
    assert structure.gestionnaire_principal == premier
    assert "n'est plus le gestionnaire principal" in _erreur_de_l_echec(tardif)
    assert services.profils_de(utilisateur=second, structure=structure).get(Application.ORGANISATION) is None


def test_profil_retire_entre_temps_modification_refusee(gp, structure):
    gestionnaire = _membre(gp, structure, **{Application.ORGANISATION: Niveau.MODIFICATION})
    service = services.creer_service(acting_user=gp, structure=structure, code="ACHATS", libelle="Achats")
    modification = services.modifier_service(acting_user=gestionnaire, service=service, changements={"actif": False})
    services.definir_profils(utilisateur=gestionnaire, structure=structure, profils={Application.ORGANISATION: None})
    with _dans(31):
        assert services.appliquer_modifications_dues() == 0
    service.refresh_from_db()
    assert service.actif
    assert _erreur_de_l_echec(modification) == REFUS_SANS_PROFIL


def test_agent_du_support_retire_entre_temps_modification_d_identite_refusee(gp, structure):
    """An identity is changed only by the person or the support: an agent who left the support between the request
    and its effect has no right to it any more."""
    agent = UtilisateurFactory(agent_support=True)
    collegue = _membre(gp, structure)
    avant = collegue.nom
    modification = services.modifier_utilisateur(
        acting_user=agent, utilisateur=collegue, changements={"nom": "Renommé"}
    )
    agent.groups.clear()
    with _dans(31):
        assert services.appliquer_modifications_dues() == 0
    collegue.refresh_from_db()
    assert collegue.nom == avant
    assert "seul l'utilisateur lui-même ou le support Chorus Pro peut modifier son identité" in (
        _erreur_de_l_echec(modification)
    )


def test_raccordements_retires_entre_temps_mode_d_echange_refuse(gp, structure):
    integrateur = _membre(gp, structure, **{Application.RACCORDEMENTS: Niveau.MODIFICATION})
    modification = raccordements.modifier_mode_echange(
        structure=structure, acting_user=integrateur, emetteur_edi=True, recepteur_edi=False
    )
    services.definir_profils(utilisateur=integrateur, structure=structure, profils={Application.RACCORDEMENTS: None})
    with _dans(31):
        assert services.appliquer_modifications_dues() == 0
    structure.refresh_from_db()
    assert not structure.emetteur_edi
    modification.refresh_from_db()
    assert "n'a plus le profil « Raccordements » en modification" in modification.derniere_erreur


def test_habilitations_d_un_utilisateur_detache_entre_temps_refusees(gp, structure):
    collegue = _membre(gp, structure)
    modification = services.demander_modification_habilitations(
        acting_user=gp,
        utilisateur=collegue,
        structure=structure,
        profils={Application.ORGANISATION: Niveau.MODIFICATION},
    )
    services.detacher_utilisateur(
        acting_user=gp, rattachement=Rattachement.objects.get(utilisateur=collegue, structure=structure)
    )
    with _dans(31):
        assert services.appliquer_modifications_dues() == 0
    assert services.profils_de(utilisateur=collegue, structure=structure) == {}
    modification.refresh_from_db()
    assert "l'utilisateur concerné n'est plus rattaché à la structure" in modification.derniere_erreur
    assert Rattachement.objects.get(utilisateur=collegue, structure=structure).statut == StatutRattachement.INACTIF


def test_droits_toujours_valables_la_modification_s_applique(gp, structure):
    gestionnaire = _membre(gp, structure, **{Application.ORGANISATION: Niveau.MODIFICATION})
    service = services.creer_service(acting_user=gp, structure=structure, code="ACHATS", libelle="Achats")
    modification = services.modifier_service(acting_user=gestionnaire, service=service, changements={"libelle": "Paie"})
    with _dans(31):
        assert services.appliquer_modifications_dues() == 1
    service.refresh_from_db()
    assert service.libelle == "Paie"
    modification.refresh_from_db()
    assert (modification.statut, modification.tentatives, modification.derniere_erreur) == (
        ModificationDifferee.Statut.APPLIQUEE,
        1,
        "",
    )


def test_echec_visible_seulement_du_demandeur_et_de_la_structure(client, gp, structure):
    gestionnaire = _membre(gp, structure, **{Application.ORGANISATION: Niveau.MODIFICATION})
    service = services.creer_service(acting_user=gp, structure=structure, code="ACHATS", libelle="Achats")
    services.modifier_service(acting_user=gestionnaire, service=service, changements={"libelle": "Paie"})
    services.definir_profils(utilisateur=gestionnaire, structure=structure, profils={Application.ORGANISATION: None})
    with _dans(31):
        assert services.appliquer_modifications_dues() == 0
        client.force_login(gestionnaire)
        assert "Modifications non appliquées" in outils.texte(client.get(reverse("mon_compte")))
        # Another user's « Mon compte » and another structure's GP see nothing of it.
        etranger = UtilisateurFactory()
        autre = structure_privee(etranger, "Autre SA")
        client.force_login(etranger)
        assert "Modifications non appliquées" not in outils.texte(client.get(reverse("mon_compte")))
        assert "Modifications non appliquées" not in outils.texte(
            client.get(reverse("gerer_structure", args=[autre.pk]))
        )
        assert client.get(reverse("gerer_structure", args=[structure.pk])).status_code == 404
