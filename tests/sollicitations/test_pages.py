"""The sollicitation's page on each side: the header, exchanges, attachments and history as each side may see them,
and the actions (the receiving side's « Mise à jour de la sollicitation », the sender's answer, « Clôturer »,
« Renvoyer ») with their refusals."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sollicitations import services
from sollicitations.enums import StatutSollicitation
from tests import outils
from tests.factories import siret_aleatoire
from tests.sollicitations.conftest import deposer

pytestmark = pytest.mark.django_db
S = StatutSollicitation


def _options_statut(contenu: str) -> list[str]:
    select = re.search(r'<select name="statut".*?</select>', contenu, re.S).group(0)
    return re.findall(r'<option value="([A-Z_]*)"', select)


@pytest.fixture
def sollicitation(fournisseur_gp, etat, agent_drfip, collegue_drfip):
    gp, structure = fournisseur_gp
    return deposer(gp, structure, destinataire=etat, objet="Paiement de F-1", numero_facture="F-1")


def _traiter(client, s, **donnees):
    return client.post(reverse("traiter_sollicitation", args=[s.pk]), donnees)


def test_page_recue_en_tete_et_formulaire(client, sollicitation, agent_drfip, fournisseur_gp):
    _, structure = fournisseur_gp
    client.force_login(agent_drfip)
    contenu = outils.texte(client.get(reverse("sollicitation_recue", args=[sollicitation.pk])))
    titres = (
        "En-tête de la sollicitation",
        "Information structure émettrice",
        "Information structure destinataire",
        "Description",
        "Historique de sollicitation",
        "Pièces jointes",
        "Mise à jour de la sollicitation",
    )
    for titre in titres:
        assert titre in contenu
    assert f"Désignation de la structure émettrice</dt><dd>{structure.raison_sociale}" in contenu
    assert "Paiement de F-1" in contenu and "F-1" in contenu
    assert _options_statut(contenu) == ["", S.EN_COURS, S.DEMANDE_INFORMATION, S.RESOLUE, S.MAUVAISE_AFFECTATION]
    assert "Paul Collègue" in contenu  # a colleague to assign it to


def test_le_support_reaffecte_au_lieu_de_mauvaise_affectation(client, fournisseur_gp, agent_support):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, categorie="RACCORDEMENT", code="API")
    client.force_login(agent_support)
    contenu = outils.texte(client.get(reverse("sollicitation_recue", args=[s.pk])))
    assert _options_statut(contenu) == ["", S.EN_COURS, S.DEMANDE_INFORMATION, S.RESOLUE, S.REAFFECTEE]
    assert "SIRET de la structure publique" in contenu


def test_valider_sans_statut_affiche_l_erreur_du_portail(client, sollicitation, agent_drfip):
    client.force_login(agent_drfip)
    response = _traiter(client, sollicitation, statut="", message="Une réponse")
    assert response.status_code == 200
    contenu = outils.texte(response)
    assert "La sollicitation n'est pas mise à jour." in contenu
    assert "Le champ « statut » doit obligatoirement être renseigné." in contenu
    assert "Une réponse" in contenu  # what was typed is kept
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER and sollicitation.historique.count() == 1


def test_resolue_sans_reponse_refusee(client, sollicitation, agent_drfip):
    client.force_login(agent_drfip)
    response = _traiter(client, sollicitation, statut=S.RESOLUE, message="")
    assert "Saisissez votre réponse : elle est transmise au déposant." in outils.texte(response)
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER


def test_brouillon_en_cours_invisible_du_deposant(client, sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    client.force_login(agent_drfip)
    note = SimpleUploadedFile("note-interne.txt", "Calcul des pénalités".encode(), content_type="text/plain")
    response = _traiter(client, sollicitation, statut=S.EN_COURS, message="Brouillon secret", pieces=[note])
    assert response.status_code == 302
    suivante = outils.texte(client.get(response["Location"]))
    assert "est prise en charge (« En cours ») : votre brouillon est enregistré." in suivante
    assert "\nBrouillon secret</textarea>" in suivante  # the draft comes back in the form
    assert "(brouillon, non transmise)" in suivante
    piece = sollicitation.pieces_jointes.get()
    url_recue = reverse("piece_jointe_sollicitation_recue", args=[sollicitation.pk, piece.pk])
    telechargement = client.get(url_recue)
    assert telechargement.status_code == 200
    assert b"".join(telechargement.streaming_content) == "Calcul des pénalités".encode()
    assert telechargement["Content-Disposition"].startswith("attachment")

    client.force_login(gp)
    page = outils.texte(client.get(reverse("sollicitation_emise", args=[sollicitation.pk])))
    assert "Brouillon secret" not in page and "note-interne.txt" not in page
    assert "En cours" not in page and ">À traiter</span>" in page
    assert client.get(reverse("piece_jointe_sollicitation_emise", args=[sollicitation.pk, piece.pk])).status_code == 404


def test_parcours_par_les_pages(client, sollicitation, agent_drfip, fournisseur_gp):
    """Demande d'information → the sender's answer → Résolue → Clôturée, through the pages."""
    gp, _ = fournisseur_gp
    client.force_login(agent_drfip)
    _traiter(client, sollicitation, statut=S.DEMANDE_INFORMATION, message="Quel est le numéro d'engagement ?")

    client.force_login(gp)
    page = outils.texte(client.get(reverse("sollicitation_emise", args=[sollicitation.pk])))
    assert "Répondre à la demande d'information" in page and "Quel est le numéro d'engagement ?" in page
    vide = client.post(reverse("repondre_sollicitation", args=[sollicitation.pk]), {"message": ""})
    assert "Votre réponse est obligatoire." in outils.texte(vide)
    piece = SimpleUploadedFile("engagement.pdf", b"%PDF-1.4 engagement", content_type="application/pdf")
    response = client.post(
        reverse("repondre_sollicitation", args=[sollicitation.pk]), {"message": "EJ-0042", "pieces": [piece]}
    )
    assert response.status_code == 302
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER

    client.force_login(agent_drfip)
    page = outils.texte(client.get(reverse("sollicitation_recue", args=[sollicitation.pk])))
    assert "EJ-0042" in page and "engagement.pdf" in page
    _traiter(client, sollicitation, statut=S.RESOLUE, message="La facture est payée le 12 juin.")

    client.force_login(gp)
    page = outils.texte(client.get(reverse("sollicitation_emise", args=[sollicitation.pk])))
    assert "Clôturer la sollicitation" in page and "La facture est payée le 12 juin." in page
    response = client.post(reverse("cloturer_sollicitation", args=[sollicitation.pk]))
    page = outils.texte(client.get(response["Location"]))
    assert f"La sollicitation {sollicitation.numero} est clôturée." in page
    assert ">Clôturée</span>" in page and "Clôturer la sollicitation" not in page
    historique = re.findall(r'<tr data-testid="historique">(.*?)</tr>', page, re.S)
    assert len(historique) == 5  # déposée, demande d'information, réponse, résolue, clôturée
    assert "Résolue → Clôturée" in historique[0] and "Réponse acceptée par le déposant" in historique[0]
    assert "Sophie Durand (Service destinataire)" in historique[1]
    assert "La facture est payée le 12 juin." in historique[1]


def test_renvoyer_sans_explication_refuse_puis_renvoyee(client, sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="Ok")
    client.force_login(gp)
    response = client.post(reverse("renvoyer_sollicitation", args=[sollicitation.pk]), {"message": " "})
    assert "Expliquez pourquoi la réponse ne vous convient pas." in outils.texte(response)
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.RESOLUE
    response = client.post(reverse("renvoyer_sollicitation", args=[sollicitation.pk]), {"message": "Rien reçu."})
    assert response.status_code == 302
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.A_TRAITER


def test_quelqu_un_a_agi_avant_vous_par_la_page(client, sollicitation, agent_drfip, collegue_drfip):
    services.traiter_sollicitation(
        acting_user=collegue_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="Déjà répondu."
    )
    client.force_login(agent_drfip)
    response = _traiter(client, sollicitation, statut=S.DEMANDE_INFORMATION, message="?")
    assert response.status_code == 302
    page = outils.texte(client.get(response["Location"]))
    assert "est au statut « Résolue », qui ne permet pas de la passer au statut « Demande d'information »" in page
    sollicitation.refresh_from_db()
    assert sollicitation.statut == S.RESOLUE


def test_cloturer_deux_fois(client, sollicitation, agent_drfip, fournisseur_gp):
    gp, _ = fournisseur_gp
    services.traiter_sollicitation(acting_user=agent_drfip, sollicitation=sollicitation, statut=S.RESOLUE, message="Ok")
    client.force_login(gp)
    client.post(reverse("cloturer_sollicitation", args=[sollicitation.pk]))
    response = client.post(reverse("cloturer_sollicitation", args=[sollicitation.pk]), follow=True)
    assert "Action impossible" in outils.texte(response)
    assert sollicitation.historique.filter(statut=S.CLOTUREE).count() == 1


def test_mauvaise_affectation_par_la_page(client, sollicitation, agent_drfip, agent_support):
    client.force_login(agent_drfip)
    response = _traiter(client, sollicitation, statut=S.MAUVAISE_AFFECTATION, message="Pas pour nous.")
    assert response["Location"] == reverse("sollicitations_recues")  # no longer the service's
    page = outils.texte(client.get(response["Location"]))
    assert f"La sollicitation {sollicitation.numero} est transférée au support Chorus Pro." in page
    client.force_login(agent_support)
    contenu = outils.texte(client.get(reverse("sollicitations_recues")))
    assert sollicitation.numero in contenu
    detail = outils.texte(client.get(reverse("sollicitation_recue", args=[sollicitation.pk])))
    assert "Support Chorus Pro" in detail and "Adressée initialement à</dt><dd>ETAT / DRFIP_IDF" in detail


def test_reaffecter_par_la_page(client, fournisseur_gp, etat, agent_support, agent_drfip):
    gp, structure = fournisseur_gp
    s = deposer(gp, structure, categorie="AUTRE", code="AUTRE_DEMANDE")
    client.force_login(agent_support)
    sans_service = _traiter(client, s, statut=S.REAFFECTEE, siret_reaffectation=etat.identifiant)
    assert "Le service destinataire est obligatoire pour cette structure." in outils.texte(sans_service)
    inconnu = _traiter(client, s, statut=S.REAFFECTEE, siret_reaffectation=siret_aleatoire())
    assert "Aucune structure n'existe avec ce SIRET sur Chorus Pro." in outils.texte(inconnu)
    service = etat.services.get(code="DRFIP_IDF")
    response = _traiter(
        client, s, statut=S.REAFFECTEE, siret_reaffectation=etat.identifiant, service_reaffectation=service.pk
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.au_support, s.service_destinataire) == (False, service)
