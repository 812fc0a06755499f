"""« Saisir facture »: the recipient found inside the form (issue 14 item 2). A search by SIRET, raison sociale or
postal code among the active public structures of the directory, at most 20 results; the chosen structure's
services with their rules; the form keeps what was typed (no JavaScript) and the fragment endpoints give the same
HTML to the page's script, rate-limited. Refusals: no profile, too short, too many searches."""

import pytest
from django.urls import reverse

from facturation.models import Facture
from organisation import queries as org_queries
from tests import outils
from tests.factories import StructureFactory, UtilisateurFactory
from tests.fixtures_facturation import SIRET_ETAT, donnees_saisie

pytestmark = pytest.mark.django_db


def _saisie(structure, etat, **changes):
    return {**donnees_saisie(structure, etat), "recherche_destinataire": "", **changes}


def test_recherche_par_nom_code_postal_ou_siret_parmi_les_structures_publiques_actives(communes):
    vif, varces, attente, privee = communes
    assert list(org_queries.rechercher_destinataires("commune de v")) == [varces, vif]
    assert list(org_queries.rechercher_destinataires("38450")) == [vif]  # not the private company
    assert list(org_queries.rechercher_destinataires(vif.identifiant[:9])) == [vif]
    assert list(org_queries.rechercher_destinataires("Veurey")) == []  # not active yet


def test_un_code_postal_non_diffusible_n_est_pas_cherche(db):
    StructureFactory(raison_sociale="Mairie secrète", publique=True, code_postal="38450", non_diffusible=True)
    assert list(org_queries.rechercher_destinataires("38450")) == []
    assert [s.raison_sociale for s in org_queries.rechercher_destinataires("secrète")] == ["Mairie secrète"]


def test_au_plus_vingt_resultats(client, fournisseur_gp):
    gp, _ = fournisseur_gp
    for i in range(25):
        StructureFactory(raison_sociale=f"Syndicat des eaux {i:02d}", publique=True)
    client.force_login(gp)
    response = client.get(reverse("rechercher_destinataires"), {"recherche_destinataire": "syndicat des eaux"})
    texte = outils.texte(response)
    assert texte.count('data-testid="destinataire-trouve"') == 20
    assert "Les 20 premières structures trouvées sont affichées : précisez la recherche." in texte


def test_sans_javascript_rechercher_garde_la_saisie_et_liste_les_structures(client, fournisseur_gp, etat, communes):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    response = client.post(
        reverse("saisir_facture"),
        _saisie(structure, etat, action="rechercher_destinataire", recherche_destinataire="Commune de V"),
    )
    assert response.status_code == 200
    texte = outils.texte(response)
    assert "2 structures trouvées." in texte
    assert f'name="choisir_destinataire" value="{communes[0].identifiant}"' in texte
    assert "Commune de Veurey" not in texte and "Commune Conseil SARL" not in texte
    assert 'value="F2026-001"' in texte and 'value="Main d\'œuvre"' in texte  # what was typed stays
    assert "Ce champ est obligatoire" not in texte and "fr-input-group--error" not in texte  # no error before an action
    assert not Facture.objects.exists()


def test_choisir_une_structure_remplit_le_siret_et_liste_ses_services_et_regles(client, fournisseur_gp, etat, communes):
    gp, structure = fournisseur_gp
    vif = communes[0]
    client.force_login(gp)
    response = client.post(reverse("saisir_facture"), _saisie(structure, etat, choisir_destinataire=vif.identifiant))
    texte = outils.texte(response)
    assert response.context["form"]["destinataire_siret"].value() == vif.identifiant
    assert response.context["form"]["destinataire_etat"].value() == "non"
    assert response.context["form"]["code_service"].value() == ""  # DRFIP_IDF belonged to the State
    assert f"Destinataire : {vif.identifiant} – Commune de Vif" in texte
    assert "Code service obligatoire : Non" in texte and "Numéro d'engagement obligatoire : Oui" in texte
    assert [s.code for s in response.context["services_destinataire"]] == ["ECOLES", "TECHNIQUE"]  # active only
    assert not Facture.objects.exists()


