"""« Factures de travaux », the piece and its dossier: « Suivi de traitement », each action through the page for the
right actor, the same POST refused for the wrong actor / a consultation profile / someone outside the dossier, the
downloads, and « Consultation d'un dossier de facturation » with the payment clock."""

from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturation import services as facturation_services
from facturation.enums import Cadre, StatutFacture
from tests import historique
from tests.factories import utilisateur_de
from tests.travaux.factories import acteur, deposer_initial, deposer_suite, dossier, pdf, saisie
from travaux import services
from travaux.models import HistoriquePiece, PieceJointeTravaux, PieceTravaux
from travaux.statuts import StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def a4(acteurs):
    return deposer_initial(acteurs["fournisseur"], cadre=Cadre.A4, moe=acteurs["moe"][1], moa=acteurs["moa"][1])


@pytest.fixture
def lecteur_moe(acteurs):
    """A second user of the MOE's structure, holding « Factures de travaux » in consultation only."""
    return utilisateur_de(acteurs["moe"][1], profils={"FACTURES_TRAVAUX": "consultation"})


@pytest.fixture
def etranger():
    return acteur("ENTREPRISE ETRANGERE AU DOSSIER")[0]


def _messages(reponse) -> str:
    """What the user reads after a POST: the flash messages of the redirect, or the page shown again (400) when the
    input was refused."""
    if reponse.status_code == 400:
        return unescape(reponse.content.decode())
    assert reponse.status_code == 302, reponse.status_code
    return " ".join(str(m) for m in get_messages(reponse.wsgi_request))


def _lire(reponse) -> bytes:
    """The body of a download (consumed, so the served file is closed)."""
    return b"".join(reponse.streaming_content) if reponse.streaming else reponse.content


def _agir(client, user, piece, action, **donnees):
    client.force_login(user)
    return client.post(reverse("travaux_action", args=[piece.pk, action]), donnees)


def _etat(piece):
    piece.refresh_from_db()
    return piece.statut, piece.historique.count()


# --- « Suivi de traitement » -------------------------------------------------------------------------------------


def test_page_suivi_montre_cadre_acteurs_references_montants_et_historique(client, acteurs, a4):
    client.force_login(acteurs["moe"][0])
    reponse = client.get(reverse("travaux_piece", args=[a4.pk]))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "A4 – Projet de décompte mensuel déposé par un fournisseur" in html
    assert "Mise à disposition de la MOE" in html
    assert a4.dossier.numero in html and reverse("travaux_dossier", args=[a4.dossier_id]) in html
    for nom in ("CEGELEC PERPIGNAN", "MB INGENIERIE", "ACADEMIE DE MONTPELLIER", "M-2026-042", a4.numero):
        assert nom in html
    assert "1\u202f000,00\u00a0€" in html and "1\u202f200,00\u00a0€" in html
    # The buttons of issue item 4.
    for libelle in (
        "Suivi de traitement",
        "Dossier de facturation",
        "Refuser",
        "Suspendre",
        "Télécharger",
        "Visualiser",
    ):
        assert libelle in html
    assert reverse("travaux_telecharger", args=[a4.pk]) in html
    assert reverse("travaux_visualiser", args=[a4.pk]) in html
    # The dated history: Brouillon, Déposée, Mise à disposition de la MOE, with who acted in which role.
    assert html.count('data-testid="historique"') == 3
    assert "Brouillon" in html and "Déposée" in html
    assert acteurs["fournisseur"][0].get_full_name() in html


