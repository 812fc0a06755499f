"""The status machine of a sollicitation (``services.CIRCUIT``): each allowed transition with its history row and
its e-mails (outbox rows), each forbidden one refused in French, the routing between a business service and the
support desk."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from chorus.models import OutboxMessage
from chorus.workflow import TransitionInterdite
from sollicitations import queries, services
from sollicitations.enums import DESTINATAIRE, EMETTEUR, SUPPORT, StatutSollicitation
from sollicitations.models import HistoriqueSollicitation, Message, Sollicitation
from tests.sollicitations.conftest import deposer

pytestmark = pytest.mark.django_db
S = StatutSollicitation


def _courriels():
    """(recipient, subject) of every e-mail written to the outbox, in order."""
    return [
        (m.payload["to"][0], m.payload["subject"])
        for m in OutboxMessage.objects.filter(kind="chorus.email").order_by("id")
    ]


def _vider_boite():
    OutboxMessage.objects.all().delete()


def _en_cours_puis(sollicitation, agent, statut, message):
    """Taken « En cours » by ``agent``, the outbox emptied, then set to ``statut`` with ``message``: the e-mails the
    test reads are those of this last change."""
    services.traiter_sollicitation(acting_user=agent, sollicitation=sollicitation, statut=S.EN_COURS)
    _vider_boite()
    return services.traiter_sollicitation(
        acting_user=agent, sollicitation=sollicitation, statut=statut, message=message
    )


def _historique(s):
    return [
        (h.statut_precedent, h.statut, h.role, h.acting_user_id)
        for h in HistoriqueSollicitation.objects.filter(objet=s).order_by("created_at", "id")
    ]


@pytest.fixture
def sollicitation(fournisseur_gp, etat, agent_drfip, collegue_drfip):
    gp, structure = fournisseur_gp
    return deposer(gp, structure, destinataire=etat)


def test_table_des_transitions():
    table = {(source, cible): t.roles for (source, cible), t in services.CIRCUIT.table.items()}
    assert table[(S.A_TRAITER, S.EN_COURS)] == {DESTINATAIRE, SUPPORT}
    assert table[(S.A_TRAITER, S.MAUVAISE_AFFECTATION)] == {DESTINATAIRE}
    assert table[(S.EN_COURS, S.REAFFECTEE)] == {SUPPORT}
    assert table[(S.DEMANDE_INFORMATION, S.A_TRAITER)] == {EMETTEUR}
    assert table[(S.RESOLUE, S.CLOTUREE)] == {EMETTEUR}
    assert table[(S.RESOLUE, S.A_TRAITER)] == {EMETTEUR}
    assert (S.CLOTUREE, S.A_TRAITER) not in table
    assert (S.DEMANDE_INFORMATION, S.RESOLUE) not in table
    assert services.CIRCUIT.table[(S.A_TRAITER, S.RESOLUE)].motif_obligatoire


def test_depot_historique_et_courriels(sollicitation, fournisseur_gp, agent_drfip, collegue_drfip, agent_autre_service):
    gp, _ = fournisseur_gp
    s = sollicitation
    assert s.statut == S.A_TRAITER and not s.au_support
    assert _historique(s) == [("", S.A_TRAITER, EMETTEUR, gp.pk)]
    courriels = _courriels()
    # The receiving service's agents learn of it (not the agent of another service), the sender gets a receipt.
    nouveaux = {to for to, sujet in courriels if sujet == f"Chorus Pro - Nouvelle sollicitation {s.numero}"}
    assert nouveaux == {agent_drfip.email, collegue_drfip.email}
    assert (gp.email, f"Chorus Pro - Sollicitation {s.numero} déposée") in courriels


def test_prise_en_charge_en_cours_invisible_et_sans_courriel_au_deposant(sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    _vider_boite()
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=sollicitation, statut=S.EN_COURS, message="Brouillon : je vérifie."
    )
    assert s.statut == S.EN_COURS
    assert s.assignee_a == agent_drfip  # taking it in charge assigns it to oneself
    dernier = s.historique.order_by("-created_at", "-id").first()
    assert (dernier.statut_precedent, dernier.statut, dernier.role) == (S.A_TRAITER, S.EN_COURS, DESTINATAIRE)
    assert "Prise en charge" in dernier.commentaire and "Assignée à Sophie Durand" in dernier.commentaire
    assert _courriels() == []  # « En cours » is not visible to the sender
    # The draft answer is kept for the receiving side only.
    assert queries.brouillon(s).texte == "Brouillon : je vérifie."
    assert list(queries.messages(s)) == []
    assert [h.statut for h in queries.historique(s, pour_emetteur=True)] == [S.A_TRAITER]
    # Saving the draft again while « En cours » is allowed (the same status), and writes history.
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=s, statut=S.EN_COURS, message="Version 2")
    assert Message.objects.get(sollicitation=s, brouillon=True).texte == "Version 2"
    assert s.historique.filter(statut_precedent=S.EN_COURS, statut=S.EN_COURS).exists()


def test_demande_d_information_puis_reponse_du_deposant(sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    s = _en_cours_puis(sollicitation, agent_drfip, S.DEMANDE_INFORMATION, "Merci de préciser le numéro d'engagement.")
    assert s.statut == S.DEMANDE_INFORMATION
    entree = s.historique.order_by("-created_at", "-id").first()
    assert (entree.statut_precedent, entree.statut, entree.motif) == (
        S.EN_COURS,
        S.DEMANDE_INFORMATION,
        "Merci de préciser le numéro d'engagement.",
    )
    assert _courriels() == [(gp.email, f"Chorus Pro - Sollicitation {s.numero} : Demande d'information")]
    message = OutboxMessage.objects.get().payload["body"]
    assert "Merci de préciser le numéro d'engagement." in message
    assert [m.texte for m in queries.messages(s)] == ["Merci de préciser le numéro d'engagement."]

    _vider_boite()
    s = services.repondre_demande_information(acting_user=gp, sollicitation=s, message="L'engagement est EJ-0042.")
    assert s.statut == S.A_TRAITER
    entree = s.historique.order_by("-created_at", "-id").first()
    assert (entree.statut_precedent, entree.role, entree.motif) == (
        S.DEMANDE_INFORMATION,
        EMETTEUR,
        "L'engagement est EJ-0042.",
    )
    # The answer goes to the agent the sollicitation is assigned to.
    assert _courriels() == [(agent_drfip.email, f"Chorus Pro - Sollicitation {s.numero} : le déposant a répondu")]


def test_resolue_puis_cloturee(sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    _vider_boite()
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="Paiement le 12 juin."
    )
    assert s.statut == S.RESOLUE and s.assignee_a is None
    assert _courriels() == [(gp.email, f"Chorus Pro - Sollicitation {s.numero} : Résolue")]
    s = services.cloturer_sollicitation(acting_user=gp, sollicitation=s)
    assert s.statut == S.CLOTUREE and s.date_cloture is not None
    assert _historique(s)[-1] == (S.RESOLUE, S.CLOTUREE, EMETTEUR, gp.pk)


def test_resolue_renvoyee_par_le_deposant_insatisfait(sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=S.EN_COURS)
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="C'est payé."
    )
    _vider_boite()
    s = services.renvoyer_sollicitation(acting_user=gp, sollicitation=s, message="Rien reçu sur notre compte.")
    assert s.statut == S.A_TRAITER
    assert _historique(s)[-1] == (S.RESOLUE, S.A_TRAITER, EMETTEUR, gp.pk)
    assert s.historique.order_by("-created_at", "-id").first().motif == "Rien reçu sur notre compte."
    assert _courriels() == [(agent_drfip.email, f"Chorus Pro - Sollicitation {s.numero} renvoyée par le déposant")]
    assert [m.texte for m in queries.messages(s)] == ["C'est payé.", "Rien reçu sur notre compte."]


def test_mauvaise_affectation_transferee_au_support(sollicitation, agent_drfip, agent_support, fournisseur_gp):
    gp, _ = fournisseur_gp
    s = _en_cours_puis(
        sollicitation, agent_drfip, S.MAUVAISE_AFFECTATION, "Question technique, hors de notre compétence."
    )
    # The support receives it « À traiter »; the first recipient stays recorded; no assignment survives.
    assert (s.statut, s.au_support, s.assignee_a_id) == (S.A_TRAITER, True, None)
    assert s.structure_destinataire.raison_sociale == "ETAT"
    assert _historique(s)[-2:] == [
        (S.EN_COURS, S.MAUVAISE_AFFECTATION, DESTINATAIRE, agent_drfip.pk),
        (S.MAUVAISE_AFFECTATION, S.A_TRAITER, "SYSTEME", None),
    ]
    assert _courriels() == [
        (gp.email, f"Chorus Pro - Sollicitation {s.numero} : Mauvaise affectation"),
        (agent_support.email, f"Chorus Pro - Sollicitation {s.numero} transférée au support Chorus Pro"),
    ]
    assert Sollicitation.objects.recues_par(agent_support).filter(pk=s.pk).exists()
    assert not Sollicitation.objects.recues_par(agent_drfip).filter(pk=s.pk).exists()
    # The support treats it as any received sollicitation.
    s = services.traiter_sollicitation(
        acting_user=agent_support, sollicitation=s, statut=S.RESOLUE, message="Voici la procédure."
    )
    assert s.statut == S.RESOLUE
    assert s.historique.order_by("-created_at", "-id").first().role == SUPPORT


def test_le_support_reaffecte_a_un_service_metier(fournisseur_gp, etat, agent_support, agent_drfip):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, categorie="AUTRE", code="AUTRE_DEMANDE")
    assert s.au_support and s.structure_destinataire is None
    assert Sollicitation.objects.recues_par(agent_support).filter(pk=s.pk).exists()
    _vider_boite()
    s = services.traiter_sollicitation(
        acting_user=agent_support,
        sollicitation=s,
        statut=S.REAFFECTEE,
        message="Question pour la DRFIP.",
        structure_destinataire=etat,
        service_destinataire=etat.services.get(code="DRFIP_IDF"),
    )
    assert (s.statut, s.au_support, s.structure_destinataire, s.service_destinataire.code) == (
        S.A_TRAITER,
        False,
        etat,
        "DRFIP_IDF",
    )
    assert _historique(s)[-2:] == [
        (S.A_TRAITER, S.REAFFECTEE, SUPPORT, agent_support.pk),
        (S.REAFFECTEE, S.A_TRAITER, "SYSTEME", None),
    ]
    assert (gp.email, f"Chorus Pro - Sollicitation {s.numero} : Réaffectée par le support") in _courriels()
    assert agent_drfip.email in [to for to, _ in _courriels()]
    assert Sollicitation.objects.recues_par(agent_drfip).filter(pk=s.pk).exists()
    assert not Sollicitation.objects.recues_par(agent_support).filter(pk=s.pk).exists()


def test_assigner_a_un_collegue_le_previent(sollicitation, agent_drfip, collegue_drfip):
    _vider_boite()
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=sollicitation, statut=S.EN_COURS, assignee=collegue_drfip
    )
    assert s.assignee_a == collegue_drfip
    assert _courriels() == [(collegue_drfip.email, f"Chorus Pro - Sollicitation {s.numero} assignée")]
    assert "Assignée à Paul Collègue" in s.historique.order_by("-created_at", "-id").first().commentaire


def test_assigner_a_quelqu_un_d_un_autre_service_refuse(sollicitation, agent_drfip, agent_autre_service):
    with pytest.raises(ValidationError) as exc:
        services.traiter_sollicitation(
            acting_user=agent_drfip, sollicitation=sollicitation, statut=S.EN_COURS, assignee=agent_autre_service
        )
    assert exc.value.message_dict == {
        "assignee_a": ["Cette personne ne peut pas traiter les sollicitations de ce destinataire."]
    }
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER


# --- Refusals ---------------------------------------------------------------------------------------------------


def test_statut_obligatoire_message_du_portail(sollicitation, agent_drfip):
    with pytest.raises(ValidationError) as exc:
        services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut="")
    assert exc.value.message_dict == {"statut": ["Le champ « statut » doit obligatoirement être renseigné."]}


@pytest.mark.parametrize(
    ("statut", "message"),
    [
        (S.DEMANDE_INFORMATION, "Saisissez les informations que vous demandez au déposant."),
        (S.RESOLUE, "Saisissez votre réponse : elle est transmise au déposant."),
    ],
)
def test_reponse_obligatoire(sollicitation, agent_drfip, statut, message):
    with pytest.raises(ValidationError) as exc:
        services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=statut)
    assert exc.value.message_dict == {"message": [message]}
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER
    assert sollicitation.historique.count() == 1


def test_le_service_metier_ne_peut_pas_reaffecter(sollicitation, agent_drfip, etat):
    with pytest.raises(TransitionInterdite) as exc:
        services.traiter_sollicitation(
            acting_user=agent_drfip, sollicitation=sollicitation, statut=S.REAFFECTEE, structure_destinataire=etat
        )
    assert "ne permet pas de la passer au statut « Réaffectée par le support »" in exc.value.message


def test_le_support_n_a_pas_de_mauvaise_affectation(fournisseur_gp, agent_support):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, categorie="RACCORDEMENT", code="API")
    with pytest.raises(TransitionInterdite):
        services.traiter_sollicitation(acting_user=agent_support, sollicitation=s, statut=S.MAUVAISE_AFFECTATION)


def test_quelqu_un_a_agi_avant_vous(sollicitation, agent_drfip, collegue_drfip):
    services.traiter_sollicitation(
        acting_user=collegue_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="Répondu."
    )
    # ``sollicitation`` still holds « À traiter »: the page the agent had open.
    assert sollicitation.statut == S.A_TRAITER
    with pytest.raises(TransitionInterdite) as exc:
        services.traiter_sollicitation(
            acting_user=agent_drfip, sollicitation=sollicitation, statut=S.DEMANDE_INFORMATION, message="?"
        )
    assert exc.value.message == (
        f"Action impossible : la sollicitation {sollicitation.numero} est au statut « Résolue », qui ne permet pas de "
        "la passer au statut « Demande d'information » (quelqu'un a peut-être agi avant vous)."
    )


def test_transferee_entre_temps(sollicitation, agent_drfip, collegue_drfip):
    services.traiter_sollicitation(
        acting_user=collegue_drfip, sollicitation=sollicitation, statut=S.MAUVAISE_AFFECTATION
    )
    with pytest.raises(TransitionInterdite) as exc:
        services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=S.EN_COURS)
    assert "a été transférée au support Chorus Pro entre-temps" in exc.value.message


@pytest.mark.parametrize("action", ["repondre", "renvoyer", "cloturer"])
def test_le_deposant_ne_peut_agir_que_lorsque_c_est_son_tour(sollicitation, fournisseur_gp, action):
    gp, _ = fournisseur_gp
    with pytest.raises(TransitionInterdite) as exc:
        if action == "repondre":
            services.repondre_demande_information(acting_user=gp, sollicitation=sollicitation, message="Voici.")
        elif action == "renvoyer":
            services.renvoyer_sollicitation(acting_user=gp, sollicitation=sollicitation, message="Non.")
        else:
            services.cloturer_sollicitation(acting_user=gp, sollicitation=sollicitation)
    assert exc.value.message.startswith(f"Action impossible : la sollicitation {sollicitation.numero} est au statut")
    assert "« À traiter »" in exc.value.message
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER


def test_le_deposant_voit_a_traiter_quand_en_cours(sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=S.EN_COURS)
    with pytest.raises(TransitionInterdite) as exc:
        services.cloturer_sollicitation(acting_user=gp, sollicitation=sollicitation)
    assert "« À traiter »" in exc.value.message and "En cours" not in exc.value.message


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("repondre", "Votre réponse est obligatoire."),
        (
            "renvoyer",
            "Expliquez pourquoi la réponse ne vous convient pas : ce message est obligatoire pour renvoyer "
            "la sollicitation.",
        ),
    ],
)
def test_message_du_deposant_obligatoire(sollicitation, agent_drfip, fournisseur_gp, action, message):
    gp, _ = fournisseur_gp
    statut = S.DEMANDE_INFORMATION if action == "repondre" else S.RESOLUE
    s = services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=statut, message="?")
    fonction = services.repondre_demande_information if action == "repondre" else services.renvoyer_sollicitation
    with pytest.raises(ValidationError) as exc:
        fonction(acting_user=gp, sollicitation=s, message="   ")
    assert exc.value.message_dict == {"message": [message]}
    s.refresh_from_db()
    assert s.statut == statut


def test_consultation_seule_ne_traite_pas(sollicitation, lecteur_etat):
    assert Sollicitation.objects.recues_par(lecteur_etat).filter(pk=sollicitation.pk).exists()
    with pytest.raises(PermissionDenied):
        services.traiter_sollicitation(acting_user=lecteur_etat, sollicitation=sollicitation, statut=S.EN_COURS)


def test_un_autre_fournisseur_ne_repond_pas(sollicitation, agent_drfip):
    from tests.factories import UtilisateurFactory

    intrus = UtilisateurFactory()
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=sollicitation, statut=S.DEMANDE_INFORMATION, message="?"
    )
    with pytest.raises(PermissionDenied):
        services.repondre_demande_information(acting_user=intrus, sollicitation=s, message="Je réponds.")


def test_historique_en_ajout_seul(sollicitation):
    entree = sollicitation.historique.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoriqueSollicitation.objects.filter(pk=entree.pk).update(motif="réécrit")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoriqueSollicitation.objects.filter(pk=entree.pk).delete()
    assert HistoriqueSollicitation.chaine_intacte(sollicitation)


def test_rien_n_est_envoye_si_la_transaction_echoue(sollicitation, agent_drfip):
    _vider_boite()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.traiter_sollicitation(
            acting_user=agent_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="Réponse."
        )
        raise RuntimeError("échec après la transition")
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER
    assert not OutboxMessage.objects.exists()
