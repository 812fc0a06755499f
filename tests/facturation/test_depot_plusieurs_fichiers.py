"""« Déposer facture » with several files (issue 14 item 1): each file goes through the one deposit pipeline and
gets its own result — accepted (link to the draft, or to the saisie it pre-fills) or refused (the French error) —
on the result page without JavaScript, or one request per file for the page's script. Limits: number of files
and total size per deposit; refusals change nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturation.lecture_xml import lire_xml
from facturation.models import Facture
from facturation.views import depot as vue_depot
from organisation.models import CoordonneesBancaires
from tests import outils
from tests.factories import UtilisateurFactory
from tests.facturation.externes import adapter, echantillons, xml_de
from tests.facturation.factories import fournisseur_pret

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
CADRE = "A1_FACTURE_FOURNISSEUR"


def document_externe(structure, etat, gp, *, nom: str, numero: str) -> bytes:
    """An official EN 16931 / Factur-X sample with the portal's seller and buyer (``tests/facturation/externes``);
    its bank account (BT-84) declared by the seller, as the pipeline requires."""
    echantillon = echantillons(name=nom)[0]
    contenu = adapter(
        echantillon.contenu(),
        siret_vendeur=structure.identifiant,
        siret_acheteur=etat.identifiant,
        code_service="FACTURES_PUBLIQUES",
        numero=numero,
    )
    _, donnees = lire_xml(xml_de(contenu))
    iban = "".join((donnees.iban or "").split()).upper()
    if iban and not CoordonneesBancaires.objects.filter(structure=structure, iban=iban).exists():
        CoordonneesBancaires.objects.create(
            structure=structure, titulaire=structure.raison_sociale, iban=iban, active=True, created_by=gp
        )
    return contenu


def _fichier(nom, contenu):
    return SimpleUploadedFile(nom, contenu, content_type="application/octet-stream")


def _deposer(client, structure, fichiers, **entetes):
    return client.post(
        reverse("deposer_facture"), {"fichier": fichiers, "cadre": CADRE, "fournisseur": structure.pk}, **entetes
    )


def test_sans_javascript_chaque_fichier_a_son_resultat(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    cii = document_externe(structure, etat, gp, nom="CII_example5.xml", numero="EXT-CII-5")
    pdf_tiers = (DATA / "pdf_tiers" / "facture_deux_taux_chromium.pdf").read_bytes()
    response = _deposer(
        client,
        structure,
        [
            _fichier("CII_example5.xml", cii),
            _fichier("mal_forme.xml", (DATA / "mal_forme.xml").read_bytes()),
            _fichier("facture_deux_taux_chromium.pdf", pdf_tiers),
        ],
    )
    assert response.status_code == 200
    resultats = {r["nom"]: r for r in response.context["resultats"]}
    assert list(resultats) == ["CII_example5.xml", "mal_forme.xml", "facture_deux_taux_chromium.pdf"]
    # The structured document is a draft already, with its own data.
    facture = Facture.objects.get()
    assert facture.numero == "EXT-CII-5"
    assert resultats["CII_example5.xml"]["accepte"]
    assert resultats["CII_example5.xml"]["lien"] == reverse("modifier_brouillon", args=[facture.pk])
    # The malformed XML is refused with the pipeline's French message; nothing was created for it.
    assert not resultats["mal_forme.xml"]["accepte"]
    assert "mal formé" in " ".join(resultats["mal_forme.xml"]["erreurs"])
    # The plain PDF pre-fills a saisie, to be completed.
    assert resultats["facture_deux_taux_chromium.pdf"]["libelle_lien"] == "Compléter la saisie"
    texte = outils.texte(response)
    assert "Résultat du dépôt : 2 fichiers acceptés sur 3" in texte
    assert "Compléter le brouillon n° EXT-CII-5" in texte and "Refusé" in texte


def test_completer_la_saisie_d_un_pdf_depose_parmi_d_autres(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    pdf_tiers = (DATA / "pdf_tiers" / "facture_deux_taux_libreoffice.pdf").read_bytes()
    autre = (DATA / "pdf_tiers" / "facture_texte_libreoffice.pdf").read_bytes()
    response = _deposer(client, structure, [_fichier("deux_taux.pdf", pdf_tiers), _fichier("texte.pdf", autre)])
    liens = [r["lien"] for r in response.context["resultats"]]
    # An unknown token pre-fills nothing.
    assert client.get(reverse("saisir_facture") + "?depot=inconnu").context["form"]["numero"].value() in ("", None)
    assert all(lien.startswith(reverse("saisir_facture") + "?depot=") for lien in liens)
    assert not Facture.objects.exists()  # a plain PDF becomes a draft only once the user saves it
    page = client.get(liens[0])
    assert page.context["form"]["numero"].value() == "FA-2026/0117"
    assert 'data-testid="analyse-depot"' in outils.texte(page)
    # The other one still waits for its own link, and the first one's link still opens the first one.
    assert client.get(liens[1]).context["form"]["numero"].value() == "F-2026-001"
    page = client.get(liens[0])
    assert page.context["form"]["numero"].value() == "FA-2026/0117"
    # Saved, the draft has the deposited file; its link no longer opens it (the other one still does).
    donnees = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    donnees.update(
        {
            "depot": "1",
            "action": "enregistrer",
            "fournisseur": structure.pk,
            "destinataire_etat": "non",
            "cadre": "A1_FACTURE_FOURNISSEUR",
            "type_facture": "FACTURE",
            "devise": "EUR",
            "type_tva": "TVA_SUR_DEBIT",
            "mode_paiement": "VIREMENT",
            "lignes-TOTAL_FORMS": "1",
            "lignes-INITIAL_FORMS": "0",
            "lignes-0-denomination": "Prestation",
            "lignes-0-quantite": "1",
            "lignes-0-unite": "C62",
            "lignes-0-prix_unitaire_ht": "1000",
            "lignes-0-taux_tva": "20",
        }
    )
    response = client.post(reverse("saisir_facture"), donnees)
    assert response.status_code == 302, response.context["form"].errors
    facture = Facture.objects.get()
    assert facture.numero == "FA-2026/0117" and facture.fichier.name.endswith(".pdf")
    assert client.get(liens[0]).context["form"]["numero"].value() in ("", None)
    assert client.get(liens[1]).context["form"]["numero"].value() == "F-2026-001"


def test_un_fichier_par_requete_pour_le_script(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    ubl = document_externe(structure, etat, gp, nom="ubl-tc434-example2.xml", numero="EXT-UBL-2")
    entete = {"HTTP_X_DEPOT_FICHIER": "1"}
    response = _deposer(client, structure, [_fichier("ubl-tc434-example2.xml", ubl)], **entete)
    assert response.status_code == 200
    facture = Facture.objects.get()
    assert reverse("modifier_brouillon", args=[facture.pk]) in outils.texte(response)
    assert "Accepté" in outils.texte(response) and "<html" not in outils.texte(response)
    # A refused file: 422 and the pipeline's French message, nothing created.
    response = _deposer(client, structure, [_fichier("mal_forme.xml", (DATA / "mal_forme.xml").read_bytes())], **entete)
    assert response.status_code == 422
    assert "Refusé" in outils.texte(response) and "mal formé" in outils.texte(response)
    # A form refused (no cadre) is that file's refusal too.
    response = client.post(
        reverse("deposer_facture"),
        {"fichier": _fichier("x.xml", ubl), "fournisseur": structure.pk},
        **entete,
    )
    assert response.status_code == 422 and "Ce champ est obligatoire." in outils.texte(response)
    assert Facture.objects.count() == 1


def test_trop_de_fichiers_refuse_sans_rien_creer(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    contenu = (DATA / "pdf_tiers" / "facture_texte_libreoffice.pdf").read_bytes()
    fichiers = [_fichier(f"f{i}.pdf", contenu) for i in range(vue_depot.MAX_FICHIERS_PAR_DEPOT + 1)]
    response = _deposer(client, structure, fichiers)
    assert response.status_code == 200
    assert "Vous pouvez déposer au plus 10 fichiers à la fois (11 choisis)." in outils.texte(response)
    assert response.context["resultats"] is None
    assert not Facture.objects.exists() and not client.session.get(vue_depot.SESSION_DEPOTS)


def test_un_fichier_vide_parmi_d_autres_est_nomme(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    contenu = (DATA / "pdf_tiers" / "facture_texte_libreoffice.pdf").read_bytes()
    response = _deposer(client, structure, [_fichier("a.pdf", contenu), _fichier("vide.pdf", b"")])
    assert "« vide.pdf » : Le fichier soumis est vide." in outils.texte(response)
    assert response.context["resultats"] is None and not client.session.get(vue_depot.SESSION_DEPOTS)


def test_taille_totale_et_taille_d_un_fichier(client, fournisseur_gp, etat, monkeypatch):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    pdf = (DATA / "pdf_tiers" / "facture_texte_libreoffice.pdf").read_bytes()
    monkeypatch.setattr(vue_depot, "TAILLE_MAX_TOTALE", len(pdf) + 10)
    response = _deposer(client, structure, [_fichier("a.pdf", pdf), _fichier("b.pdf", pdf)])
    assert "dépassent ensemble la taille maximale" in outils.texte(response)
    assert response.context["resultats"] is None
    # One file too large alone is refused by its own result; the other goes through.
    monkeypatch.setattr(vue_depot, "TAILLE_MAX_TOTALE", 50 * 1024 * 1024)
    grand = pdf + b"\n%" + b"x" * (10 * 1024 * 1024)
    response = _deposer(client, structure, [_fichier("grand.pdf", grand), _fichier("b.pdf", pdf)])
    grand_r, petit_r = response.context["resultats"]
    assert grand_r["erreurs"] == ["Le fichier dépasse la taille maximale de 10 Mo."]
    assert petit_r["accepte"]


def test_refus_sans_profil_et_pour_une_structure_d_autrui(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    contenu = (DATA / "pdf_tiers" / "facture_texte_libreoffice.pdf").read_bytes()
    client.force_login(UtilisateurFactory())
    assert _deposer(client, structure, [_fichier("a.pdf", contenu), _fichier("b.pdf", contenu)]).status_code == 403
    autre_gp, _ = fournisseur_pret(email="autre@fournisseur.fr", prenom="Paul", nom="Durand")
    client.force_login(autre_gp)
    response = _deposer(client, structure, [_fichier("a.pdf", contenu), _fichier("b.pdf", contenu)])
    assert response.status_code == 200 and response.context["form"].errors["fournisseur"]
    assert response.context["resultats"] is None and not client.session.get(vue_depot.SESSION_DEPOTS)