def test_page_suivi_montre_le_recapitulatif_tva(client, acteurs):
    f = acteurs["fournisseur"]
    detail = (
        {"taux": "20", "base_ht": "600.00", "montant_tva": "120.00"},
        {"taux": "5.5", "base_ht": "400.00", "montant_tva": "22.00"},
    )
    piece = services.deposer(
        acting_user=f[0],
        cadre=Cadre.A4,
        deposant=f[1],
        fichier=services.lire_fichier(pdf(), "a4.pdf"),
        saisie=saisie(tva="142.00", detail_tva=detail),
        acteurs=services.Acteurs(fournisseur=f[1], moe=acteurs["moe"][1], moa=acteurs["moa"][1]),
    )
    client.force_login(f[0])
    html = client.get(reverse("travaux_piece", args=[piece.pk])).content.decode()
    tableau = html[html.index('data-testid="recapitulatif-tva"') : html.index('data-testid="montants"')]
    assert tableau.count("<tr>") == 3  # head and two rates
    for texte in ("20 %", "600,00\u00a0€", "120,00\u00a0€", "5.5 %", "400,00\u00a0€", "22,00\u00a0€"):
        assert texte in tableau, texte
    assert "1\u202f142,00\u00a0€" in html


def test_lien_piece_suivante_pour_le_role_qui_la_depose(client, acteurs, a4):
    lien = f"{reverse('travaux_deposer')}?suite={a4.pk}"
    client.force_login(acteurs["moe"][0])
    assert lien in client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    client.force_login(acteurs["fournisseur"][0])
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    assert lien not in html and "Déposer la pièce suivante" not in html
    assert reverse("travaux_action", args=[a4.pk, "refuser"]) not in html


def test_profil_consultation_ne_voit_aucune_action(client, acteurs, a4, lecteur_moe):
    client.force_login(lecteur_moe)
    reponse = client.get(reverse("travaux_piece", args=[a4.pk]))
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert 'data-testid="actions-piece"' not in html
    assert f"/factures-travaux/pieces/{a4.pk}/prendre-en-compte/" not in html
    assert "Déposer la pièce suivante" not in html and "Prendre en compte" not in html
    # The same page for the MOE's user in modification offers them.
    client.force_login(acteurs["moe"][0])
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    assert 'data-testid="actions-piece"' in html and "Prendre en compte" in html


def test_acteur_hors_dossier_404_sur_chaque_page_et_telechargement(client, acteurs, etranger):
    pj = ("bordereau.pdf", pdf("Bordereau"), "Bordereau")
    piece = services.deposer(
        acting_user=acteurs["fournisseur"][0],
        cadre=Cadre.A4,
        deposant=acteurs["fournisseur"][1],
        fichier=services.lire_fichier(pdf(), "a4.pdf"),
        saisie=saisie(),
        acteurs=services.Acteurs(fournisseur=acteurs["fournisseur"][1], moe=acteurs["moe"][1], moa=acteurs["moa"][1]),
        pieces_jointes=[pj],
    )
    jointe = piece.pieces_jointes.get()
    urls = [
        reverse("travaux_piece", args=[piece.pk]),
        reverse("travaux_dossier", args=[piece.dossier_id]),
        reverse("travaux_telecharger", args=[piece.pk]),
        reverse("travaux_visualiser", args=[piece.pk]),
        reverse("travaux_piece_jointe", args=[piece.pk, jointe.pk]),
    ]
    client.force_login(etranger)
    for url in urls:
        assert client.get(url).status_code == 404, url
    # The dossier's actors reach every one of them.
    client.force_login(acteurs["moa"][0])
    for url in urls:
        reponse = client.get(url)
        _lire(reponse)
        assert reponse.status_code == 200, url
    piece.refresh_from_db()
    assert piece.telechargee_le is None  # only the actor the piece was sent to marks it downloaded


def test_telecharger_marque_telechargee_et_sert_le_pdf_sans_cache(client, acteurs, a4):
    client.force_login(acteurs["fournisseur"][0])
    reponse = client.get(reverse("travaux_telecharger", args=[a4.pk]))
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    _lire(reponse)
    a4.refresh_from_db()
    assert a4.telechargee_le is None  # its depositor downloading it does not count
    client.force_login(acteurs["moe"][0])
    reponse = client.get(reverse("travaux_telecharger", args=[a4.pk]))
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert reponse["Cache-Control"] == "no-store"
    assert _lire(reponse).startswith(b"%PDF")
    a4.refresh_from_db()
    assert a4.telechargee_le is not None
    visu = client.get(reverse("travaux_visualiser", args=[a4.pk]))
    assert visu["Content-Disposition"].startswith("inline;") and visu["Cache-Control"] == "no-store"
    assert _lire(visu).startswith(b"%PDF")


