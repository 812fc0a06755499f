"""``charger_demo_travaux`` (called by ``make run``): a works dossier at every step of the chains, built by the
services, for the supplier, MOE and MOA demo accounts; loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from chorus import demo
from facturation import queries as facturation_queries
from facturation.enums import Cadre, StatutFacture
from organisation import queries as org_queries
from organisation.enums import Application, Niveau, OptionMoa
from organisation.management.commands.charger_demo import MOT_DE_PASSE_DEMO
from organisation.models import Structure, Utilisateur
from tests import historique
from travaux import queries, services
from travaux.models import DossierFacturation, HistoriquePiece, PieceTravaux
from travaux.statuts import StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece


@pytest.fixture
def demo_chargee():
    call_command("charger_demo", stdout=StringIO())
    call_command("charger_demo_factures", stdout=StringIO())
    sortie = StringIO()
    call_command("charger_demo_travaux", stdout=sortie)
    assert "chargées (" in sortie.getvalue()


def _statuts(user) -> dict[str, str]:
    return dict(PieceTravaux.objects.visibles_par(user).values_list("numero", "statut"))


def test_chaque_etape_des_chaines_existe(demo_chargee):
    fournisseur = Utilisateur.objects.get(email="fournisseur@demo.chorus-pro.fr")
    assert _statuts(fournisseur) == {
        "PDM-2026-07": S.BROUILLON,
        "PDM-2026-06": S.MISE_A_DISPOSITION_MOE,
        "PDM-2026-05": S.ASSOCIEE,
        "EA-2026-05": S.MISE_A_DISPOSITION_MOA,
        "PDM-2026-04": S.ASSOCIEE,
        "EA-2026-04": S.ASSOCIEE,
        "EAV-2026-04": S.MISE_A_DISPOSITION,
        "PDM-2026-03": S.ERREUR_FOURNISSEUR_SUR_MOE,
        "PDM-2026-02": S.SUSPENDUE,
        "DF-2025-11": S.ASSOCIEE,
        "PDG-2025-11": S.ASSOCIEE,
        "DG-2025-11": S.MISE_A_DISPOSITION_FOURNISSEUR,
        "DF-2025-12": S.ASSOCIEE,
        "PDG-2025-12": S.ASSOCIEE,
        "DG-2025-12": S.ASSOCIEE,
        "DGD-2025-12": S.MISE_A_DISPOSITION,
        "ST-PDM-2026-05": S.A_VALIDER_1,
        "PDM-2026-V1": S.ASSOCIEE,
        "EAV-2026-V1": S.MISE_A_DISPOSITION,
    }
    cadres = dict(PieceTravaux.objects.values_list("numero", "cadre"))
    assert cadres["EA-2026-05"] == Cadre.A15 and cadres["EAV-2026-04"] == Cadre.A19
    assert cadres["DGD-2025-12"] == Cadre.A8 and cadres["ST-PDM-2026-05"] == Cadre.A10
    assert cadres["EAV-2026-V1"] == Cadre.A16

    # Built by the services: each status reached has its history row, and each chain is intact.
    for piece in PieceTravaux.objects.all():
        suite = historique.statuts(piece)
        assert suite[0] == S.BROUILLON and suite[-1] == piece.statut, piece.numero
        assert HistoriquePiece.chaine_intacte(piece), piece.numero
    assert DossierFacturation.objects.count() == 10

    # The payable pieces continue in « Factures reçues »: the MOA's structure (« avec MOA ») and the commune
    # « sans MOA », both reached by moa@.
    moa = Utilisateur.objects.get(email="moa@demo.chorus-pro.fr")
    recues = dict(facturation_queries.factures_recues(moa).values_list("numero", "statut"))
    assert recues == {
        "EAV-2026-04": StatutFacture.MISE_A_DISPOSITION,
        "DGD-2025-12": StatutFacture.MISE_A_DISPOSITION,
        "EAV-2026-V1": StatutFacture.MISE_A_DISPOSITION,
    }
    commune = Structure.objects.get(raison_sociale="Commune de Vif")
    assert commune.option_moa == OptionMoa.SANS_MOA
    assert PieceTravaux.objects.get(numero="EAV-2026-V1").facture.destinataire == commune
    assert Structure.objects.get(raison_sociale="Département de l'Isère").option_moa == OptionMoa.AVEC_MOA


def test_chargement_idempotent(demo_chargee):
    avant = (
        PieceTravaux.objects.count(),
        DossierFacturation.objects.count(),
        HistoriquePiece.objects.count(),
        Utilisateur.objects.count(),
        Structure.objects.count(),
    )
    sortie = StringIO()
    call_command("charger_demo_travaux", stdout=sortie)
    assert "aucun chargement" in sortie.getvalue()
    assert avant == (
        PieceTravaux.objects.count(),
        DossierFacturation.objects.count(),
        HistoriquePiece.objects.count(),
        Utilisateur.objects.count(),
        Structure.objects.count(),
    )


def test_sans_les_comptes_de_base_rien_n_est_charge():
    sortie = StringIO()
    call_command("charger_demo_travaux", stdout=sortie)
    assert "aucun chargement" in sortie.getvalue()
    assert not PieceTravaux.objects.exists() and not Utilisateur.objects.exists()


def test_les_comptes_moe_et_moa_se_connectent_et_voient_leurs_pieces(demo_chargee, client):
    for email in ("moe@demo.chorus-pro.fr", "moa@demo.chorus-pro.fr", "fournisseur@demo.chorus-pro.fr"):
        assert client.login(username=email, password=MOT_DE_PASSE_DEMO), email
        user = Utilisateur.objects.get(email=email)
        structures = org_queries.structures_de(user, Application.FACTURES_TRAVAUX, Niveau.MODIFICATION)
        assert structures.exists(), email
        client.logout()

    moe = Utilisateur.objects.get(email="moe@demo.chorus-pro.fr")
    vues_moe = _statuts(moe)
    assert "PDM-2026-07" not in vues_moe  # the supplier's draft stays its own
    assert vues_moe["PDM-2026-06"] == S.MISE_A_DISPOSITION_MOE
    a_traiter = set(
        PieceTravaux.objects.visibles_par(moe).filter(queries.condition_a_traiter(moe)).values_list("numero", flat=True)
    )
    assert a_traiter == {"PDM-2026-06"}
    piece = PieceTravaux.objects.get(numero="PDM-2026-06")
    assert "prendre_en_compte" in services.actions_possibles(moe, piece)

    moa = Utilisateur.objects.get(email="moa@demo.chorus-pro.fr")
    a_traiter = set(
        PieceTravaux.objects.visibles_par(moa).filter(queries.condition_a_traiter(moa)).values_list("numero", flat=True)
    )
    assert a_traiter == {"EA-2026-05"}
    assert "deposer_suivante" in services.actions_possibles(moa, PieceTravaux.objects.get(numero="EA-2026-05"))

    fournisseur = Utilisateur.objects.get(email="fournisseur@demo.chorus-pro.fr")
    a_traiter = set(
        PieceTravaux.objects.visibles_par(fournisseur)
        .filter(queries.condition_a_traiter(fournisseur))
        .values_list("numero", flat=True)
    )
    assert a_traiter == {"PDM-2026-07", "PDM-2026-03", "PDM-2026-02", "DG-2025-11"}
    assert services.actions_possibles(fournisseur, PieceTravaux.objects.get(numero="PDM-2026-03")) == ["corriger"]
    assert "deposer_suivante" in services.actions_possibles(fournisseur, PieceTravaux.objects.get(numero="DG-2025-11"))

    titulaire = Utilisateur.objects.get(email="titulaire@demo.chorus-pro.fr")
    piece = PieceTravaux.objects.get(numero="ST-PDM-2026-05")
    assert PieceTravaux.objects.visibles_par(titulaire).filter(pk=piece.pk).exists()
    assert services.actions_possibles(titulaire, piece) == ["valider", "refuser"]


def test_runportal_affiche_les_comptes_moe_et_moa():
    assert "charger_demo_travaux" in demo.chargeurs()
    ordre = demo.chargeurs()
    assert ordre.index("charger_demo_factures") < ordre.index("charger_demo_travaux")
    emails = [c["email"] for c in demo.comptes()]
    assert "moe@demo.chorus-pro.fr" in emails and "moa@demo.chorus-pro.fr" in emails
    assert demo.mot_de_passe() == MOT_DE_PASSE_DEMO
