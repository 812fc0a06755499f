"""The supplier's invoice page states why the invoice waits for them and offers « Poser une question », a
sollicitation pre-filled with the invoice; the received sollicitations list has an « Objet » column (issue 14
item 13)."""

import html
import re
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from facturation.enums import MotifSuspension, StatutFacture
from facturation.services import destinataire as services_destinataire
from tests import outils
from tests.factories import UtilisateurFactory
from tests.facturation.factories import FactureFactory
from tests.sollicitations.conftest import deposer, rattacher

S = StatutFacture


def _suspendue(fournisseur_gp, etat):
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-SUSP", envoyer=True)
    agent = rattacher(UtilisateurFactory(), etat, profils={"FACTURES_RECUES": "modification"})
    motif = MotifSuspension.choices[0]
    services_destinataire.traiter_facture_recue(
        acting_user=agent,
        facture=facture,
        statut=S.SUSPENDUE,
        motif=motif[0],
        commentaire="Joindre le PV.",
        statut_vu=facture.statut,
    )
    facture.refresh_from_db()
    assert facture.statut == S.SUSPENDUE
    return facture, motif[1]


def _lien_question(contenu):
    (lien,) = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>Poser une question</a>', contenu)
    return html.unescape(lien)


def test_le_fournisseur_lit_le_motif_en_haut_et_pose_une_question_pre_remplie(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture, libelle_motif = _suspendue(fournisseur_gp, etat)
    client.force_login(gp)
    contenu = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    raison = re.search(r'data-testid="raison-statut">(.*?)</div>', contenu, re.S).group(1)
    assert f"Motif de la suspension : {libelle_motif}" in raison
    assert "Compléments d'information : Joindre le PV." in raison
    assert contenu.index('data-testid="raison-statut"') < contenu.index("Historique des statuts")

    lien = _lien_question(contenu)
    assert urlsplit(lien).path == reverse("saisir_sollicitation")
    assert parse_qs(urlsplit(lien).query) == {
        "structure_emettrice": [str(structure.pk)],
        "sous_categorie": ["SUIVI_TRAITEMENT"],
        "siret_destinataire": [etat.identifiant],
        "service_destinataire": ["DRFIP_IDF"],
        "numero_facture": ["F-SUSP"],
        "objet": ["Facture F-SUSP"],
    }
    form = client.get(lien).context["form"]
    drfip = etat.services.get(code="DRFIP_IDF")
    assert form["sous_categorie"].value() == form.fields["sous_categorie"].queryset.get(code="SUIVI_TRAITEMENT").pk
    assert form["categorie"].value() == form.fields["sous_categorie"].queryset.first().categorie_id
    assert (form["siret_destinataire"].value(), form["service_destinataire"].value()) == (etat.identifiant, drfip.pk)
    assert (form["numero_facture"].value(), form["objet"].value()) == ("F-SUSP", "Facture F-SUSP")
    assert form["structure_emettrice"].value() == str(structure.pk)


def test_une_valeur_inconnue_du_pre_remplissage_est_ignoree(client, fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    client.force_login(gp)
    reponse = client.get(
        reverse("saisir_sollicitation"),
        {"sous_categorie": "INCONNUE", "siret_destinataire": "123", "service_destinataire": "X' OR 1=1"},
    )
    assert reponse.status_code == 200
    form = reponse.context["form"]
    assert form["sous_categorie"].value() is None and form["service_destinataire"].value() is None


def test_sans_motif_ni_profil_sollicitations_ni_bandeau_ni_bouton(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, numero="F-OK", envoyer=True)
    lecteur = UtilisateurFactory()
    rattacher(lecteur, structure, profils={"FACTURES_EMISES": "consultation"})
    client.force_login(lecteur)
    contenu = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    assert "raison-statut" not in contenu and "Poser une question" not in contenu
    client.force_login(gp)  # an invoice in the recipient's hands: a question, but no motif to show
    contenu = outils.texte(client.get(reverse("facture_emise", args=[facture.pk])))
    assert "raison-statut" not in contenu and "Poser une question" in contenu


def test_la_structure_d_un_autre_fournisseur_ne_voit_pas_la_facture(client, fournisseur_gp, etat):
    facture, _ = _suspendue(fournisseur_gp, etat)
    autre = rattacher(UtilisateurFactory(), etat)  # the recipient's user, not the supplier's
    client.force_login(autre)
    assert client.get(reverse("facture_emise", args=[facture.pk])).status_code == 404


def test_les_sollicitations_recues_ont_une_colonne_objet(client, fournisseur_gp, etat, agent_drfip):
    gp, structure = fournisseur_gp
    deposer(gp, structure, destinataire=etat, objet="Facture F-SUSP")
    client.force_login(agent_drfip)
    contenu = outils.texte(client.get(reverse("sollicitations_recues")))
    assert '<th scope="col">Numéro de la sollicitation</th><th scope="col">Objet</th>' in contenu
    assert "<td>Facture F-SUSP</td>" in contenu