# --- Each action through the page, for the right actor ----------------------------------------------------------


def test_moe_prend_en_compte(client, acteurs, a4):
    reponse = _agir(client, acteurs["moe"][0], a4, "prendre-en-compte")
    assert reponse.status_code == 302 and reponse.url == reverse("travaux_piece", args=[a4.pk])
    a4.refresh_from_db()
    assert a4.statut == S.PRISE_EN_COMPTE_MOE
    dernier = a4.historique.order_by("-created_at", "-id").first()
    assert dernier.statut == S.PRISE_EN_COMPTE_MOE and dernier.acting_user == acteurs["moe"][0]
    assert "Prise en compte MOE" in _messages(reponse)


def test_moe_refuse_pour_erreur_d_acheminement_et_le_motif_s_affiche(client, acteurs, a4):
    reponse = _agir(
        client, acteurs["moe"][0], a4, "refuser", motif=services.MOTIF_ACHEMINEMENT, commentaire="Pas notre marché"
    )
    assert reponse.status_code == 302
    a4.refresh_from_db()
    assert a4.statut == S.ERREUR_FOURNISSEUR_SUR_MOE
    client.force_login(acteurs["fournisseur"][0])
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    assert "Refusée par la MOE pour erreur dans les données d&#x27;acheminement" in html
    assert "Erreur dans les données d&#x27;acheminement" in html and "Pas notre marché" in html
    alerte = html[html.index('data-testid="motif-courant"') : html.index('aria-label="Actions sur la pièce"')]
    assert "Motif : Erreur dans les données d&#x27;acheminement" in alerte and "Pas notre marché" in alerte
    # The fournisseur may now correct the routing.
    assert reverse("travaux_action", args=[a4.pk, "corriger-acheminement"]) in html


def test_moe_ne_refuse_pas_pour_autre_motif_ni_sans_commentaire(client, acteurs, a4):
    avant = _etat(a4)
    reponse = _agir(client, acteurs["moe"][0], a4, "refuser", motif=services.MOTIF_AUTRE, commentaire="Trop cher")
    assert reponse.status_code == 400
    assert "Motifs possibles : Erreur dans les données d'acheminement" in _messages(reponse)
    # The page again: the message in the refusal form, what was typed kept.
    html = unescape(reponse.content.decode())
    formulaire = html[html.index('data-testid="form-refuser"') :]
    assert "fr-fieldset--error" in formulaire[:600] and "Trop cher</textarea>" in formulaire
    reponse = _agir(client, acteurs["moe"][0], a4, "refuser", motif=services.MOTIF_ACHEMINEMENT, commentaire=" ")
    assert "Précisez le motif du refus." in _messages(reponse)
    assert _etat(a4) == avant


def test_les_champs_des_actions_gardent_leurs_id_et_leurs_aides_liees(client, acteurs):
    """The fields are rendered by their forms (``travaux/forms/actions.py``) with the ids the page always had; each
    hint is named by its field's ``aria-describedby``, and the name of a structure in a hint is escaped."""
    acteurs["moe"] = acteur("MOE <i>Piège</i> & Cie")
    (a4,) = dossier(acteurs, etape=Cadre.A4)
    client.force_login(acteurs["moe"][0])
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    for champ in ("refus-motif", "refus-commentaire", "suspension-commentaire", "instructeur"):
        assert f'for="{champ}"' in html and f'id="{champ}"' in html, champ
    assert 'aria-describedby="refus-commentaire_helptext"' in html and 'id="refus-commentaire_helptext"' in html
    assert "fr-input-group--error" not in html and "fr-fieldset--error" not in html
    services.refuser(
        acting_user=acteurs["moe"][0], piece=a4, motif=services.MOTIF_ACHEMINEMENT, commentaire="Mauvaise MOE"
    )
    client.force_login(acteurs["fournisseur"][0])
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    assert '<input type="text" name="siret" inputmode="numeric" maxlength="17" required class="fr-input"' in html
    assert 'id="correction-siret_helptext">14 chiffres ; elle remplace MOE &lt;i&gt;Piège&lt;/i&gt; &amp; Cie' in html
    assert "<i>Piège</i>" not in html


