"""« Factures de travaux » in a real browser, the other chains of issue 11's « Done when »: the end-of-contract chain
to the signed décompte général, a routing-error refusal and its correction, a sous-traitant's A10 validated by the
titulaire then taken on by the MOE, and a « sans MOA » structure receiving the works invoice in « Factures reçues ».
Each actor is a distinct user of a distinct structure and does every step through the pages."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from facturation.enums import Cadre, StatutFacture
from organisation import services as org_services
from organisation.enums import OptionMoa
from tests.e2e import parcours_travaux as parcours
from tests.facturation.test_pdf import signataire, signer  # noqa: F401  (the PAdES signer fixture)
from tests.travaux.factories import acteur, pdf
from travaux.models import PieceTravaux
from travaux.statuts import StatutPiece

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = StatutPiece


@pytest.fixture
def fournisseur():
    return acteur("CONSTRUCTIONS LEROY SA")


@pytest.fixture
def moe():
    return acteur("CABINET MOE PONTS ET VOIRIE")


@pytest.fixture
def moa():
    return acteur("DEPARTEMENT DE L'HERAULT", publique=True, option_moa=OptionMoa.AVEC_MOA)


def test_fin_de_marche_a7_a17_a20_puis_decompte_general_signe_a8(
    session,
    fournisseur,
    moe,
    moa,
    signataire,  # noqa: F811
):
    page_f = session(fournisseur[0])
    parcours.deposer_initial(
        page_f,
        numero="PDF-2026-07",
        cadre=Cadre.A7,
        acteurs={"moe": moe[1], "moa": moa[1]},
        montant_ht="48000,00",
        montant_tva="9600,00",
    )

    page_moe = session(moe[0])
    parcours.ouvrir_piece(page_moe, "PDF-2026-07")
    parcours.statut(page_moe, "Mise à disposition de la MOE")
    parcours.prendre_en_compte(page_moe, "PDF-2026-07")
    parcours.deposer_suivante(page_moe, numero="PDG-2026-17", cadre=Cadre.A17)
    expect(page_moe.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition de la MOA")

    page_moa = session(moa[0])
    parcours.ouvrir_piece(page_moa, "PDG-2026-17")
    parcours.prendre_en_compte(page_moa, "PDG-2026-17")
    parcours.deposer_suivante(page_moa, numero="DG-2026-20", cadre=Cadre.A20)
    expect(page_moa.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition du fournisseur")

    # The décompte général waits for the supplier, who signs it (PAdES) and deposits it as A8.
    parcours.ouvrir_piece(page_f, "DG-2026-20")
    parcours.statut(page_f, "Mise à disposition du fournisseur")
    expect(page_f.get_by_test_id("recevant")).to_contain_text("CONSTRUCTIONS LEROY SA (Fournisseur)")
    with ThreadPoolExecutor(max_workers=1) as executor:  # pyhanko's asyncio.run() outside Playwright's loop
        signe = executor.submit(signer, pdf("Décompte général signé"), signataire).result()
    parcours.deposer_suivante(
        page_f, numero="DGD-2026-08", cadre=Cadre.A8, contenu=signe, format_depot="PDF signé PAdES"
    )
    expect(page_f.get_by_test_id("signataire")).to_have_text(
        re.compile(r"^Jean Signataire – signé le \d\d/\d\d/\d{4} à ")
    )
    expect(page_f.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition du destinataire")
    parcours.capture(page_f, "a8-decompte-general-signe")

    parcours.ouvrir_dossier(page_f, "DGD-2026-08")
    pieces = page_f.get_by_test_id("piece-dossier")
    expect(pieces).to_have_count(4)
    for numero, etat in (
        ("PDF-2026-07", "Associée"),
        ("PDG-2026-17", "Associée"),
        ("DG-2026-20", "Associée"),
        ("DGD-2026-08", "Mise à disposition du destinataire"),
    ):
        expect(pieces.filter(has_text=f"N° {numero} - État courant")).to_contain_text(f"État courant = {etat}")
    bloc_a20 = pieces.filter(has_text="N° DG-2026-20 - État courant")
    expect(bloc_a20.get_by_test_id("historique").filter(has_text="Mise à disposition du fournisseur")).to_have_count(1)

    a8 = PieceTravaux.objects.get(numero="DGD-2026-08")
    assert a8.format_depot == "PDF_SIGNE" and a8.signatures[0]["signataire"] == "Jean Signataire"
    assert a8.facture.statut == StatutFacture.MISE_A_DISPOSITION and a8.facture.destinataire == moa[1]


def test_refus_pour_erreur_d_acheminement_puis_correction_par_le_fournisseur(session, fournisseur, moe, moa):
    mauvaise_moe = acteur("BUREAU D'ETUDES SANS RAPPORT")
    page_f = session(fournisseur[0])
    parcours.deposer_initial(
        page_f, numero="PDM-ERR-01", cadre=Cadre.A4, acteurs={"moe": mauvaise_moe[1], "moa": moa[1]}
    )

    # The wrong MOE may only refuse for an error in the routing data (seed 000).
    page_mauvaise = session(mauvaise_moe[0])
    parcours.ouvrir_piece(page_mauvaise, "PDM-ERR-01")
    motifs = page_mauvaise.get_by_test_id("form-refuser").get_by_label("Motif du refus").locator("option")
    expect(motifs).to_have_text(["Erreur dans les données d'acheminement"])
    parcours.refuser(
        page_mauvaise, motif="Erreur dans les données d'acheminement", commentaire="Ce marché n'est pas le nôtre."
    )
    parcours.statut(page_mauvaise, "Refusée par la MOE pour erreur dans les données d'acheminement")
    expect(page_mauvaise.get_by_test_id("actions-piece")).to_have_count(0)

    # The supplier finds it among its pieces to take up again, reads why, and corrects the MOE.
    parcours.ouvrir_piece(page_f, "PDM-ERR-01")
    parcours.statut(page_f, "Refusée par la MOE pour erreur dans les données d'acheminement")
    expect(page_f.get_by_test_id("motif-courant")).to_contain_text("Ce marché n'est pas le nôtre.")
    correction = page_f.get_by_test_id("form-corriger")
    expect(correction).to_contain_text("elle remplace BUREAU D'ETUDES SANS RAPPORT")
    correction.get_by_label("SIRET de la bonne structure").fill(moe[1].identifiant)
    correction.get_by_role("button", name="Corriger et redéposer").click()
    expect(page_f.get_by_text("La pièce n° PDM-ERR-01 est au statut « Mise à disposition de la MOE »")).to_be_visible()
    parcours.statut(page_f, "Mise à disposition de la MOE")
    expect(page_f.get_by_test_id("recevant")).to_contain_text("CABINET MOE PONTS ET VOIRIE")
    historique = page_f.get_by_test_id("historique")
    expect(historique.nth(0)).to_contain_text("Mise à disposition de la MOE")
    expect(historique.nth(1)).to_contain_text("Déposée")
    expect(historique.nth(1)).to_contain_text("Acheminement corrigé : CABINET MOE PONTS ET VOIRIE")
    expect(historique.nth(2)).to_contain_text("Refusée par la MOE pour erreur dans les données d'acheminement")

    # The right MOE receives it and takes it on; the wrong one has nothing left to handle.
    page_moe = session(moe[0])
    parcours.ouvrir_piece(page_moe, "PDM-ERR-01")
    parcours.prendre_en_compte(page_moe, "PDM-ERR-01")
    parcours.statut(page_moe, "Prise en compte MOE")
    page_mauvaise.get_by_role("link", name="Synthèse", exact=True).click()
    expect(page_mauvaise.get_by_test_id("piece-travaux")).to_have_count(0)


def test_a10_du_sous_traitant_valide_par_le_titulaire_puis_pris_en_compte_par_la_moe(session, fournisseur, moe, moa):
    sous_traitant = acteur("PLOMBERIE MARTIN SARL")
    page_st = session(sous_traitant[0])
    parcours.deposer_initial(
        page_st,
        numero="ST-2026-10",
        cadre=Cadre.A10,
        acteurs={"validateur": fournisseur[1], "moe": moe[1], "moa": moa[1]},
        montant_ht="3200,00",
        montant_tva="640,00",
    )
    expect(page_st.get_by_test_id("depot-reussi")).to_contain_text("À valider par le titulaire")

    # The MOE does not see it as a piece to handle before the titulaire validated it.
    page_moe = session(moe[0])
    expect(page_moe.get_by_test_id("piece-travaux")).to_have_count(0)

    page_titulaire = session(fournisseur[0])
    parcours.ouvrir_piece(page_titulaire, "ST-2026-10")
    parcours.statut(page_titulaire, "À valider par le titulaire")
    expect(page_titulaire.get_by_test_id("deposant")).to_contain_text("PLOMBERIE MARTIN SARL")
    parcours.valider(page_titulaire)
    expect(page_titulaire.get_by_text("La pièce n° ST-2026-10 est au statut")).to_be_visible()
    parcours.statut(page_titulaire, "Mise à disposition de la MOE")
    expect(page_titulaire.get_by_test_id("historique").filter(has_text="Validée par le titulaire")).to_have_count(1)
    expect(page_titulaire.get_by_test_id("actions-piece")).to_have_count(0)

    parcours.ouvrir_piece(page_moe, "ST-2026-10")
    parcours.statut(page_moe, "Mise à disposition de la MOE")
    parcours.prendre_en_compte(page_moe, "ST-2026-10")
    parcours.statut(page_moe, "Prise en compte MOE")
    expect(page_moe.get_by_role("link", name="Déposer la pièce suivante du dossier de facturation")).to_be_visible()
    assert PieceTravaux.objects.get(numero="ST-2026-10").statut == S.PRISE_EN_COMPTE_MOE


def test_structure_sans_moa_recoit_la_facture_de_travaux_dans_factures_recues(session, fournisseur, moe):
    moa_sans, structure_sans = acteur("COMMUNE DE VILLENEUVE SANS MOA", publique=True, option_moa=OptionMoa.SANS_MOA)
    org_services.definir_profils(
        utilisateur=moa_sans, structure=structure_sans, profils={"FACTURES_RECUES": "modification"}
    )
    page_f = session(fournisseur[0])
    parcours.deposer_initial(
        page_f,
        numero="PDM-SANS-01",
        cadre=Cadre.A4,
        acteurs={"moe": moe[1], "moa": structure_sans},
        montant_ht="7000,00",
        montant_tva="1400,00",
    )

    # « sans MOA »: the MOE's état d'acompte validé (A16) goes straight to the public structure.
    page_moe = session(moe[0])
    parcours.ouvrir_piece(page_moe, "PDM-SANS-01")
    parcours.prendre_en_compte(page_moe, "PDM-SANS-01")
    page_moe.get_by_role("link", name="Déposer la pièce suivante du dossier de facturation").click()
    cadres = page_moe.get_by_label("Cadre de facturation").locator("option")
    expect(cadres).to_have_text([Cadre.A16.label])
    page_moe.go_back()
    parcours.deposer_suivante(page_moe, numero="EAV-SANS-16", cadre=Cadre.A16)
    expect(page_moe.get_by_test_id("recapitulatif")).to_contain_text("Structure sans MOA")
    expect(page_moe.get_by_test_id("depot-reussi")).to_contain_text("Mise à disposition du destinataire")

    page_sans = session(moa_sans, application="Factures reçues")
    parcours.ouvrir_facture_recue(page_sans, "EAV-SANS-16", "CONSTRUCTIONS LEROY SA")
    parcours.capture(page_sans, "sans-moa-facture-recue")
    a16 = PieceTravaux.objects.get(numero="EAV-SANS-16")
    assert a16.facture.destinataire == structure_sans and "sans MOA" in a16.regle_acheminement
