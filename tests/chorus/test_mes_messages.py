"""« Mes messages » (issue 14 item 3): every notification of the portal lands in its recipient's inbox when its
e-mail is queued (``chorus.messagerie.notifier``), filled here by a real notification of each application; the
per-type preference « Recevoir aussi par courriel » stops the e-mail, never the message; the page lists only the
user's own messages (another's is a 404), opening one marks it read, « Marquer comme lu » / « Tout marquer comme
lu »; the header's unread count is one indexed COUNT on every page."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chorus import messagerie
from chorus.models import Message, OutboxMessage, PreferenceMessage
from facturation.enums import Cadre
from organisation import services as org_services
from organisation.enums import Application, OptionMoa
from tests import outils
from tests.factories import UtilisateurFactory, utilisateur_de
from tests.facturation.factories import FactureFactory
from tests.sollicitations.conftest import deposer, rattacher
from tests.travaux.factories import acteur, deposer_initial

pytestmark = pytest.mark.django_db

RACINE = Path(__file__).resolve().parents[2]


def _courriels_a(email) -> list[str]:
    """Subjects of the e-mails queued in the outbox for ``email``."""
    return [
        m.payload["subject"]
        for m in OutboxMessage.objects.filter(kind="chorus.email").order_by("id")
        if email in m.payload["to"]
    ]


def _boite(user) -> list[tuple[str, str]]:
    return list(Message.objects.filter(destinataire=user).order_by("id").values_list("evenement", "sujet"))


def _agent(structure, application, email):
    return utilisateur_de(structure, email=email, profils={application: "modification"})


def _messages(user, nombre):
    """``nombre`` messages written straight to the table (the cached count is forgotten as ``notifier`` does)."""
    messages = Message.objects.bulk_create(
        Message(destinataire=user, evenement="FACTURE_STATUT", sujet=f"Sujet {i}", corps=f"Corps {i}")
        for i in range(nombre)
    )
    messagerie.compte_modifie([user.pk])
    return messages


# --- notifier: one place, inbox + e-mail -------------------------------------------------------------------------


def test_notifier_ecrit_le_message_et_met_le_courriel_en_file():
    user = UtilisateurFactory(email="claire@exemple.fr")
    assert messagerie.notifier([user], evenement="FACTURE_STATUT", sujet="Chorus Pro - Facture F-1", corps="Texte")
    (message,) = Message.objects.filter(destinataire=user)
    assert (message.evenement, message.sujet, message.corps, message.lu_le) == (
        "FACTURE_STATUT",
        "Facture F-1",
        "Texte",
        None,
    )
    assert _courriels_a("claire@exemple.fr") == ["Chorus Pro - Facture F-1"]


def test_un_type_de_message_inconnu_est_refuse_et_rien_n_est_ecrit():
    user = UtilisateurFactory()
    with pytest.raises(ValueError, match="INCONNU"):
        messagerie.notifier([user], evenement="INCONNU", sujet="s", corps="c")
    assert not Message.objects.exists() and not OutboxMessage.objects.exists()


def test_la_preference_arrete_le_courriel_pas_le_message():
    sans, avec = UtilisateurFactory(email="sans@exemple.fr"), UtilisateurFactory(email="avec@exemple.fr")
    messagerie.enregistrer_preferences(sans, {"FACTURE_STATUT": False})
    messagerie.notifier([sans, avec], evenement="FACTURE_STATUT", sujet="Chorus Pro - F", corps="c")
    assert _boite(sans) == _boite(avec) == [("FACTURE_STATUT", "F")]
    assert _courriels_a("sans@exemple.fr") == []
    assert _courriels_a("avec@exemple.fr") == ["Chorus Pro - F"]
    # Only that type: another one is still e-mailed.
    messagerie.notifier([sans], evenement="FACTURE_RECUE", sujet="Chorus Pro - R", corps="c")
    assert _courriels_a("sans@exemple.fr") == ["Chorus Pro - R"]


def test_chaque_application_enregistre_ses_types_de_message():
    codes = {t.code for t in messagerie.types_messages()}
    assert {
        "FACTURE_STATUT",
        "FACTURE_BROUILLON",
        "FACTURE_RECUE",
        "FACTURE_A_VALIDER",
        "TRAVAUX_A_TRAITER",
        "TRAVAUX_REFUS",
        "SOLLICITATION_SUIVI",
        "SOLLICITATION_A_TRAITER",
        "ORGANISATION_APPROBATION",
        "ORGANISATION_DECISION",
        "ORGANISATION_RATTACHEMENT",
        "ORGANISATION_MODIFICATION",
    } <= codes


def test_les_notifications_passent_toutes_par_la_messagerie():
    """``envoyer_email`` alone (no inbox, no preference) is kept for e-mails that are not a user's notification:
    the password reset link (to an address) and the activation link (an account that cannot log in yet)."""
    appels = {}
    for chemin in RACINE.glob("*/**/*.py"):
        relatif = chemin.relative_to(RACINE).as_posix()
        if relatif.startswith(("tests/", ".venv/", "var/", "bench/")):
            continue
        nombre = len(re.findall(r"\benvoyer_email\(", chemin.read_text(encoding="utf-8")))
        if nombre:
            appels[relatif] = nombre
    assert appels == {
        "chorus/mail.py": 1,  # its definition
        "chorus/messagerie.py": 1,
        "organisation/forms.py": 1,  # password reset
        "organisation/services/circuits.py": 1,  # ``_courriel(..., evenement=None)``: the activation link only
    }


# --- A real notification of each application ----------------------------------------------------------------------


def test_facturation_le_destinataire_et_le_fournisseur_recoivent_le_message(fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    agent = _agent(etat, Application.FACTURES_RECUES, "agent@etat.gouv.fr")
    messagerie.enregistrer_preferences(agent, {"FACTURE_RECUE": False})
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="MSG-1", envoyer=True)
    assert ("FACTURE_RECUE", "Nouvelle facture MSG-1") in _boite(agent)
    assert "Chorus Pro - Nouvelle facture MSG-1" not in _courriels_a(agent.email)  # his choice: inbox only
    assert ("FACTURE_STATUT", "Facture MSG-1 : Mise à disposition du destinataire") in _boite(gp)
    assert "Chorus Pro - Facture MSG-1 : Mise à disposition du destinataire" in _courriels_a(gp.email)


def test_facturation_relance_d_un_brouillon(fournisseur_gp, etat):
    from datetime import timedelta

    from django.utils import timezone

    from facturation.enums import StatutFacture
    from facturation.models import Facture
    from facturation.services.brouillons import relancer_brouillons

    gp, _ = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="BR-1")
    assert facture.statut == StatutFacture.BROUILLON and facture.created_by == gp
    Facture.objects.filter(pk=facture.pk).update(updated_at=timezone.now() - timedelta(days=4))
    Message.objects.all().delete()
    assert relancer_brouillons() == 1
    assert _boite(gp) == [("FACTURE_BROUILLON", "Brouillon de facture non envoyé")]


def test_sollicitations_deposant_et_service_destinataire(fournisseur_gp, etat):
    # The categories the data migration loads (a transactional test run before may have emptied the tables).
    importlib.import_module("sollicitations.migrations.0002_categories").charger(apps, None)
    gp, structure = fournisseur_gp
    agent_drfip = rattacher(UtilisateurFactory(), etat, service=etat.services.get(code="DRFIP_IDF"))
    s = deposer(gp, structure, destinataire=etat)
    assert ("SOLLICITATION_SUIVI", f"Sollicitation {s.numero} déposée") in _boite(gp)
    assert _boite(agent_drfip) == [("SOLLICITATION_A_TRAITER", f"Nouvelle sollicitation {s.numero}")]
    assert _courriels_a(agent_drfip.email) == [f"Chorus Pro - Nouvelle sollicitation {s.numero}"]


def test_travaux_la_moe_recoit_la_piece_et_son_choix_arrete_le_courriel():
    f = acteur("CEGELEC")
    moe = acteur("MB INGENIERIE")
    moa = acteur("ACADEMIE", publique=True, option_moa=OptionMoa.AVEC_MOA)
    messagerie.enregistrer_preferences(moe[0], {"TRAVAUX_A_TRAITER": False})
    deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], numero="PDM-MSG")
    (message,) = Message.objects.filter(destinataire=moe[0])
    assert message.evenement == "TRAVAUX_A_TRAITER"
    assert message.sujet == "Factures de travaux : pièce PDM-MSG mise à votre disposition"
    assert "Mise à disposition de la MOE" in message.corps
    assert _courriels_a(moe[0].email) == []


def test_travaux_le_fournisseur_apprend_la_suspension():
    from travaux import services as travaux_services

    f = acteur("CEGELEC")
    moe = acteur("MB INGENIERIE")
    moa = acteur("ACADEMIE", publique=True, option_moa=OptionMoa.AVEC_MOA)
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], numero="PDM-SUSP")
    travaux_services.suspendre(acting_user=moe[0], piece=a4, commentaire="Il manque l'attachement")
    ((evenement, sujet),) = [m for m in _boite(f[0]) if m[0] == "TRAVAUX_REFUS"]
    assert sujet.startswith("Factures de travaux : pièce PDM-SUSP")
    assert f"Chorus Pro - {sujet}" in _courriels_a(f[0].email)


def test_organisation_rattachement_mais_pas_le_lien_d_activation(fournisseur_gp):
    from organisation.services.comptes import _courriel_activation

    gp, structure = fournisseur_gp
    nouveau = UtilisateurFactory(email="nouveau@fournisseur.fr")
    org_services.rattacher_utilisateur(acting_user=gp, email=nouveau.email, structure=structure)
    assert _boite(nouveau) == [("ORGANISATION_RATTACHEMENT", "Invitation à un rattachement")]
    assert _courriels_a(nouveau.email) == ["Chorus Pro - Invitation à un rattachement"]
    _courriel_activation(nouveau)
    assert len(_boite(nouveau)) == 1  # the activation link is e-mailed only
    assert _courriels_a(nouveau.email)[-1] == "Chorus Pro - Activez votre compte"


# --- The pages --------------------------------------------------------------------------------------------------


def test_la_liste_ne_montre_que_mes_messages_et_marque_les_non_lus(client):
    moi, autre = UtilisateurFactory(), UtilisateurFactory()
    messagerie.notifier([moi], evenement="FACTURE_STATUT", sujet="Chorus Pro - Facture A : Rejetée", corps="c")
    messagerie.notifier([autre], evenement="FACTURE_STATUT", sujet="Chorus Pro - Facture SECRETE", corps="c")
    client.force_login(moi)
    page = outils.texte(client.get(reverse("mes_messages")))
    assert "Facture A : Rejetée" in page and "SECRETE" not in page
    assert "Non lu" in page and "Changement de statut d'une facture émise" in page


def test_ouvrir_un_message_le_marque_lu_et_celui_d_un_autre_est_404(client):
    moi, autre = UtilisateurFactory(), UtilisateurFactory()
    messagerie.notifier([moi, autre], evenement="FACTURE_STATUT", sujet="Chorus Pro - F", corps="Ligne 1\nLigne 2")
    mien = Message.objects.get(destinataire=moi)
    sien = Message.objects.get(destinataire=autre)
    client.force_login(moi)
    assert client.get(reverse("message", args=[sien.pk])).status_code == 404
    sien.refresh_from_db()
    assert sien.lu_le is None
    reponse = client.get(reverse("message", args=[mien.pk]))
    assert reponse.status_code == 200 and "Ligne 1<br>Ligne 2" in reponse.content.decode()
    mien.refresh_from_db()
    assert mien.lu_le is not None
    assert client.post(reverse("message", args=[mien.pk])).status_code == 405


def test_marquer_comme_lu_la_selection_sans_toucher_aux_messages_d_un_autre(client):
    moi, autre = UtilisateurFactory(), UtilisateurFactory()
    a, b = _messages(moi, 2)
    (sien,) = _messages(autre, 1)
    client.force_login(moi)
    reponse = client.post(reverse("marquer_messages_lus"), {"selection": [a.pk, sien.pk, "x"]}, follow=True)
    assert "1 message marqué comme lu." in outils.texte(reponse)
    assert set(Message.objects.filter(lu_le__isnull=False).values_list("pk", flat=True)) == {a.pk}
    reponse = client.post(reverse("marquer_messages_lus"), {}, follow=True)
    assert "Sélectionnez au moins un message." in outils.texte(reponse)
    client.post(reverse("marquer_messages_lus"), {"tout": "1"})
    assert set(Message.objects.filter(lu_le__isnull=True).values_list("pk", flat=True)) == {sien.pk}
    assert client.get(reverse("marquer_messages_lus")).status_code == 405


def test_filtre_non_lus_et_pagination_par_cle_bornee(client, django_assert_max_num_queries):
    moi = UtilisateurFactory()
    messages = _messages(moi, 55)
    Message.objects.filter(pk=messages[0].pk).update(lu_le="2026-01-01T00:00:00Z")
    client.force_login(moi)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("mes_messages")).content.decode()
    assert page.count('name="selection"') == 50 and "Sujet 54" in page and "Sujet 4<" not in page
    suivante = re.search(r'href="\?apres=(\d+)">Messages suivants', page)
    page2 = client.get(reverse("mes_messages"), {"apres": suivante.group(1)}).content.decode()
    assert page2.count('name="selection"') == 5 and "Sujet 0" in page2
    non_lus = client.get(reverse("mes_messages"), {"non_lus": "1", "apres": suivante.group(1)}).content.decode()
    assert non_lus.count('name="selection"') == 4 and "Sujet 0<" not in non_lus


def _coche(page: str, code: str) -> bool:
    """Whether the page's « par_courriel » checkbox of this type is checked (it must be there)."""
    (case,) = re.findall(rf'<input type="checkbox" name="par_courriel" value="{code}"[^>]*>', page)
    return re.search(r"\schecked[\s>]", case) is not None


