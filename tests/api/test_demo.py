"""The demo access (charger_demo_api, called by runportal) and the creation command."""

import base64
from io import StringIO

from django.core.management import call_command

from chorus.api.models import ClientOAuth
from facturation.models import Facture, FluxDepot
from organisation import queries as org_queries
from organisation import services as org_services
from organisation.enums import Application, Niveau
from organisation.management.commands import charger_demo_api as demo
from organisation.models import CompteTechnique, Utilisateur


def test_charger_demo_api_idempotent_et_utilisable(db, client):
    call_command("charger_demo", stdout=StringIO())
    call_command("charger_demo_api", stdout=StringIO())
    call_command("charger_demo_api", stdout=StringIO())
    assert ClientOAuth.objects.count() == 1 and CompteTechnique.objects.count() == 1
    # « Raccordements » of Bâtiments Martin SAS shows the demo client and account to its gestionnaire.
    gp = Utilisateur.objects.get(email="gestionnaire@demo.chorus-pro.fr")
    assert [lien.client.client_id for lien in org_queries.clients_api_de(gp)] == [demo.CLIENT_ID]
    assert [c.login for c in org_queries.comptes_techniques_de(gp)] == [demo.LOGIN]
    jeton = client.post(
        "/api/oauth/token",
        data=f"grant_type=client_credentials&client_id={demo.CLIENT_ID}&client_secret={demo.CLIENT_SECRET}",
        content_type="application/x-www-form-urlencoded",
    ).json()["access_token"]
    r = client.post(
        "/cpro/structures/v1/rechercher",
        data={"structure": {"identifiantStructure": demo.SIRET_FOURNISSEUR}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {jeton}",
        HTTP_CPRO_ACCOUNT=base64.b64encode(f"{demo.LOGIN}:{demo.MOT_DE_PASSE}".encode()).decode(),
    )
    assert r.status_code == 200
    assert [s["designationStructure"] for s in r.json()["listeStructures"]] == ["Bâtiments Martin SAS"]


def test_charger_demo_api_donne_au_compte_existant_les_profils_du_jour(db):
    call_command("charger_demo", stdout=StringIO())
    call_command("charger_demo_api", stdout=StringIO())
    compte = CompteTechnique.objects.get()
    org_services.definir_profils(
        utilisateur=compte.utilisateur, structure=compte.structure, profils={Application.FACTURES_TRAVAUX: None}
    )
    call_command("charger_demo_api", stdout=StringIO())
    profils = org_services.profils_de(utilisateur=compte.utilisateur, structure=compte.structure)
    assert profils[Application.FACTURES_TRAVAUX] == Niveau.MODIFICATION
    assert CompteTechnique.objects.count() == 1


def test_creer_acces_api(fournisseur_gp):
    _, structure = fournisseur_gp
    sortie = StringIO()
    call_command("creer_acces_api", "--client-id", "erp", "--siret", structure.identifiant, stdout=sortie)
    texte = sortie.getvalue()
    assert "client_secret=" in texte and "mot_de_passe=" in texte
    compte = CompteTechnique.objects.get()
    assert compte.structure == structure and compte.login == f"TECH_{structure.pk}_{structure.identifiant}@cpro.fr"
    assert not compte.utilisateur.has_usable_password()


def test_flux_de_demonstration_dans_le_suivi_des_flux(db, client):
    for commande in ("charger_demo", "charger_demo_factures", "charger_demo_api", "charger_demo_flux"):
        call_command(commande, stdout=StringIO())
    call_command("charger_demo_flux", stdout=StringIO())  # once
    flux = FluxDepot.objects.get()
    assert flux.etat == FluxDepot.Etat.INTEGRE_PARTIEL and flux.compte.login == demo.LOGIN
    assert [e["numeroDP"] for e in flux.erreurs_dp] == ["lisez-moi.txt"]
    assert Facture.objects.get(numero="FLUX-DEMO-1").mode_depot == "FLUX"
    gp = Utilisateur.objects.get(email="gestionnaire@demo.chorus-pro.fr")
    client.force_login(gp)
    assert flux.numero in client.get("/raccordements/flux/").content.decode()
