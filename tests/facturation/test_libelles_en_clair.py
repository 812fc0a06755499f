"""Words, never codes, for people (issue 14 item 12): units (« m² », not « MTK »), accented statuses (« À recycler »,
« État »), amounts printed the one way (« 1 791,60 € ») in e-mails too, and no sentence comparing the portal with
Chorus Pro."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from chorus.models import OutboxMessage
from facturation.enums import Cadre, StatutFacture, libelle_unite
from facturation.forms import LigneForm
from facturation.models import LignePoste
from sollicitations.enums import StatutSollicitation
from tests.factories import utilisateur_de
from tests.facturation.factories import FactureFactory, ligne

pytestmark = pytest.mark.django_db
RACINE = Path(__file__).resolve().parents[2]


def test_les_unites_se_lisent_en_francais():
    assert libelle_unite("C62") == "unité" and libelle_unite("MTK") == "m²" and libelle_unite("HUR") == "heure"
    assert libelle_unite("XYZ") == "XYZ"  # an unknown code of a deposited document is kept as written
    rendu = str(LigneForm()["unite"])
    assert '<option value="MTK">m²</option>' in rendu and '<option value="C62" selected>unité</option>' in rendu
    # A unit read from a deposited document and unknown to the list stays selectable as it is.
    assert '<option value="XYZ" selected>XYZ</option>' in str(LigneForm(initial={"unite": "XYZ"})["unite"])
    assert not LigneForm(
        data={"denomination": "d", "quantite": "1", "unite": "???", "prix_unitaire_ht": "1", "taux_tva": "20"}
    ).is_valid()


def test_le_destinataire_lit_m2_et_non_mtk(client, fournisseur_gp, etat):
    facture = FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        numero="F-M2",
        service="DRFIP_IDF",
        numero_engagement="EJ-1",
        lignes=[ligne("Carrelage", quantite=12, prix_unitaire_ht="149.30", unite="MTK")],
        envoyer=True,
    )
    assert LignePoste.objects.get(facture=facture).unite == "MTK"  # the code stays in the data (BT-130)
    agent = utilisateur_de(etat, profils={"FACTURES_RECUES": "consultation"})
    client.force_login(agent)
    contenu = client.get(reverse("facture_recue", args=[facture.pk])).content.decode()
    (cellules,) = re.findall(r'<tr data-testid="ligne">(.*?)</tr>', contenu)
    assert "<td>m²</td>" in cellules and "MTK" not in contenu
    assert "1\u202f791,60\u00a0€" in contenu.replace("&nbsp;", "\u00a0")


def test_les_statuts_portent_leurs_accents():
    assert StatutFacture.A_RECYCLER.label == "À recycler"
    assert StatutSollicitation.A_TRAITER.label == "À traiter"
    assert Cadre.A15.label == "A15 – État d'acompte déposé par une MOE"


def test_le_courriel_au_valideur_ecrit_le_montant_a_la_francaise(fournisseur_gp, etat):
    from tests.facturation.factories import fournisseur_pret

    titulaire, structure_titulaire = fournisseur_pret(raison_sociale="Durand Construction", email="t@durand.fr")
    FactureFactory(
        fournisseur_gp=fournisseur_gp,
        destinataire=etat,
        numero="F-A9",
        service="DRFIP_IDF",
        numero_engagement="EJ-1",
        cadre=Cadre.A9,
        valideur=structure_titulaire,
        lignes=[ligne(quantite=12, prix_unitaire_ht="124.4167")],
        envoyer=True,
    )
    (courriel,) = [m for m in OutboxMessage.objects.all() if "à valider" in m.payload["subject"]]
    assert "d'un montant TTC de 1\u202f791,60\u00a0€" in courriel.payload["body"]


def test_aucune_phrase_ne_compare_le_portail_a_chorus_pro():
    gabarits = [p for p in RACINE.glob("*/templates/**/*.html") if ".venv" not in p.parts]
    gabarits += list((RACINE / "templates").glob("**/*.html"))
    assert len(gabarits) > 60
    comparaison = re.compile(r"(comme dans|comme sur|celle de|celui de|contrairement à) chorus pro", re.I)
    assert not [str(p) for p in gabarits if comparaison.search(p.read_text())]