def test_preferences_par_type_oui_par_defaut(client):
    moi = UtilisateurFactory()
    client.force_login(moi)
    page = client.get(reverse("preferences_messages")).content.decode()
    assert _coche(page, "FACTURE_RECUE") and _coche(page, "TRAVAUX_REFUS")
    assert "Recevoir aussi par courriel" in page
    codes = [t.code for t in messagerie.types_messages()]
    coches = [c for c in codes if c != "FACTURE_RECUE"]
    reponse = client.post(reverse("preferences_messages"), {"par_courriel": [*coches, "INCONNU"]}, follow=True)
    assert "Vos préférences ont été enregistrées." in outils.texte(reponse)
    assert messagerie.preferences_de(moi) == {c: c != "FACTURE_RECUE" for c in codes}
    assert PreferenceMessage.objects.filter(utilisateur=moi, par_courriel=False).count() == 1
    page = client.get(reverse("preferences_messages")).content.decode()
    assert not _coche(page, "FACTURE_RECUE") and _coche(page, "TRAVAUX_REFUS")


def test_pages_reservees_aux_connectes(client):
    for nom in ("mes_messages", "preferences_messages"):
        assert client.get(reverse(nom)).status_code == 302


# --- The header's count ------------------------------------------------------------------------------------------


def test_le_nombre_de_non_lus_est_un_seul_count_mis_en_cache(django_assert_num_queries):
    moi = UtilisateurFactory()
    premiers = _messages(moi, 30)
    messagerie.marquer_lus(moi, [m.pk for m in premiers[:10]])
    _messages(UtilisateurFactory(), 5)
    with django_assert_num_queries(1):
        assert messagerie.nombre_non_lus(moi) == 20
    with django_assert_num_queries(0):
        assert messagerie.nombre_non_lus(moi) == 20
    # A notification and a message read show at once.
    messagerie.notifier([moi], evenement="FACTURE_STATUT", sujet="s", corps="c")
    assert messagerie.nombre_non_lus(moi) == 21
    messagerie.marquer_lus(moi, [premiers[10].pk])
    assert messagerie.nombre_non_lus(moi) == 20
    messagerie.marquer_lus(moi)
    assert messagerie.nombre_non_lus(moi) == 0