def test_moe_suspend_puis_le_fournisseur_complete_avec_une_piece_jointe(client, acteurs, a4):
    reponse = _agir(client, acteurs["moe"][0], a4, "suspendre", commentaire="")
    assert "Indiquez les informations manquantes." in _messages(reponse)
    assert a4.historique.count() == 3
    _agir(client, acteurs["moe"][0], a4, "suspendre", commentaire="Il manque l'attachement")
    a4.refresh_from_db()
    assert a4.statut == S.SUSPENDUE
    client.force_login(acteurs["fournisseur"][0])
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    assert "Il manque l&#x27;attachement" in html and "form-completer" in html

    fichier = SimpleUploadedFile("attachement.pdf", pdf("Attachement"), content_type="application/pdf")
    reponse = _agir(
        client,
        acteurs["fournisseur"][0],
        a4,
        "completer",
        commentaire="Attachement joint",
        designation="Attachement",
        piece_jointe=fichier,
    )
    assert reponse.status_code == 302
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE
    jointe = PieceJointeTravaux.objects.get(piece=a4)
    assert jointe.designation == "Attachement"
    client.force_login(acteurs["moe"][0])
    reponse = client.get(reverse("travaux_piece_jointe", args=[a4.pk, jointe.pk]))
    assert reponse.status_code == 200 and reponse["Cache-Control"] == "no-store"
    assert _lire(reponse).startswith(b"%PDF")
    assert reponse["Content-Disposition"].startswith("attachment;")
    html = client.get(reverse("travaux_piece", args=[a4.pk])).content.decode()
    assert "Attachement joint" in html and reverse("travaux_piece_jointe", args=[a4.pk, jointe.pk]) in html


def test_completer_avec_un_fichier_interdit_ne_change_rien(client, acteurs):
    (a4,) = dossier(acteurs, etape=Cadre.A4, puis="suspendre")
    avant = _etat(a4)
    fichier = SimpleUploadedFile("script.exe", b"MZ...", content_type="application/octet-stream")
    reponse = _agir(client, acteurs["fournisseur"][0], a4, "completer", commentaire="Voici", piece_jointe=fichier)
    assert "Extension non autorisée" in _messages(reponse)
    assert _etat(a4) == avant and not PieceJointeTravaux.objects.exists()


def test_titulaire_valide_la_piece_du_sous_traitant(client, acteurs):
    sous_traitant, titulaire = acteur("SOUS-TRAITANT SARL"), acteur("TITULAIRE SA")
    a10 = deposer_initial(
        sous_traitant, cadre=Cadre.A10, validateur=titulaire[1], moe=acteurs["moe"][1], moa=acteurs["moa"][1]
    )
    a10.refresh_from_db()
    assert a10.statut == S.A_VALIDER_1
    # The MOE cannot validate it: it does not wait for the MOE yet.
    reponse = _agir(client, acteurs["moe"][0], a10, "valider")
    assert "n'est pas possible" in _messages(reponse)
    a10.refresh_from_db()
    assert a10.statut == S.A_VALIDER_1
    _agir(client, titulaire[0], a10, "valider")
    a10.refresh_from_db()
    assert a10.statut == S.MISE_A_DISPOSITION_MOE and a10.recevant == acteurs["moe"][1]
    assert historique.statuts(a10)[-2:] == [
        S.VALIDEE_1,
        S.MISE_A_DISPOSITION_MOE,
    ]


