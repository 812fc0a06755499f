"""Who sees which sollicitation: ``Sollicitation.objects.emises_par`` / ``recues_par`` and the pages built
on them (outside: 404; consultation only: no action and 403 on POST; service-level users: their services only;
the support desk: what is routed to the support), and the two applications on the Domaines page."""

import pytest
from django.urls import reverse

from chorus.navigation import domaines_de
from organisation.enums import Application, Niveau
from sollicitations import services
from sollicitations.enums import StatutSollicitation
from sollicitations.models import Sollicitation
from tests import outils
from tests.factories import ServiceFactory, StructureFactory, UtilisateurFactory
from tests.sollicitations.conftest import deposer, rattacher

pytestmark = pytest.mark.django_db
S = StatutSollicitation


@pytest.fixture
def jeu(fournisseur_gp, etat, agent_drfip, agent_autre_service, agent_support):
    """Bâtiments Martin's requests: one to DRFIP_IDF, one to FACTURES_PUBLIQUES, one to the support."""
    gp, structure = fournisseur_gp
    return {
        "drfip": deposer(gp, structure, destinataire=etat, objet="Pour la DRFIP"),
        "fp": deposer(gp, structure, destinataire=etat, service="FACTURES_PUBLIQUES", objet="Pour FP"),
        "support": deposer(gp, structure, categorie="RACCORDEMENT", code="EDI", objet="Pour le support"),
    }


def _pks(qs):
    return set(qs.values_list("pk", flat=True))


def test_emises_de_ma_structure(jeu, fournisseur_gp):
    gp, _ = fournisseur_gp
    assert _pks(Sollicitation.objects.emises_par(gp)) == {s.pk for s in jeu.values()}
    assert _pks(Sollicitation.objects.emises_par(UtilisateurFactory())) == set()


def test_recues_a_la_maille_du_service(jeu, agent_drfip, agent_autre_service, agent_support, etat):
    assert _pks(Sollicitation.objects.recues_par(agent_drfip)) == {jeu["drfip"].pk}
    assert _pks(Sollicitation.objects.recues_par(agent_autre_service)) == {jeu["fp"].pk}
    assert _pks(Sollicitation.objects.recues_par(agent_support)) == {jeu["support"].pk}
    toute_la_structure = rattacher(UtilisateurFactory(), etat)
    assert _pks(Sollicitation.objects.recues_par(toute_la_structure)) == {jeu["drfip"].pk, jeu["fp"].pk}


def test_emises_a_la_maille_du_service(etat):
    fournisseur = StructureFactory()
    compta, achats = ServiceFactory(structure=fournisseur, code="COMPTA"), ServiceFactory(structure=fournisseur)
    comptable = rattacher(UtilisateurFactory(), fournisseur, service=compta)
    acheteur = rattacher(UtilisateurFactory(), fournisseur, service=achats)
    de_la_compta = deposer(comptable, fournisseur, destinataire=etat, service_emetteur=compta)
    assert _pks(Sollicitation.objects.emises_par(comptable)) == {de_la_compta.pk}
    assert _pks(Sollicitation.objects.emises_par(acheteur)) == set()


def test_sans_profil_recues_rien(jeu, etat):
    sans_profil = rattacher(UtilisateurFactory(), etat, profils={Application.FACTURES_RECUES: Niveau.MODIFICATION})
    assert _pks(Sollicitation.objects.recues_par(sans_profil)) == set()


# --- Pages: 404 outside, 403 and no button in consultation -----------------------------------------------------


