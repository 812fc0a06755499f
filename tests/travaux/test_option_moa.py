"""Item 6: the MOA parameter of « Gérer une structure » (``option_moa``: « avec MOA », « exclusivement MOA »,
« sans MOA ») is set by the GP of a public structure, takes effect with the 30-minute rule, and is read when the
next piece is routed; the pieces already routed keep the rule recorded on them."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from facturation.enums import Cadre
from organisation import services as org_services
from organisation.enums import OptionMoa
from organisation.models import Structure
from tests import outils
from tests.travaux.factories import acteur, deposer_initial, deposer_suite
from travaux.models import PieceTravaux
from travaux.services import DepotTravauxRefuse

pytestmark = pytest.mark.django_db


@pytest.fixture
def acteurs():
    moa = acteur("COMMUNE DE SAINT-JEAN", publique=True, option_moa=OptionMoa.AVEC_MOA)
    org_services._devenir_gestionnaire(utilisateur=moa[0], structure=moa[1])
    return {"fournisseur": acteur("Titulaire SAS"), "moe": acteur("MOE SARL"), "moa": moa}


def _parametres(structure, **changements) -> dict:
    """The « Paramètres de la structure publique » form as the page posts it (unchecked boxes are absent)."""
    data = {"action": "parametres", "parametres-option_moa": structure.option_moa}
    for champ in (
        "code_service_obligatoire",
        "engagement_obligatoire",
        "service_ou_engagement_obligatoire",
        "mise_en_paiement_non_remontee",
        "emetteur_edi",
        "recepteur_edi",
    ):
        if getattr(structure, champ):
            data[f"parametres-{champ}"] = "on"
    data.update({f"parametres-{k}": v for k, v in changements.items()})
    return data


def test_le_gp_d_une_structure_publique_voit_le_parametre_et_ses_trois_choix(client, acteurs):
    gp, moa = acteurs["moa"]
    client.force_login(gp)
    response = client.get(reverse("gerer_structure", args=[moa.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    select = re.search(r'<select[^>]*name="parametres-option_moa".*?</select>', html, re.S)
    assert select is not None
    assert re.search(r'<label[^>]*for="id_parametres-option_moa"[^>]*>\s*Maîtrise d(&#x27;|\')ouvrage', html, re.I)
    choix = dict(re.findall(r'<option value="([A-Z_]+)"[^>]*>([^<]+)</option>', select.group(0)))
    assert choix == {
        OptionMoa.SANS_MOA: "Structure sans MOA",
        OptionMoa.AVEC_MOA: "Structure avec MOA",
        OptionMoa.MOA_UNIQUEMENT: "Structure exclusivement MOA",
    }
    assert re.search(r'<option value="AVEC_MOA"[^>]*selected', select.group(0))


def test_une_structure_privee_n_a_pas_le_parametre(client, acteurs):
    gp, moe = acteurs["moe"]
    org_services._devenir_gestionnaire(utilisateur=gp, structure=moe)
    client.force_login(gp)
    response = client.get(reverse("gerer_structure", args=[moe.pk]))
    assert response.status_code == 200 and "parametres-option_moa" not in response.content.decode()
    client.post(reverse("gerer_structure", args=[moe.pk]), _parametres(moe, option_moa=OptionMoa.AVEC_MOA))
    outils.modifications_appliquees()
    assert Structure.objects.get(pk=moe.pk).option_moa == OptionMoa.SANS_MOA  # the default, unchanged


def test_changer_le_parametre_change_l_acheminement_de_la_piece_suivante(client, acteurs):
    f, moe, (gp, moa) = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    # « Structure avec MOA »: the MOE's état d'acompte goes to the MOA (A15), which validates it (A19) and pays.
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa)
    a15 = deposer_suite(moe, a4, cadre=Cadre.A15)
    a15.refresh_from_db()
    regle_a4 = PieceTravaux.objects.get(pk=a4.pk).regle_acheminement
    regle_avant = a15.regle_acheminement
    assert regle_avant.startswith("MOA « Structure avec MOA »") and "maîtrise d'ouvrage" in regle_avant

    # The GP switches the structure to « sans MOA » in « Gérer une structure ».
    client.force_login(gp)
    depart = timezone.now()
    response = client.post(reverse("gerer_structure", args=[moa.pk]), _parametres(moa, option_moa=OptionMoa.SANS_MOA))
    assert response.status_code == 302
    assert "Votre modification est enregistrée" in outils.texte(client.get(response.url))

    # Until the change takes effect (30 minutes), pieces are routed by the old rule.
    a4_bis = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa)
    with pytest.raises(DepotTravauxRefuse):
        deposer_suite(moe, a4_bis, cadre=Cadre.A16)

    with time_machine.travel(depart + timedelta(minutes=31)):
        assert org_services.appliquer_modifications_dues() == 1
        assert Structure.objects.get(pk=moa.pk).option_moa == OptionMoa.SANS_MOA
        # The next piece: the MOA no longer receives works pieces, the MOE sends the A16 to its « Factures reçues ».
        with pytest.raises(DepotTravauxRefuse) as exc:
            deposer_suite(moe, a4_bis, cadre=Cadre.A15)
        assert "Structure sans MOA" in exc.value.message_dict["cadre"][0]
        a16 = deposer_suite(moe, a4_bis, cadre=Cadre.A16)
    a16.refresh_from_db()
    assert a16.regle_acheminement.startswith("Structure sans MOA")
    assert a16.facture.destinataire == moa

    # The pieces already routed keep the rule recorded on them.
    assert PieceTravaux.objects.get(pk=a15.pk).regle_acheminement == regle_avant
    assert PieceTravaux.objects.get(pk=a4.pk).regle_acheminement == regle_a4


def test_exclusivement_moa_le_service_financier_designe_paie(client, acteurs):
    f, moe, (gp, moa) = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    _, etat = acteur("SERVICES DE L'ETAT", publique=True, niveau=None)
    client.force_login(gp)
    depart = timezone.now()
    client.post(reverse("gerer_structure", args=[moa.pk]), _parametres(moa, option_moa=OptionMoa.MOA_UNIQUEMENT))
    with time_machine.travel(depart + timedelta(minutes=31)):
        org_services.appliquer_modifications_dues()
        a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa)
        a15 = deposer_suite(moe, a4, cadre=Cadre.A15)
        with pytest.raises(DepotTravauxRefuse) as exc:
            deposer_suite((gp, moa), a15, cadre=Cadre.A19)  # its own structure does not pay
        assert "exclusivement MOA" in exc.value.message_dict["destinataire"][0]
        a19 = deposer_suite((gp, moa), a15, cadre=Cadre.A19, destinataire=etat)
    a19.refresh_from_db()
    assert a19.facture.destinataire == etat and "service financier désigné" in a19.regle_acheminement