def test_fournisseur_corrige_l_acheminement_par_siret(client, acteurs):
    (a4,) = dossier(acteurs, etape=Cadre.A4, puis="refuser")
    bonne_moe = acteur("BONNE MOE")
    avant = _etat(a4)
    reponse = _agir(client, acteurs["fournisseur"][0], a4, "corriger-acheminement", siret="123")
    assert "Indiquez le SIRET de la structure (14 chiffres)." in _messages(reponse)
    reponse = _agir(client, acteurs["fournisseur"][0], a4, "corriger-acheminement", siret="99999999999999")
    assert "Aucune structure n'a le SIRET 99999999999999" in _messages(reponse)
    assert _etat(a4) == avant
    reponse = _agir(client, acteurs["fournisseur"][0], a4, "corriger-acheminement", siret=bonne_moe[1].identifiant)
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE and a4.recevant == bonne_moe[1]
    assert a4.dossier.moe == bonne_moe[1]
    assert "BONNE MOE" in a4.regle_acheminement


def test_moe_affecte_un_instructeur(client, acteurs, a4):
    _agir(client, acteurs["moe"][0], a4, "affecter-instructeur", instructeur="J. FORIN")
    a4.refresh_from_db()
    assert a4.instructeur == "J. FORIN" and a4.statut == S.MISE_A_DISPOSITION_MOE
    reponse = _agir(client, acteurs["fournisseur"][0], a4, "affecter-instructeur", instructeur="Moi")
    assert "n'est pas possible" in _messages(reponse)
    a4.refresh_from_db()
    assert a4.instructeur == "J. FORIN"


def test_brouillon_lie_a_la_confirmation_et_se_supprime(client, acteurs):
    brouillon = deposer_initial(
        acteurs["fournisseur"], cadre=Cadre.A4, moe=acteurs["moe"][1], moa=acteurs["moa"][1], brouillon=True
    )
    client.force_login(acteurs["fournisseur"][0])
    html = client.get(reverse("travaux_piece", args=[brouillon.pk])).content.decode()
    assert reverse("travaux_confirmer", args=[brouillon.pk]) in html and "Supprimer le brouillon" in html
    # The MOE does not see a draft at all; its POST is a 404.
    reponse = _agir(client, acteurs["moe"][0], brouillon, "supprimer")
    assert reponse.status_code == 404
    reponse = _agir(client, acteurs["fournisseur"][0], brouillon, "supprimer")
    assert "Le brouillon" in _messages(reponse)
    brouillon.refresh_from_db()
    assert brouillon.statut == S.ABANDONNEE
    # Deleting twice: refused, nothing more in the history.
    n = brouillon.historique.count()
    reponse = _agir(client, acteurs["fournisseur"][0], brouillon, "supprimer")
    assert "n'est pas possible" in _messages(reponse) and brouillon.historique.count() == n


def test_fournisseur_refuse_le_decompte_general_pour_autre_motif(client, acteurs):
    f, moa = acteurs["fournisseur"], acteurs["moa"]
    *_, a20 = dossier(acteurs, etape=Cadre.A20)
    client.force_login(f[0])
    html = client.get(reverse("travaux_piece", args=[a20.pk])).content.decode()
    assert '<option value="AUTRE">Autre motif</option>' in html
    assert f"{reverse('travaux_deposer')}?suite={a20.pk}" in html  # the A8, décompte général signé
    _agir(client, f[0], a20, "refuser", motif=services.MOTIF_AUTRE, commentaire="Montant contesté")
    a20.refresh_from_db()
    assert a20.statut == S.REFUSEE_FOURNISSEUR
    client.force_login(moa[0])
    html = client.get(reverse("travaux_piece", args=[a20.pk])).content.decode()
    assert "Refusée par le fournisseur pour autre motif" in html and "Montant contesté" in html
    assert 'data-testid="motif-courant"' in html


