"""Issue 13, item 7: property-based tests (hypothesis) of the amounts (``chorus.money``, ``facturation.montants``),
the VAT breakdown, the SIRET and IBAN checks and the XML readers: for any input, a result that keeps its invariants
or a French refusal, never another exception."""

import string
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chorus.identifiers import siret_valide, valider_siret
from chorus.money import CENTIME, MontantInvalide, arrondir, montant_tva, to_decimal
from facturation import depot, montants, xml_securise
from facturation.enums import TAUX_TVA
from facturation.lecture_xml import lire_xml
from organisation import services as org_services
from organisation.models import CoordonneesBancaires
from tests.factories import _cle_luhn

REFUS_DE_MONTANT = (montants.MontantsInvalides, MontantInvalide)

centimes = st.integers(min_value=-(10**12), max_value=10**12).map(lambda c: Decimal(c) / 100)
decimaux = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False)
taux = st.sampled_from([Decimal(t) for t in TAUX_TVA])


@st.composite
def lignes(draw):
    quantite = draw(st.integers(min_value=1, max_value=10**6).map(lambda q: Decimal(q) / 1000))
    prix = draw(st.integers(min_value=0, max_value=10**8).map(lambda p: Decimal(p) / 100))
    brut = arrondir(quantite * prix)
    remise = draw(st.integers(min_value=0, max_value=int(brut * 100)).map(lambda r: Decimal(r) / 100))
    return {"quantite": quantite, "prix_unitaire_ht": prix, "remise_ht": remise, "taux_tva": draw(taux)}


# --- Amounts ---------------------------------------------------------------------------------------------------


@given(decimaux)
def test_arrondi_au_centime_le_plus_proche_et_idempotent(valeur):
    arrondi = arrondir(valeur)
    assert arrondi.as_tuple().exponent == -2
    assert abs(arrondi - valeur) <= Decimal("0.005")
    assert arrondir(arrondi) == arrondi
    assert arrondir(-valeur) == -arrondi  # half away from zero: symmetric


@given(centimes)
def test_un_montant_ecrit_a_la_francaise_se_relit_a_l_identique(valeur):
    texte = f"{valeur:,.2f}".replace(",", "\u202f").replace(".", ",")
    assert to_decimal(texte) == valeur
    assert to_decimal(f"{texte} €") == valeur


@given(st.one_of(st.text(max_size=30), st.floats(), st.booleans(), st.none(), st.binary(max_size=10)))
def test_une_saisie_quelconque_est_un_montant_ou_un_refus_en_francais(valeur):
    try:
        resultat = to_decimal(valeur)
    except MontantInvalide as exc:
        assert str(exc).startswith(("«", "Le montant"))
    else:
        assert resultat.is_finite() and abs(resultat) <= Decimal("9999999999999.99")


@given(st.lists(lignes(), min_size=1, max_size=8), st.data())
def test_totaux_et_ventilation_de_tva_coherents(liste, data):
    sans_remise = montants.calculer(liste)
    remise = data.draw(
        st.integers(min_value=0, max_value=int(sans_remise.total_ttc_avant_remise * 100)).map(
            lambda r: Decimal(r) / 100
        )
    )
    calcul = montants.calculer(liste, remise_globale_ttc=remise)
    # One VAT line per rate used, sorted, whose base is the sum of its lines minus its share of the discount.
    assert [t.taux for t in calcul.tva] == sorted({Decimal(ligne["taux_tva"]).normalize() for ligne in liste})
    for ligne_tva in calcul.tva:
        base = sum((lc.montant_ht for lc in calcul.lignes if lc.taux_tva.normalize() == ligne_tva.taux), Decimal(0))
        assert ligne_tva.base_ht_avant_remise == base
        assert ligne_tva.base_ht == base - ligne_tva.remise_globale_ht
        assert Decimal(0) <= ligne_tva.remise_globale_ht <= base
        # VAT computed once on the base of the rate (never a sum of rounded line VATs): BR-S-09.
        assert ligne_tva.montant_tva == montant_tva(ligne_tva.base_ht, ligne_tva.taux)
    # BR-CO-10 to 15.
    assert calcul.total_lignes_ht == sum((lc.montant_ht for lc in calcul.lignes), Decimal(0))
    assert calcul.total_ht == calcul.total_lignes_ht - calcul.remise_globale_ht
    assert calcul.total_ht == sum((t.base_ht for t in calcul.tva), Decimal(0))
    assert calcul.total_tva == sum((t.montant_tva for t in calcul.tva), Decimal(0))
    assert calcul.total_ttc == calcul.total_ht + calcul.total_tva
    assert calcul.net_a_payer == calcul.total_ttc
    assert calcul.total_ttc <= calcul.total_ttc_avant_remise == sans_remise.total_ttc
    for montant in (calcul.total_ht, calcul.total_tva, calcul.total_ttc, calcul.remise_globale_ht):
        assert montant == montant.quantize(CENTIME)
    # The order of the lines changes nothing.
    inverse = montants.calculer(list(reversed(liste)), remise_globale_ttc=remise)
    assert (inverse.total_ht, inverse.total_tva, inverse.total_ttc) == (
        calcul.total_ht,
        calcul.total_tva,
        calcul.total_ttc,
    )