@pytest.mark.parametrize(
    "nom", ["sollicitation_emise", "repondre_sollicitation", "cloturer_sollicitation", "renvoyer_sollicitation"]
)
def test_autre_structure_404(client, jeu, nom):
    autre_gp = UtilisateurFactory()
    rattacher(autre_gp, StructureFactory())
    client.force_login(autre_gp)
    url = reverse(nom, args=[jeu["drfip"].pk])
    response = client.get(url) if nom == "sollicitation_emise" else client.post(url, {"message": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("nom", ["sollicitation_recue", "traiter_sollicitation"])
def test_autre_service_404(client, jeu, agent_autre_service, nom):
    client.force_login(agent_autre_service)
    url = reverse(nom, args=[jeu["drfip"].pk])
    response = client.get(url) if nom == "sollicitation_recue" else client.post(url, {"statut": S.EN_COURS})
    assert response.status_code == 404
    jeu["drfip"].refresh_from_db()
    assert jeu["drfip"].statut == S.A_TRAITER


def test_le_support_ne_voit_pas_les_sollicitations_des_services(client, jeu, agent_support):
    client.force_login(agent_support)
    assert client.get(reverse("sollicitation_recue", args=[jeu["drfip"].pk])).status_code == 404
    assert client.get(reverse("sollicitation_recue", args=[jeu["support"].pk])).status_code == 200


def test_consultation_recues_sans_bouton_et_403(client, jeu, lecteur_etat):
    client.force_login(lecteur_etat)
    page = client.get(reverse("sollicitation_recue", args=[jeu["drfip"].pk]))
    assert page.status_code == 200
    assert "Mise à jour de la sollicitation" not in outils.texte(page)
    assert reverse("traiter_sollicitation", args=[jeu["drfip"].pk]) not in outils.texte(page)
    response = client.post(reverse("traiter_sollicitation", args=[jeu["drfip"].pk]), {"statut": S.EN_COURS})
    assert response.status_code == 403
    jeu["drfip"].refresh_from_db()
    assert jeu["drfip"].statut == S.A_TRAITER


def test_consultation_emises_sans_bouton_et_403(client, jeu, fournisseur_gp, agent_drfip):
    _, structure = fournisseur_gp
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=jeu["drfip"], statut=S.RESOLUE, message="Réponse."
    )
    lecteur = rattacher(
        UtilisateurFactory(), structure, profils={Application.SOLLICITATIONS_EMISES: Niveau.CONSULTATION}
    )
    client.force_login(lecteur)
    page = outils.texte(client.get(reverse("sollicitation_emise", args=[s.pk])))
    assert "Résolue" in page and "Clôturer la sollicitation" not in page and "Renvoyer la sollicitation" not in page
    for nom in ("cloturer_sollicitation", "renvoyer_sollicitation", "repondre_sollicitation"):
        assert client.post(reverse(nom, args=[s.pk]), {"message": "Non."}).status_code == 403
    s.refresh_from_db()
    assert s.statut == S.RESOLUE


def test_un_collegue_de_la_structure_emettrice_peut_agir(client, jeu, fournisseur_gp, agent_drfip):
    """Every user holding « Sollicitations émises » in modification on the sending structure may answer."""
    _, structure = fournisseur_gp
    s = services.traiter_sollicitation(
        acting_user=agent_drfip, sollicitation=jeu["drfip"], statut=S.RESOLUE, message="Réponse."
    )
    collegue = rattacher(UtilisateurFactory(), structure)
    client.force_login(collegue)
    assert client.post(reverse("cloturer_sollicitation", args=[s.pk])).status_code == 302
    s.refresh_from_db()
    assert s.statut == S.CLOTUREE


# --- Domaines ---------------------------------------------------------------------------------------------------


def _applications(user):
    return {a.code for d in domaines_de(user) if d["code"] == "SOLLICITATIONS" for a in d["applications"]}


def test_applications_dans_le_domaine_sollicitations(fournisseur_gp, agent_support, lecteur_etat):
    gp, _ = fournisseur_gp
    assert _applications(gp) == {"SOLLICITATIONS_EMISES", "SOLLICITATIONS_RECUES"}
    assert _applications(agent_support) == {"SOLLICITATIONS_RECUES"}  # the support desk, without a structure
    assert _applications(lecteur_etat) == {"SOLLICITATIONS_RECUES"}
    assert _applications(UtilisateurFactory()) == set()


def test_applications_exigent_un_rattachement_actif(etat):
    user = rattacher(UtilisateurFactory(), etat)
    user.rattachements.update(statut="INACTIF")
    assert _applications(user) == set()


def test_pages_exigent_une_connexion(client):
    for nom in ("sollicitations_emises", "sollicitations_recues", "saisir_sollicitation"):
        response = client.get(reverse(nom))
        assert response.status_code == 302 and response["Location"].startswith(reverse("connexion"))