def test_piece_payable_mene_a_factures_recues_pour_qui_y_a_le_profil(client, acteurs):
    from organisation.services import definir_profils

    f, moa = acteurs["fournisseur"], acteurs["moa"]
    *_, a19 = dossier(acteurs, etape=Cadre.A19)
    a19.refresh_from_db()
    lien = reverse("facture_recue", args=[a19.facture_id])
    client.force_login(moa[0])
    assert lien not in client.get(reverse("travaux_piece", args=[a19.pk])).content.decode()
    definir_profils(utilisateur=moa[0], structure=moa[1], profils={"FACTURES_RECUES": "modification"})
    html = client.get(reverse("travaux_piece", args=[a19.pk])).content.decode()
    assert lien in html and "Traiter la facture dans « Factures reçues »" in html
    client.force_login(f[0])
    assert lien not in client.get(reverse("travaux_piece", args=[a19.pk])).content.decode()


# --- The same POST by the wrong actor, a consultation profile, someone outside ------------------------------------

ACTIONS_MOE = [
    ("prendre-en-compte", {}),
    ("refuser", {"motif": "ACHEMINEMENT", "commentaire": "Erreur"}),
    ("suspendre", {"commentaire": "Manque"}),
    ("affecter-instructeur", {"instructeur": "X"}),
]


@pytest.mark.parametrize(("action", "donnees"), ACTIONS_MOE)
def test_action_du_moe_refusee_au_fournisseur(client, acteurs, a4, action, donnees):
    avant = _etat(a4)
    reponse = _agir(client, acteurs["fournisseur"][0], a4, action, **donnees)
    assert reponse.status_code == 302
    assert "n'est pas possible pour votre structure" in _messages(reponse)
    assert _etat(a4) == avant and a4.instructeur == ""


@pytest.mark.parametrize(("action", "donnees"), ACTIONS_MOE)
def test_action_refusee_au_profil_consultation(client, a4, lecteur_moe, action, donnees):
    avant = _etat(a4)
    reponse = _agir(client, lecteur_moe, a4, action, **donnees)
    assert "est en consultation" in _messages(reponse)
    assert _etat(a4) == avant and a4.instructeur == ""


@pytest.mark.parametrize(
    ("action", "donnees"), [("completer", {"commentaire": "Voici"}), ("corriger-acheminement", {"siret": "x"})]
)
def test_action_du_deposant_refusee_au_moe_au_lecteur_et_hors_dossier(
    client, acteurs, a4, lecteur_moe, etranger, action, donnees
):
    services.suspendre(acting_user=acteurs["moe"][0], piece=a4, commentaire="Manque")
    if action == "corriger-acheminement":
        # A piece refused for its routing: its depositor's to correct.
        services.completer(acting_user=acteurs["fournisseur"][0], piece=a4, commentaire="Voici")
        services.refuser(
            acting_user=acteurs["moe"][0], piece=a4, motif=services.MOTIF_ACHEMINEMENT, commentaire="Mauvaise MOE"
        )
    avant = _etat(a4)
    assert "n'est pas possible pour votre structure" in _messages(
        _agir(client, acteurs["moe"][0], a4, action, **donnees)
    )
    assert "est en consultation" in _messages(_agir(client, lecteur_moe, a4, action, **donnees))
    assert _agir(client, etranger, a4, action, **donnees).status_code == 404
    assert _etat(a4) == avant and a4.dossier.moe == acteurs["moe"][1]


@pytest.mark.parametrize(("action", "donnees"), ACTIONS_MOE)
def test_action_hors_dossier_404(client, a4, etranger, action, donnees):
    avant = _etat(a4)
    assert _agir(client, etranger, a4, action, **donnees).status_code == 404
    assert _etat(a4) == avant


def test_action_inconnue_ou_en_get_ne_change_rien(client, acteurs, a4):
    avant = _etat(a4)
    reponse = _agir(client, acteurs["moe"][0], a4, "valider-et-payer")
    assert "Cette action n'existe pas" in _messages(reponse)
    assert client.get(reverse("travaux_action", args=[a4.pk, "prendre-en-compte"])).status_code == 405
    assert _etat(a4) == avant