@given(
    st.fixed_dictionaries(
        {
            "quantite": st.one_of(st.text(max_size=12), decimaux, st.none()),
            "prix_unitaire_ht": st.one_of(st.text(max_size=12), decimaux, st.none()),
            "remise_ht": st.one_of(st.text(max_size=12), decimaux),
            "taux_tva": st.one_of(st.text(max_size=6), decimaux, st.none()),
        }
    )
)
def test_une_ligne_quelconque_est_calculee_ou_refusee_en_francais(ligne):
    try:
        calcul = montants.calculer([ligne])
    except REFUS_DE_MONTANT as exc:
        assert str(exc) and str(exc)[0].isupper() or str(exc).startswith("«")
    else:
        assert calcul.total_ttc == calcul.total_ht + calcul.total_tva


# --- SIRET and IBAN --------------------------------------------------------------------------------------------


@given(
    st.text(alphabet=string.digits, min_size=8, max_size=8),
    st.text(alphabet=string.digits, min_size=4, max_size=4),
    st.integers(0, 13),
    st.integers(1, 9),
)
def test_siret_cle_de_luhn(debut_siren, debut_nic, position, decalage):
    siren = debut_siren + _cle_luhn(debut_siren)
    assume(siren != "356000000")  # La Poste's establishments follow another rule
    siret = siren + debut_nic + _cle_luhn(siren + debut_nic)
    assert siret_valide(siret) and valider_siret(" ".join([siret[:3], siret[3:6], siret[6:9], siret[9:]])) == siret
    # Any single wrong digit is caught by the key.
    faux = siret[:position] + str((int(siret[position]) + decalage) % 10) + siret[position + 1 :]
    assert not siret_valide(faux)


@given(st.text(max_size=20))
def test_siret_quelconque_valide_ou_refus_en_francais(texte):
    try:
        valider_siret(texte)
    except ValidationError as exc:
        assert exc.messages[0].startswith("Le SIRET")


def _iban_fr(bban: str) -> str:
    chiffres = "".join(str(int(c, 36)) for c in bban + "FR00")
    return f"FR{98 - int(chiffres) % 97:02d}{bban}"


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=string.digits, min_size=23, max_size=23), st.integers(4, 26), st.integers(1, 9))
def test_iban_cle_controlee_a_l_enregistrement(fournisseur_gp, bban, position, decalage):
    gp, structure = fournisseur_gp
    iban = _iban_fr(bban)
    faux = iban[:position] + str((int(iban[position]) + decalage) % 10) + iban[position + 1 :]
    with transaction.atomic():
        avant = CoordonneesBancaires.objects.count()
        with pytest.raises(ValidationError) as refus:
            org_services.ajouter_coordonnees_bancaires(
                acting_user=gp, structure=structure, titulaire="Titulaire", iban=faux, bic="AGRIFRPP882"
            )
        assert refus.value.message_dict["iban"] == [
            "L'IBAN saisi n'est pas valide (vérifiez sa longueur et sa clé de contrôle)."
        ]
        assert CoordonneesBancaires.objects.count() == avant
        espace = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)).lower()
        coordonnees = org_services.ajouter_coordonnees_bancaires(
            acting_user=gp, structure=structure, titulaire="Titulaire", iban=espace, bic="AGRIFRPP882"
        )
        assert coordonnees.iban == iban
        transaction.set_rollback(True)


# --- XML readers -----------------------------------------------------------------------------------------------

CII = b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'


@given(st.binary(max_size=2000))
def test_octets_quelconques_xml_lu_ou_refus_en_francais(contenu):
    try:
        racine = xml_securise.parser(contenu)
    except xml_securise.XmlInvalide as exc:
        assert str(exc).startswith(("Le fichier XML", "Le contenu fourni"))
    else:
        assert racine is not None


@given(st.text(max_size=300))
def test_texte_quelconque_dans_une_facture_cii_lu_ou_refus_en_francais(texte):
    contenu = CII + texte.encode("utf-8") + b"</rsm:CrossIndustryInvoice>"
    try:
        syntaxe, donnees = lire_xml(contenu)
    except xml_securise.XmlInvalide as exc:
        assert str(exc).startswith("Le fichier XML") or "facture" in str(exc)
    else:
        assert syntaxe == "CII" and donnees is not None


@given(st.sampled_from(["lol", "x SYSTEM 'file:///etc/passwd'", "y PUBLIC 'a' 'http://exemple.fr/d.dtd'"]), st.text())
def test_tout_doctype_est_refuse_quel_que_soit_le_reste(entite, reste):
    contenu = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY {entite}>]>'.encode() + reste.encode("utf-8", "replace")
    with pytest.raises(xml_securise.XmlInvalide, match="DOCTYPE"):
        xml_securise.parser(contenu)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(st.one_of(st.binary(max_size=600), st.binary(max_size=600).map(lambda b: b"%PDF-1.7\n" + b)))
def test_un_depot_quelconque_est_analyse_ou_refuse_en_francais(contenu):
    try:
        depot.analyser(contenu)
    except ValidationError as exc:
        assert exc.messages and all(m[0].isupper() for m in exc.messages)
