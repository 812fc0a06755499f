"""The pre-filled deposit form as a user sees it: the banner names the fields to check in French (never an internal
key nor a format code), and a reopened draft shows its invoice date in the date input."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from facturation import forms
from facturation.models import Facture
from facturation.views.depot import LIBELLE_CHAMP_INCONNU, libelle_champ, libelle_format, libelles_a_verifier
from organisation.models import Structure
from tests import outils
from tests.fixtures_facturation import donnees_saisie

FACTURATION = Path(__file__).resolve().parents[2] / "facturation"


@pytest.mark.parametrize(
    ("cle", "libelle"),
    [
        ("destinataire.siret", "SIRET du destinataire"),
        ("fournisseur.siret", "SIRET du fournisseur"),
        ("date_emission", "Date de facture"),
        ("date_echeance", "Date d'échéance"),
        ("lignes[0].prix_unitaire_ht", "Prix unitaire HT de la ligne 1"),
        ("lignes[11].remise_ht", "Remise HT de la ligne 12"),
        ("totaux.total_ttc", "Total TTC"),
        ("tva", "Taux de TVA"),
        ("lignes", "Lignes de poste"),
    ],
)
def test_libelle_de_chaque_champ(cle, libelle):
    assert libelle_champ(cle) == libelle


def test_une_cle_inconnue_n_est_jamais_montree(caplog):
    assert libelle_champ("partie.nouveau_champ") == LIBELLE_CHAMP_INCONNU
    assert libelle_champ("lignes[0].champ_inconnu") == LIBELLE_CHAMP_INCONNU
    assert "partie.nouveau_champ" in caplog.text  # for the developers, in the log only


def test_chaque_cle_produite_par_le_code_a_son_libelle():
    """Every key the parsers put in ``champs_a_verifier`` (string literals, f-strings with a role or a line
    index) has its French label: a key added without one fails here rather than reaching the banner."""
    cles = set()
    for source in FACTURATION.glob("*.py"):
        texte = source.read_text(encoding="utf-8")
        cles |= set(re.findall(r"a_verifier\.add\(f?\"([^\"]+)\"\)", texte))
        for ensemble in re.findall(r"a_verifier\s*=\s*\{([^}]*)\}", texte):
            cles |= set(re.findall(r"\"([^\"]+)\"", ensemble))
    concretes = set()
    for cle in cles:
        cle = cle.replace("{index}", "0").replace("{i}", "0")
        if "{role}" in cle:
            concretes |= {cle.replace("{role}", role) for role in ("fournisseur", "destinataire")}
        elif "{cle}" not in cle:
            concretes.add(cle)
    assert {"numero", "destinataire.siret", "tva", "lignes"} <= concretes
    sans_libelle = {cle for cle in concretes if libelle_champ(cle) == LIBELLE_CHAMP_INCONNU}
    assert not sans_libelle, f"Clés sans libellé dans facturation/views/depot.py : {sorted(sans_libelle)}"


def test_bandeau_dans_l_ordre_du_formulaire_et_sans_doublon():
    assert libelles_a_verifier(
        [
            "totaux.total_ht",
            "lignes[1].prix_unitaire_ht",
            "numero",
            "destinataire.siret",
            "lignes[0].remise_ht",
            "lignes",
            "tva",
            "autre.cle",
            "encore.une",
        ]
    ) == [
        "SIRET du destinataire",
        "Numéro de facture",
        "Lignes de poste",
        "Remise HT de la ligne 1",
        "Prix unitaire HT de la ligne 2",
        "Taux de TVA",
        "Total HT",
        LIBELLE_CHAMP_INCONNU,
    ]


@pytest.mark.parametrize(
    ("analyse", "libelle"),
    [
        ({"format": "PDF_NON_SIGNE", "libelle_format": "PDF non signé"}, "PDF non signé"),
        ({"format": "PDF_SIGNE"}, "PDF signé (PAdES)"),
        # A format this page does not know yet, or an old analysis whose label is the code itself.
        ({"format": "FACTURX_BASIC_WL", "libelle_format": "FACTURX_BASIC_WL"}, "PDF"),
        ({"format": "UBL_ORDER", "libelle_format": "UBL_ORDER"}, "XML"),
        ({"format": "CII_D22B", "libelle_format": "XML CII (D22B)"}, "XML CII (D22B)"),
        ({"format": "ZIP"}, "format non reconnu"),
    ],
)
def test_libelle_du_format_jamais_un_code(analyse, libelle):
    assert libelle_format(analyse) == libelle


@pytest.mark.django_db
def test_brouillon_depose_rouvert_bandeau_en_francais(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    client.post(reverse("saisir_facture"), {**donnees_saisie(structure, etat), "action": "enregistrer"})
    facture = Facture.objects.get()
    cles = ["date_emission", "destinataire.siret", "lignes[0].prix_unitaire_ht", "totaux.total_ttc", "numero"]
    Facture.objects.filter(pk=facture.pk).update(
        analyse_depot={
            "format": "PDF_NON_SIGNE",
            "libelle_format": "PDF_NON_SIGNE",
            "signatures": [],
            "erreurs": [],
            "champs_a_verifier": cles,
        }
    )
    response = client.get(reverse("modifier_brouillon", args=[facture.pk]))
    texte = outils.texte(response)
    bandeau = re.search(r'data-testid="champs-a-verifier">([^<]*)<', texte).group(1)
    assert bandeau == (
        "SIRET du destinataire, Numéro de facture, Date de facture, Prix unitaire HT de la ligne 1, Total TTC"
    )
    encadre = re.search(r'data-testid="analyse-depot">(.*?)</div>', texte, re.DOTALL).group(1)
    assert "Fichier déposé : PDF non signé" in encadre
    for code in [*cles, "PDF_NON_SIGNE"]:
        assert code not in encadre
    assert "PDF_NON_SIGNE" not in texte
    # The form still marks the fields themselves (it reads the keys, not the labels).
    assert response.context["form"].fields["numero"].help_text.startswith("À vérifier")


# --- The invoice date of a reopened draft ------------------------------------------------------------------------


def test_le_champ_date_rend_une_valeur_iso():
    form = forms.SaisieFactureForm(
        initial={"date_facture": date(2026, 12, 3)}, structures=Structure.objects.none(), user=AnonymousUser()
    )  # no database query: the querysets are lazy
    rendu = str(form["date_facture"])
    assert 'type="date"' in rendu
    assert 'value="2026-12-03"' in rendu


@pytest.mark.django_db
def test_brouillon_rouvert_garde_sa_date_et_se_reenregistre(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    hier = date.today() - timedelta(days=1)
    donnees = donnees_saisie(structure, etat, date_facture=hier.isoformat())
    client.post(reverse("saisir_facture"), {**donnees, "action": "enregistrer"})
    facture = Facture.objects.get()
    assert facture.date_facture == hier

    response = client.get(reverse("modifier_brouillon", args=[facture.pk]))
    champ = re.search(r'<input[^>]*name="date_facture"[^>]*>', response.content.decode()).group(0)
    assert 'type="date"' in champ
    assert f'value="{hier.isoformat()}"' in champ
    assert hier.strftime("%d/%m/%Y") not in champ

    # Saved again with what the page shows: the date stays.
    client.post(reverse("modifier_brouillon", args=[facture.pk]), {**donnees, "action": "enregistrer"})
    facture.refresh_from_db()
    assert facture.date_facture == hier