def test_action_sur_une_piece_deja_traitee_refusee(client, acteurs, a4):
    _agir(client, acteurs["moe"][0], a4, "prendre-en-compte")
    avant = _etat(a4)
    reponse = _agir(client, acteurs["moe"][0], a4, "prendre-en-compte")
    assert "« Prendre en compte » n'est pas possible" in _messages(reponse) and "Prise en compte MOE" in _messages(
        reponse
    )
    assert _etat(a4) == avant


# --- « Pour le compte de » -------------------------------------------------------------------------------------


def test_depot_pour_le_compte_d_un_acteur_sans_compte_affiche(client, acteurs):
    moe_sans_compte = acteur("MOE SANS COMPTE", niveau=None)
    f = acteurs["fournisseur"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe_sans_compte[1], moa=acteurs["moa"][1])
    a15 = deposer_suite(f, a4, cadre=Cadre.A15)
    assert a15.pour_le_compte_de == moe_sans_compte[1]
    client.force_login(f[0])
    html = client.get(reverse("travaux_piece", args=[a15.pk])).content.decode()
    assert "pour le compte de MOE SANS COMPTE" in html
    html = client.get(reverse("travaux_dossier", args=[a15.dossier_id])).content.decode()
    assert "pour le compte de MOE SANS COMPTE" in html


# --- « Consultation d'un dossier de facturation » -----------------------------------------------------------------


@pytest.fixture
def chaine_datee(acteurs):
    """A4 on 2026-03-02 10:00, taken on the 3rd, A15 on the 4th, A19 on the 6th (Paris time)."""
    return dossier(
        acteurs,
        etape=Cadre.A19,
        pris_en_compte=[Cadre.A4],
        numeros=["20260001", "EA1-20260001", "F001-LOT04"],
        dates=[
            datetime(2026, 3, 2, 10, 0, 5, tzinfo=PARIS),
            datetime(2026, 3, 3, 9, 30, tzinfo=PARIS),
            datetime(2026, 3, 4, 14, 15, tzinfo=PARIS),
            datetime(2026, 3, 6, 11, 0, tzinfo=PARIS),
        ],
    )


def test_dossier_liste_chaque_piece_avec_ses_statuts_dates_et_l_horloge(client, acteurs, chaine_datee):
    a4, a15, a19 = chaine_datee
    client.force_login(acteurs["moe"][0])
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=PARIS), tick=False):
        reponse = client.get(reverse("travaux_dossier", args=[a4.dossier_id]))
    assert reponse.status_code == 200
    html = unescape(reponse.content.decode())
    assert "Consultation d'un dossier de facturation" in html
    assert f"Pièces du dossier de facturation n° {a4.dossier.numero}" in html
    assert html.count('data-testid="piece-dossier"') == 3
    # Latest piece first, each with its current status and every dated status.
    assert html.index("F001-LOT04") < html.index("EA1-20260001") < html.index("- N° 20260001")
    assert "A19 – État d'acompte validé déposé par une MOA - N° F001-LOT04" in html
    assert "Mise à disposition du destinataire" in html
    for horodatage in (
        "02/03/2026 10:00:05",  # A4: Brouillon, Déposée, Mise à disposition de la MOE
        "03/03/2026 09:30:00",  # A4: Prise en compte MOE
        "04/03/2026 14:15:00",  # A4: Associée; A15: Brouillon, Déposée, Mise à disposition de la MOA
        "06/03/2026 11:00:00",  # A15: Associée; A19 deposited
    ):
        assert horodatage in html, horodatage
    assert html.count('data-testid="historique"') == (
        HistoriquePiece.objects.filter(objet__dossier=a4.dossier).count()
        # The invoice's own deposit and mise à disposition repeat the piece's rows: only its later ones are shown.
        + a19.facture.historique.exclude(statut__in=["BROUILLON", "DEPOSEE", "MISE_A_DISPOSITION"]).count()
    )
    assert html.count("<td>Mise à disposition du destinataire</td>") == 1
    # The rule that routed each piece (the MOA option read at routing time).
    assert html.count('data-testid="regle-acheminement"') == 3 and "avec MOA" in html
    # The payment clock: 30 days from the A4's mise à disposition of the MOE, 14 days left on 20 March.
    assert "30 jours" in html
    assert "02/03/2026 à 10:00" in html  # début
    assert "01/04/2026" in html  # date limite
    assert "09/03/2026" in html  # délai de traitement de la MOE (7 jours)
    assert 'data-testid="horloge-jours">12 jours<' in html
    assert 'data-testid="en-retard"' not in html


