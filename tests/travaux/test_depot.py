"""« Déposer » a works piece through the pages: the form reads, ``travaux.services`` decides and its French
messages come back on the fields; the récapitulatif sends a draft; the certificat de dépôt of a sent piece; the
structure search inside the form. Each actor is a distinct user of a distinct structure."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from facturation.enums import Cadre
from organisation.enums import Application
from tests.factories import habiliter
from tests.facturation.test_pdf import signataire, signer  # noqa: F401  (the PAdES signer fixture)
from tests.travaux.factories import acteur, acteurs_du_marche, deposer_initial, deposer_suite, pdf
from travaux.models import DossierFacturation, HistoriquePiece, PieceJointeTravaux, PieceTravaux
from travaux.statuts import Role, StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece
URL = "/factures-travaux/deposer/"


@pytest.fixture
def acteurs():
    return acteurs_du_marche(code_postal_moe="34000")


def _fichiers_stockes() -> set[str]:
    racine = Path(settings.MEDIA_ROOT) / "travaux"
    return {str(p) for p in racine.rglob("*") if p.is_file()} if racine.exists() else set()


def _donnees(structure, *, cadre=Cadre.A4, contenu=None, nom="decompte.pdf", **champs):
    donnees = {
        "fichier": SimpleUploadedFile(nom, contenu or pdf(), content_type="application/pdf"),
        "format_depot": "PDF_NON_SIGNE",
        "cadre": cadre,
        "deposant": structure.pk,
        "numero": "PDM-2026-01",
        "date_piece": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "numero_marche": "M-2026-042",
        "devise": "EUR",
        "type_tva": "TVA_SUR_DEBIT",
        "montant_ht": "9196,75",
        "montant_tva": "1839,35",
        "action": "valider",
    }
    donnees.update(champs)
    return donnees


def _connecte(client, qui):
    client.force_login(qui[0])
    return client


def _erreurs(reponse) -> str:
    return reponse.content.decode()


# --- The form ---------------------------------------------------------------------------------------------------


def test_formulaire_depot_initial_propose_les_cadres_qui_ouvrent_un_dossier(client, acteurs):
    reponse = _connecte(client, acteurs["fournisseur"]).get(URL)
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Dépôt initial" in html and "Enregistrer en mode brouillon" in html and "Valider et envoyer" in html
    assert f'value="{Cadre.A4.value}"' in html and f'value="{Cadre.A10.value}"' in html
    assert f'value="{Cadre.A15.value}"' not in html and f'value="{Cadre.A19.value}"' not in html
    assert reverse("travaux_structures") in html and "Rechercher une structure" in html
    assert "!!MISSING" not in html


def test_depot_initial_valider_et_envoyer_puis_recapitulatif_confirme_et_certificat(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    client = _connecte(client, f)
    reponse = client.post(URL, _donnees(f[1], moe=moe[1].identifiant, moa=moa[1].identifiant))
    piece = PieceTravaux.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("travaux_confirmer", args=[piece.pk])
    assert piece.statut == S.BROUILLON and piece.montant_ht == piece.montant_ttc - piece.montant_tva
    assert str(piece.montant_ttc) == "11036.10" and piece.dossier.moe == moe[1] and piece.dossier.fournisseur == f[1]

    recap = client.get(reponse["Location"])
    html = recap.content.decode()
    assert "Récapitulatif d'envoi" in html and "MB INGENIERIE" in html and 'data-testid="formulaire-envoi"' in html
    assert "!!MISSING" not in html
    # The certificat de dépôt exists only once the piece is sent.
    assert client.get(reverse("travaux_certificat", args=[piece.pk])).status_code == 404

    envoi = client.post(reverse("travaux_confirmer", args=[piece.pk]))
    assert envoi.status_code == 302
    piece.refresh_from_db()
    assert piece.statut == S.MISE_A_DISPOSITION_MOE and piece.recevant == moe[1]
    succes = client.get(envoi["Location"]).content.decode()
    assert "Votre pièce a été déposée" in succes and "a été déposée et envoyée" in succes
    assert (
        reverse("travaux_certificat", args=[piece.pk]) in succes and reverse("travaux_piece", args=[piece.pk]) in succes
    )
    assert 'data-testid="formulaire-envoi"' not in succes

    certificat = client.get(reverse("travaux_certificat", args=[piece.pk]))
    assert certificat.status_code == 200 and certificat["Content-Type"] == "application/pdf"
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificat.content)).pages)
    assert "Certificat de dépôt" in texte and "PDM-2026-01" in texte and piece.dossier.numero in texte
    assert "MB INGENIERIE" in texte and "page publique" not in texte


def test_enregistrer_en_mode_brouillon_garde_un_brouillon(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    reponse = _connecte(client, f).post(
        URL, _donnees(f[1], moe=moe[1].identifiant, moa=moa[1].identifiant, action="brouillon")
    )
    piece = PieceTravaux.objects.get()
    assert reponse["Location"] == reverse("travaux_piece", args=[piece.pk])
    assert piece.statut == S.BROUILLON
    assert list(piece.historique.values_list("statut", flat=True)) == [S.BROUILLON]


# --- The chain's rules, in French on the form -------------------------------------------------------------------


def test_cadre_qui_n_ouvre_pas_de_dossier_refuse_en_nommant_les_cadres_initiaux(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    reponse = _connecte(client, moe).post(
        URL, _donnees(moe[1], cadre=Cadre.A15, fournisseur=f[1].identifiant, moa=moa[1].identifiant)
    )
    assert reponse.status_code == 200
    html = _erreurs(reponse)
    assert "ne peut pas ouvrir un dossier de facturation" in html and "A4, A5, A6, A7, A10, A13, A14" in html
    assert not PieceTravaux.objects.exists() and not DossierFacturation.objects.exists()


def test_cadre_depose_par_le_mauvais_role_refuse(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    reponse = _connecte(client, f).post(f"{URL}?suite={a4.pk}", _donnees(f[1], cadre=Cadre.A15))
    assert reponse.status_code == 200
    html = _erreurs(reponse)
    assert "est déposé par la maîtrise d&#x27;œuvre du dossier" in html
    assert "ne peut pas jouer son rôle" in html
    assert PieceTravaux.objects.count() == 1


def test_cadre_qui_ne_suit_pas_la_piece_precedente_refuse_en_nommant_les_cadres_possibles(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    reponse = _connecte(client, moe).post(f"{URL}?suite={a4.pk}", _donnees(moe[1], cadre=Cadre.A17))
    html = _erreurs(reponse)
    assert "ne peut pas suivre une pièce" in html
    assert "Cadres possibles après A4 : A15 – État d&#x27;acompte déposé par une MOE" in html
    assert PieceTravaux.objects.count() == 1
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE


def test_fichier_qui_n_est_pas_un_pdf_renomme_pdf_refuse_sans_rien_garder(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    avant = _fichiers_stockes()
    reponse = _connecte(client, f).post(
        URL,
        _donnees(
            f[1],
            contenu=b"PK\x03\x04 une archive zip",
            nom="decompte.pdf",
            moe=moe[1].identifiant,
            moa=moa[1].identifiant,
        ),
    )
    assert reponse.status_code == 200
    assert "Une pièce de facturation de travaux se dépose au format PDF." in reponse.content.decode()
    assert not PieceTravaux.objects.exists() and _fichiers_stockes() == avant


def test_piece_jointe_refusee_ne_laisse_ni_piece_ni_fichier(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    avant = _fichiers_stockes()
    donnees = _donnees(f[1], moe=moe[1].identifiant, moa=moa[1].identifiant)
    donnees["pieces_jointes"] = [SimpleUploadedFile("attachement.pdf", b"ceci n'est pas un PDF")]
    reponse = _connecte(client, f).post(URL, donnees)
    assert "ne correspond pas à son extension .pdf" in reponse.content.decode()
    assert not PieceTravaux.objects.exists() and not PieceJointeTravaux.objects.exists()
    assert _fichiers_stockes() == avant


def test_montants_incoherents_refuses_sur_leurs_champs(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    client = _connecte(client, f)
    acteurs_siret = {"moe": moe[1].identifiant, "moa": moa[1].identifiant}
    reponse = client.post(URL, _donnees(f[1], montant_ttc="12000,00", **acteurs_siret))
    assert "doit être égal au montant HT plus la TVA" in reponse.content.decode()
    reponse = client.post(
        URL, _donnees(f[1], tva_taux_1="20", tva_base_1="9000", tva_montant_1="1800", **acteurs_siret)
    )
    html = reponse.content.decode()
    assert 'data-testid="erreur-detail-tva"' in html and "doit égaler le montant HT" in html
    assert not PieceTravaux.objects.exists()


# --- From a previous piece; for an actor without an account; a signed PDF ---------------------------------------


def test_a_partir_d_une_piece_existante_reprend_les_donnees_et_associe_la_precedente(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    client = _connecte(client, moe)
    html = client.get(f"{URL}?suite={a4.pk}").content.decode()
    assert "Certaines données ont été reprises de la pièce précédente" in html
    assert "À partir d'une pièce existante dans Chorus Pro" in html and a4.numero in html
    assert 'value="1000.00"' in html and 'value="M-2026-042"' in html
    # « avec MOA »: only A15 follows an A4 for this MOE (not A16, not the cadres of another actor).
    assert f'value="{Cadre.A15.value}"' in html and f'value="{Cadre.A16.value}"' not in html
    assert f'value="{Cadre.A4.value}"' not in html
    assert "!!MISSING" not in html

    reponse = client.post(f"{URL}?suite={a4.pk}", _donnees(moe[1], cadre=Cadre.A15))
    a15 = PieceTravaux.objects.exclude(pk=a4.pk).get()
    assert a15.piece_precedente == a4 and a15.dossier == a4.dossier and a15.type_depot == "SUITE"
    client.post(reponse["Location"])
    a4.refresh_from_db()
    a15.refresh_from_db()
    assert a4.statut == S.ASSOCIEE and a15.statut == S.MISE_A_DISPOSITION_MOA


def test_demande_de_paiement_a19_vers_le_service_financier_et_son_code_service(client, acteurs, etat):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    a15 = deposer_suite(moe, a4, cadre=Cadre.A15)
    client = _connecte(client, moa)
    html = client.get(f"{URL}?suite={a15.pk}").content.decode()
    assert f'value="{Cadre.A19.value}"' in html and 'name="fournisseur"' not in html
    # The service financier of the État requires its code service: the invoice's rule, shown on the field.
    reponse = client.post(f"{URL}?suite={a15.pk}", _donnees(moa[1], cadre=Cadre.A19, destinataire=etat.identifiant))
    assert reponse.status_code == 302  # the draft is kept; the rules of the invoice apply when it is sent
    brouillon = PieceTravaux.objects.get(cadre=Cadre.A19)
    envoi = client.post(reponse["Location"])
    assert envoi.status_code == 200 and 'data-testid="erreurs-envoi"' in envoi.content.decode()
    assert "Le code service est obligatoire pour ce destinataire." in envoi.content.decode()
    brouillon.refresh_from_db()
    assert brouillon.statut == S.BROUILLON and brouillon.facture_id is None
    reponse = client.post(
        f"{URL}?suite={a15.pk}",
        _donnees(moa[1], cadre=Cadre.A19, destinataire=etat.identifiant, code_service="INCONNU"),
    )
    assert "Le service financier n&#x27;a pas de service de code « INCONNU »." in reponse.content.decode()
    reponse = client.post(
        f"{URL}?suite={a15.pk}",
        _donnees(moa[1], cadre=Cadre.A19, destinataire=etat.identifiant, code_service="FACTURES_PUBLIQUES"),
    )
    a19 = PieceTravaux.objects.filter(cadre=Cadre.A19).latest("pk")
    assert a19.dossier.destinataire == etat and a19.dossier.service_destinataire.code == "FACTURES_PUBLIQUES"
    client.post(reponse["Location"])
    a19.refresh_from_db()
    assert a19.facture is not None and a19.facture.destinataire == etat
    # Its certificat de dépôt is its invoice's (the digest the public verification page knows).
    certificat = client.get(reverse("travaux_certificat", args=[a19.pk]))
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificat.content)).pages)
    assert a19.facture.empreinte_certificat in texte.replace("\n", "") and "FACTURES_PUBLIQUES" in texte


def test_depot_pour_le_compte_d_un_acteur_sans_compte_inscrit_dans_l_historique(client, acteurs):
    moe, moa = acteurs["moe"], acteurs["moa"]
    _, sans_compte = acteur("PETITE ENTREPRISE SARL", niveau=None)
    client = _connecte(client, moe)
    reponse = client.post(
        URL,
        _donnees(moe[1], pour_le_compte_de=sans_compte.identifiant, moe=moe[1].identifiant, moa=moa[1].identifiant),
    )
    piece = PieceTravaux.objects.get()
    assert piece.pour_le_compte_de == sans_compte and piece.deposant == moe[1]
    assert piece.dossier.fournisseur == sans_compte and piece.role_deposant == Role.FOURNISSEUR
    client.post(reponse["Location"])
    historique = HistoriquePiece.objects.filter(objet=piece).order_by("created_at", "id")
    assert [(h.statut, h.role, h.acting_user_id) for h in historique[:2]] == [
        (S.BROUILLON, Role.FOURNISSEUR, moe[0].pk),
        (S.DEPOSEE, Role.FOURNISSEUR, moe[0].pk),
    ]
    html = client.get(reponse["Location"]).content.decode()
    assert 'data-testid="pour-le-compte-de"' in html and "PETITE ENTREPRISE SARL" in html


def test_pour_le_compte_d_une_structure_qui_n_a_pas_le_role_du_cadre_refuse(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    reponse = _connecte(client, f).post(
        f"{URL}?suite={a4.pk}", _donnees(f[1], cadre=Cadre.A15, pour_le_compte_de=moa[1].identifiant)
    )
    assert "est déposé par l&#x27;acteur MB INGENIERIE" in reponse.content.decode()
    assert PieceTravaux.objects.count() == 1


def test_service_deposant_parmi_ceux_de_l_utilisateur(client, acteurs):
    from tests.factories import ServiceFactory

    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    service = ServiceFactory(structure=f[1], code="TRAVAUX", libelle="Direction des travaux")
    autre = ServiceFactory(structure=moe[1], code="AUTRE", libelle="Service d'une autre structure")
    client = _connecte(client, f)
    html = client.get(URL).content.decode()
    assert "TRAVAUX - Direction des travaux" in html and "AUTRE - " not in html
    donnees = _donnees(f[1], moe=moe[1].identifiant, moa=moa[1].identifiant, service_deposant=autre.pk)
    assert "Sélectionnez un choix valide" in client.post(URL, donnees).content.decode()
    client.post(URL, _donnees(f[1], moe=moe[1].identifiant, moa=moa[1].identifiant, service_deposant=service.pk))
    assert PieceTravaux.objects.get().service_deposant == service


def test_pour_le_compte_d_un_acteur_qui_a_un_compte_refuse(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    reponse = _connecte(client, moe).post(
        URL, _donnees(moe[1], pour_le_compte_de=f[1].identifiant, moe=moe[1].identifiant, moa=moa[1].identifiant)
    )
    assert "qui a un compte « Factures de travaux »" in reponse.content.decode()
    assert not PieceTravaux.objects.exists()


def test_pdf_signe_pades_montre_son_signataire(client, acteurs, signataire):  # noqa: F811
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    client = _connecte(client, f)
    signe = signer(pdf(), signataire)
    reponse = client.post(
        URL,
        _donnees(f[1], contenu=signe, format_depot="PDF_SIGNE", moe=moe[1].identifiant, moa=moa[1].identifiant),
    )
    piece = PieceTravaux.objects.get()
    assert piece.format_depot == "PDF_SIGNE"
    html = client.get(reponse["Location"]).content.decode()
    assert "PDF signé PAdES" in html and "Jean Signataire" in html
    # A PDF announced as signed that is not: refused on the file.
    reponse = client.post(URL, _donnees(f[1], format_depot="PDF_SIGNE", moe=moe[1].identifiant, moa=moa[1].identifiant))
    assert "ne porte pas de signature PAdES valide" in reponse.content.decode()
    assert PieceTravaux.objects.count() == 1


# --- The structure search ---------------------------------------------------------------------------------------


def test_recherche_de_structures_actives_par_siret_raison_sociale_et_code_postal(client, acteurs):
    from tests.factories import ServiceFactory, StructureFactory

    moa = acteurs["moa"][1]
    ServiceFactory(structure=moa, code="FAC0000034", libelle="SFACT Montpellier")
    inactive = StructureFactory(raison_sociale="ACADEMIE FERMEE", code_postal="34000", inactive=True)
    client = _connecte(client, acteurs["fournisseur"])
    url = reverse("travaux_structures")

    par_nom = client.get(url, {"raison_sociale": "academie", "format": "json"}).json()["structures"]
    assert [s["siret"] for s in par_nom] == [moa.identifiant]
    assert par_nom[0]["services"] == [{"code": "FAC0000034", "libelle": "SFACT Montpellier"}]
    par_siret = client.get(url, {"siret": acteurs["moe"][1].identifiant[:9], "format": "json"}).json()
    assert [s["raison_sociale"] for s in par_siret["structures"]] == ["MB INGENIERIE"]
    par_code_postal = client.get(url, {"code_postal": "34000", "format": "json"}).json()["structures"]
    assert "MB INGENIERIE" in [s["raison_sociale"] for s in par_code_postal]
    assert inactive.identifiant not in [s["siret"] for s in par_code_postal]
    assert client.get(url, {"siret": inactive.identifiant, "format": "json"}).json() == {"structures": []}

    fragment = client.get(url, {"raison_sociale": "INGENIERIE", "partiel": "1", "cible": "moe"}).content.decode()
    assert "<html" not in fragment and "MB INGENIERIE" in fragment
    assert f'data-siret="{acteurs["moe"][1].identifiant}" data-cible="moe"' in fragment
    page = client.get(url, {"raison_sociale": "INGENIERIE"}).content.decode()
    assert "<html" in page and acteurs["moe"][1].identifiant in page and "data-siret" not in page


# --- Refusals ---------------------------------------------------------------------------------------------------


def test_profil_consultation_sans_formulaire_et_post_refuse(client, acteurs):
    moe, moa = acteurs["moe"], acteurs["moa"]
    lecteur = acteur("LECTEUR SAS", niveau="consultation")
    client = _connecte(client, lecteur)
    reponse = client.get(URL)
    assert reponse.status_code == 403 and "Enregistrer en mode brouillon" not in reponse.content.decode()
    reponse = client.post(URL, _donnees(lecteur[1], moe=moe[1].identifiant, moa=moa[1].identifiant))
    assert reponse.status_code == 403 and not PieceTravaux.objects.exists()
    assert client.get(reverse("travaux_structures"), {"raison_sociale": "MB"}).status_code == 403


def test_profil_consultation_de_la_structure_deposante_ne_peut_pas_envoyer_le_brouillon(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    brouillon = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], brouillon=True)
    collegue, _ = acteur("AUTRE", niveau="consultation")
    habiliter(collegue, f[1], profils={Application.FACTURES_TRAVAUX: "consultation"})
    client.force_login(collegue)
    url = reverse("travaux_confirmer", args=[brouillon.pk])
    html = client.get(url).content.decode()
    assert "Récapitulatif d'envoi" in html and 'data-testid="formulaire-envoi"' not in html
    assert client.post(url).status_code == 403
    brouillon.refresh_from_db()
    assert brouillon.statut == S.BROUILLON


def test_acteur_hors_du_dossier_404_sur_suite_recapitulatif_et_certificat(client, acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    brouillon = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], brouillon=True)
    etranger = acteur("AUTRE ENTREPRISE")
    client = _connecte(client, etranger)
    assert client.get(f"{URL}?suite={a4.pk}").status_code == 404
    assert client.post(f"{URL}?suite={a4.pk}", _donnees(etranger[1], cadre=Cadre.A15)).status_code == 404
    assert client.get(f"{URL}?suite=abc").status_code == 404
    for nom in ("travaux_confirmer", "travaux_certificat"):
        assert client.get(reverse(nom, args=[a4.pk])).status_code == 404
    assert client.post(reverse("travaux_confirmer", args=[brouillon.pk])).status_code == 404
    # A draft is seen by its depositor only, even inside the dossier.
    client.force_login(moe[0])
    assert client.get(reverse("travaux_confirmer", args=[brouillon.pk])).status_code == 404
    assert client.get(reverse("travaux_certificat", args=[a4.pk])).status_code == 200
    assert "Cette pièce a été déposée" in client.get(reverse("travaux_confirmer", args=[a4.pk])).content.decode()
    assert PieceTravaux.objects.count() == 2


def test_recherche_de_structures_bornee_en_sql(client, acteurs, django_assert_max_num_queries):
    from tests.factories import ServiceFactory, StructureFactory

    for i in range(30):
        ServiceFactory(structure=StructureFactory(raison_sociale=f"MAIRIE {i:02d}", publique=True))
    client = _connecte(client, acteurs["fournisseur"])
    with django_assert_max_num_queries(8):
        reponse = client.get(reverse("travaux_structures"), {"raison_sociale": "MAIRIE", "format": "json"})
    structures = reponse.json()["structures"]
    assert len(structures) == 20 and all(len(s["services"]) == 1 for s in structures)