def test_l_en_tete_affiche_le_nombre_de_non_lus_sur_chaque_page(client):
    moi = UtilisateurFactory()
    client.force_login(moi)

    def requetes_et_badge(url):
        with CaptureQueriesContext(connection) as requetes:
            page = client.get(url).content.decode()
        badge = re.search(r'data-testid="badge-messages"[^>]*>(\d+)', page).group(1)
        return len(requetes), badge

    requetes_et_badge(reverse("domaines"))  # the session's first request
    avant, badge = requetes_et_badge(reverse("domaines"))
    assert badge == "0"
    _messages(moi, 40)
    apres, badge = requetes_et_badge(reverse("domaines"))
    assert badge == "40" and apres == avant + 1  # one COUNT, whatever the number of messages
    encore, badge = requetes_et_badge(reverse("domaines"))
    assert badge == "40" and encore == avant  # then the cache
    assert requetes_et_badge(reverse("accueil"))[1] == "40"


def test_structure_en_edi_ou_api_ni_courriel_ni_perte_du_message(fournisseur_gp, etat):
    """« Raccordements » > « Mode d'émission et de réception »: a recipient that receives by EDI/API, a supplier that
    emits by EDI/API, follow their invoices through their connector: the message stays in « Mes messages », no
    e-mail is sent."""
    gp, fournisseur = fournisseur_gp
    agent = _agent(etat, Application.FACTURES_RECUES, "agent-edi@etat.gouv.fr")
    etat.recepteur_edi = True
    etat.save(update_fields=["recepteur_edi"])
    fournisseur.emetteur_edi = True
    fournisseur.save(update_fields=["emetteur_edi"])
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="EDI-1", envoyer=True)
    assert ("FACTURE_RECUE", "Nouvelle facture EDI-1") in _boite(agent)
    assert ("FACTURE_STATUT", "Facture EDI-1 : Mise à disposition du destinataire") in _boite(gp)
    assert not any("EDI-1" in sujet for sujet in _courriels_a(agent.email) + _courriels_a(gp.email))
    # Back on the portal: the e-mails come back.
    etat.recepteur_edi = False
    etat.save(update_fields=["recepteur_edi"])
    FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="EDI-2", envoyer=True)
    assert "Chorus Pro - Nouvelle facture EDI-2" in _courriels_a(agent.email)
    assert not any("EDI-2" in sujet for sujet in _courriels_a(gp.email))