def test_dossier_en_retard_puis_mise_en_paiement(client, acteurs, chaine_datee):
    a4, _a15, a19 = chaine_datee
    client.force_login(acteurs["fournisseur"][0])
    url = reverse("travaux_dossier", args=[a4.dossier_id])
    with time_machine.travel(datetime(2026, 4, 5, 12, 0, tzinfo=PARIS), tick=False):
        html = client.get(url).content.decode()
    assert (
        'data-testid="horloge-jours">-4 jours <span class="fr-badge fr-badge--error" data-testid="en-retard">En retard'
        in html
    )
    with time_machine.travel(datetime(2026, 4, 6, 9, 0, tzinfo=PARIS), tick=False):
        for statut in (StatutFacture.SERVICE_FAIT, StatutFacture.MISE_EN_PAIEMENT):
            facturation_services.CIRCUIT.transition(a19.facture, to=statut, acting_user=None, role="DESTINATAIRE")
    with time_machine.travel(datetime(2026, 4, 10, 12, 0, tzinfo=PARIS), tick=False):
        html = client.get(url).content.decode()
    assert "Mise en paiement le 06/04/2026" in html and 'data-testid="en-retard"' not in html


def test_dossier_requetes_bornees(client, acteurs, django_assert_max_num_queries):
    moe, moa = acteurs["moe"], acteurs["moa"]
    (a4,) = dossier(acteurs, etape=Cadre.A4, puis="prendre_en_compte")
    client.force_login(moe[0])
    url = reverse("travaux_dossier", args=[a4.dossier_id])
    client.get(url)  # session, caches
    with django_assert_max_num_queries(14) as petit:
        client.get(url)
    a15 = deposer_suite(moe, a4, cadre=Cadre.A15)
    deposer_suite(moa, a15, cadre=Cadre.A19)
    client.force_login(moe[0])
    # Two more pieces (one payable, with its invoice's history): one more query (the invoices' histories), not one
    # per piece or per history row.
    with django_assert_max_num_queries(len(petit.captured_queries) + 1):
        reponse = client.get(url)
    assert reponse.content.decode().count('data-testid="piece-dossier"') == 3


def test_piece_d_un_autre_dossier_ne_fuit_pas_par_le_dossier(client, acteurs, a4, etranger):
    """A dossier's page lists its own pieces only, and a stranger's dossier is a 404 for the dossier's actors."""
    autre = deposer_initial(
        acteur("AUTRE FOURNISSEUR"), cadre=Cadre.A4, moe=acteur("AUTRE MOE")[1], moa=acteurs["moa"][1]
    )
    client.force_login(acteurs["moe"][0])
    assert client.get(reverse("travaux_dossier", args=[autre.dossier_id])).status_code == 404
    assert client.get(reverse("travaux_piece", args=[autre.pk])).status_code == 404
    html = client.get(reverse("travaux_dossier", args=[a4.dossier_id])).content.decode()
    assert autre.numero not in html and a4.numero in html
    assert PieceTravaux.objects.count() == 2


def test_document_absent_du_stockage_404_et_non_telechargee(client, acteurs, a4):
    a4.fichier.storage.delete(a4.fichier.name)
    client.force_login(acteurs["moe"][0])
    assert client.get(reverse("travaux_telecharger", args=[a4.pk])).status_code == 404
    assert client.get(reverse("travaux_visualiser", args=[a4.pk])).status_code == 404
    a4.refresh_from_db()
    assert a4.telechargee_le is None