def test_choisir_l_etat_passe_par_la_question_et_choisir_un_service_remplit_le_code(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    client.force_login(gp)
    donnees = _saisie(structure, etat, destinataire_etat="non", code_service="", choisir_destinataire=SIRET_ETAT)
    response = client.post(reverse("saisir_facture"), donnees)
    form = response.context["form"]
    assert (form["destinataire_etat"].value(), form["destinataire_siret"].value()) == ("oui", "")
    assert "Code service obligatoire : Oui" in outils.texte(response)
    response = client.post(
        reverse("saisir_facture"), _saisie(structure, etat, code_service="", choisir_service="FACTURES_PUBLIQUES")
    )
    assert response.context["form"]["code_service"].value() == "FACTURES_PUBLIQUES"
    assert not Facture.objects.exists()


def test_les_regles_du_destinataire_choisi_sont_appliquees_a_l_envoi(client, fournisseur_gp, etat, communes):
    """The rules shown are those the send enforces (``controles.verifier_acheminement``)."""
    gp, structure = fournisseur_gp
    vif = communes[0]
    client.force_login(gp)
    choix = {"destinataire_etat": "non", "destinataire_siret": vif.identifiant, "code_service": "TECHNIQUE"}
    response = client.post(
        reverse("saisir_facture"), _saisie(structure, etat, **choix, numero_engagement="", action="valider")
    )
    assert "Le numéro d'engagement est obligatoire pour ce destinataire." in outils.texte(response)
    # « Valider » saves the draft first: it has the chosen recipient and service, and stays a draft.
    facture = Facture.objects.get()
    assert (facture.destinataire, facture.service_destinataire.code) == (vif, "TECHNIQUE")
    assert facture.date_depot is None


def test_fragment_des_resultats_et_des_services(client, fournisseur_gp, communes, django_assert_max_num_queries):
    gp, _ = fournisseur_gp
    client.force_login(gp)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("rechercher_destinataires"), {"recherche_destinataire": "38450"})
    texte = outils.texte(response)
    assert 'data-annonce="1 structure trouvée."' in texte and "38450 Vif" in texte
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("services_destinataire"),
            {"destinataire_etat": "non", "destinataire_siret": communes[0].identifiant},
        )
    assert "Services techniques" in outils.texte(response) and "Service fermé" not in outils.texte(response)
    # A SIRET that is no active public structure: nothing to list.
    response = client.get(
        reverse("services_destinataire"), {"destinataire_etat": "non", "destinataire_siret": communes[3].identifiant}
    )
    assert outils.texte(response).strip() == ""


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("V", "Saisissez au moins 2 caractères : SIRET, raison sociale ou code postal."),
        ("x" * 101, "La recherche comporte au plus 100 caractères."),
        ("Introuvable", "Aucune structure publique active ne correspond à « Introuvable »."),
    ],
)
def test_recherche_refusee_ou_vide_avec_un_message(client, fournisseur_gp, communes, texte, message):
    gp, _ = fournisseur_gp
    client.force_login(gp)
    response = client.get(reverse("rechercher_destinataires"), {"recherche_destinataire": texte})
    assert response.status_code == 200
    assert message in outils.texte(response)
    assert 'data-testid="destinataire-trouve"' not in outils.texte(response)


def test_trop_de_recherches_refusees_429(client, fournisseur_gp, communes, settings):
    settings.CHORUS_LIMITES = {"recherche_destinataires": (2, 60)}
    gp, _ = fournisseur_gp
    client.force_login(gp)
    url = reverse("rechercher_destinataires")
    for _ in range(2):
        assert client.get(url, {"recherche_destinataire": "Vif"}).status_code == 200
    response = client.get(url, {"recherche_destinataire": "Vif"})
    assert response.status_code == 429
    assert "Trop de recherches en peu de temps : réessayez dans une minute." in outils.texte(response)
    assert "Commune de Vif" not in outils.texte(response)


def test_sans_profil_factures_emises_en_modification_refuse(client, communes):
    utilisateur = UtilisateurFactory()
    client.force_login(utilisateur)
    assert client.get(reverse("rechercher_destinataires"), {"recherche_destinataire": "Vif"}).status_code == 403
    assert client.get(reverse("services_destinataire"), {"destinataire_siret": SIRET_ETAT}).status_code == 403
    client.logout()
    response = client.get(reverse("rechercher_destinataires"), {"recherche_destinataire": "Vif"})
    assert response.status_code == 302 and "connexion" in response["Location"]
