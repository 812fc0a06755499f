"""The works chain as data (``travaux.statuts.CADRES``) applied by ``travaux.services``: each actor a distinct user
of a distinct structure; the refusals name the allowed cadres; the payable piece continues in « Factures reçues »."""

import pytest
from django.core.exceptions import PermissionDenied

from facturation import services as facturation_services
from facturation.enums import Cadre, StatutFacture
from facturation.models import Facture
from organisation.enums import OptionMoa
from tests import historique
from tests.travaux.factories import acteur, deposer_initial, deposer_suite, dossier
from travaux import services, statuts
from travaux.models import DossierFacturation, PieceTravaux
from travaux.services import DepotTravauxRefuse
from travaux.statuts import Role, StatutPiece

pytestmark = pytest.mark.django_db
S = StatutPiece


def test_chaine_en_cours_de_marche_a4_a15_a19_puis_factures_recues(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE and a4.recevant == moe[1] and a4.role_recevant == Role.MOE
    assert historique.statuts(a4) == [S.BROUILLON, S.DEPOSEE, S.MISE_A_DISPOSITION_MOE]
    dossier = a4.dossier
    assert dossier.numero.startswith(str(a4.created_at.year)) and dossier.demande_paiement_recue_le is not None

    services.prendre_en_compte(acting_user=moe[0], piece=a4)
    a15 = deposer_suite(moe, a4, cadre=Cadre.A15)
    a4.refresh_from_db()
    a15.refresh_from_db()
    assert a4.statut == S.ASSOCIEE
    assert historique.statuts(a4)[-2:] == [S.PRISE_EN_COMPTE_MOE, S.ASSOCIEE]
    assert a15.statut == S.MISE_A_DISPOSITION_MOA and a15.recevant == moa[1] and a15.dossier_id == dossier.pk

    a19 = deposer_suite(moa, a15, cadre=Cadre.A19)
    a19.refresh_from_db()
    a15.refresh_from_db()
    assert a15.statut == S.ASSOCIEE
    assert a19.statut == S.MISE_A_DISPOSITION
    facture = a19.facture
    # « avec MOA »: the MOA's structure pays; the invoice is the titulaire's, with the piece's amounts and PDF.
    assert facture.destinataire == moa[1] and facture.fournisseur == f[1]
    assert facture.type_demande_paiement == Facture.TypeDemandePaiement.FACTURE_TRAVAUX
    assert facture.cadre == Cadre.A19 and facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert (facture.montant_ht, facture.montant_ttc) == (a19.montant_ht, a19.montant_ttc)
    assert facture.empreinte_certificat
    assert "avec MOA" in a19.regle_acheminement

    # The service financier processes it like any invoice, up to « Mise en paiement ».
    for statut in (StatutFacture.SERVICE_FAIT, StatutFacture.MISE_EN_PAIEMENT):
        facturation_services.CIRCUIT.transition(facture, to=statut, acting_user=None, role="DESTINATAIRE")
    assert PieceTravaux.objects.filter(pk=a19.pk, facture__statut=StatutFacture.MISE_EN_PAIEMENT).exists()


def test_fin_de_marche_jusqu_au_decompte_general_signe(acteurs):
    f, moa = acteurs["fournisseur"], acteurs["moa"]
    *_, a20 = dossier(acteurs, etape=Cadre.A20)
    a20.refresh_from_db()
    assert a20.statut == S.MISE_A_DISPOSITION_FOURNISSEUR and a20.recevant == f[1]
    a8 = deposer_suite(f, a20, cadre=Cadre.A8)
    a8.refresh_from_db()
    assert a8.facture.destinataire == moa[1] and a8.facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert PieceTravaux.objects.get(pk=a20.pk).statut == S.ASSOCIEE


@pytest.mark.parametrize(
    ("qui", "cadre", "attendus"),
    [
        pytest.param(
            "moe",
            Cadre.A17,
            ["ne peut pas suivre", "A15 – État d'acompte déposé par une MOE", "A16"],
            id="cadre-qui-ne-suit-pas-la-piece-precedente-avec-les-cadres-possibles",
        ),
        # The fournisseur cannot deposit the MOE's état d'acompte: the MOE has an account.
        pytest.param("fournisseur", Cadre.A15, ["maîtrise d'œuvre"], id="cadre-depose-par-le-mauvais-role"),
        # « Structure avec MOA »: the MOE's état d'acompte goes to the MOA (A15), not to the payer (A16).
        pytest.param("moe", Cadre.A16, ["A15"], id="structure-avec-moa-refuse-le-cadre-sans-moa"),
    ],
)
def test_piece_suivante_refusee_nomme_ce_qui_est_permis(acteurs, qui, cadre, attendus):
    (a4,) = dossier(acteurs, etape=Cadre.A4)
    with pytest.raises(DepotTravauxRefuse) as exc:
        deposer_suite(acteurs[qui], a4, cadre=cadre)
    message = exc.value.message_dict["cadre"][0]
    assert [attendu for attendu in attendus if attendu not in message] == [], message
    assert PieceTravaux.objects.filter(dossier=a4.dossier).count() == 1


def test_depot_hors_du_dossier_ou_d_un_cadre_qui_n_ouvre_pas_de_dossier_refuse(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    (a4,) = dossier(acteurs, etape=Cadre.A4)
    # A structure outside the dossier is not an actor of it.
    etranger = acteur("Autre entreprise")
    with pytest.raises(DepotTravauxRefuse) as exc:
        deposer_suite(etranger, a4, cadre=Cadre.A15)
    assert "n'est pas un acteur de ce dossier" in exc.value.message_dict["cadre"][0]
    # A cadre that does not open a dossier.
    with pytest.raises(DepotTravauxRefuse) as exc:
        deposer_initial(moe, cadre=Cadre.A15, fournisseur=f[1], moa=moa[1])
    assert "A4, A5, A6, A7, A10, A13, A14" in exc.value.message_dict["cadre"][0]
    assert PieceTravaux.objects.count() == 1 and DossierFacturation.objects.count() == 1


def test_sans_profil_modification_refuse(acteurs):
    moe, moa = acteurs["moe"], acteurs["moa"]
    lecteur = acteur("Lecteur SAS", niveau="consultation")
    with pytest.raises(PermissionDenied):
        deposer_initial(lecteur, cadre=Cadre.A4, moe=moe[1], moa=moa[1])


def test_refus_pour_erreur_d_acheminement_puis_correction(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    mauvaise_moe = acteur("Mauvaise MOE")
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=mauvaise_moe[1], moa=moa[1])
    assert services.motifs_refus(a4) == {"ACHEMINEMENT": "Erreur dans les données d'acheminement"}
    with pytest.raises(DepotTravauxRefuse):
        services.refuser(acting_user=mauvaise_moe[0], piece=a4, motif="AUTRE", commentaire="Montant")
    services.refuser(acting_user=mauvaise_moe[0], piece=a4, motif="ACHEMINEMENT", commentaire="Pas notre marché")
    a4.refresh_from_db()
    assert a4.statut == S.ERREUR_FOURNISSEUR_SUR_MOE
    assert statuts.libelle(a4.statut) == "Refusée par la MOE pour erreur dans les données d'acheminement"
    assert services.actions_possibles(f[0], a4) == ["corriger"]
    services.corriger_acheminement(acting_user=f[0], piece=a4, structure=moe[1])
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE and a4.recevant == moe[1] and a4.dossier.moe == moe[1]
    assert historique.statuts(a4)[-3:] == [S.ERREUR_FOURNISSEUR_SUR_MOE, S.DEPOSEE, S.MISE_A_DISPOSITION_MOE]


def test_suspension_puis_completee_par_le_deposant(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    with pytest.raises(PermissionDenied):
        services.suspendre(acting_user=f[0], piece=a4, commentaire="x")
    services.suspendre(acting_user=moe[0], piece=a4, commentaire="Il manque l'attachement")
    a4.refresh_from_db()
    assert a4.statut == S.SUSPENDUE
    services.completer(acting_user=f[0], piece=a4, commentaire="Attachement ajouté")
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE


def test_structure_sans_moa_recoit_la_facture_de_travaux_apres_la_moe():
    f, moe = acteur("Titulaire SAS"), acteur("MOE SARL")
    commune = acteur("COMMUNE DE SAINT-JEAN", publique=True, option_moa=OptionMoa.SANS_MOA)
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=commune[1])
    with pytest.raises(DepotTravauxRefuse) as exc:
        deposer_suite(moe, a4, cadre=Cadre.A15)
    assert "Structure sans MOA" in exc.value.message_dict["cadre"][0] and "A16" in exc.value.message_dict["cadre"][0]
    a16 = deposer_suite(moe, a4, cadre=Cadre.A16)
    a16.refresh_from_db()
    assert a16.facture.destinataire == commune[1] and a16.facture.statut == StatutFacture.MISE_A_DISPOSITION
    assert "sans MOA" in a16.regle_acheminement


def test_structure_exclusivement_moa_designe_le_service_financier():
    f, moe = acteur("Titulaire SAS"), acteur("MOE SARL")
    moa = acteur("RECTORAT MOA", publique=True, option_moa=OptionMoa.MOA_UNIQUEMENT)
    _, etat = acteur("SERVICES DE L'ETAT", publique=True, niveau=None)
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    a15 = deposer_suite(moe, a4, cadre=Cadre.A15)
    with pytest.raises(DepotTravauxRefuse) as exc:
        deposer_suite(moa, a15, cadre=Cadre.A19)
    assert "exclusivement MOA" in exc.value.message_dict["destinataire"][0]
    assert PieceTravaux.objects.get(pk=a15.pk).statut == S.MISE_A_DISPOSITION_MOA
    a19 = deposer_suite(moa, a15, cadre=Cadre.A19, destinataire=etat)
    a19.refresh_from_db()
    assert a19.facture.destinataire == etat and "service financier désigné" in a19.regle_acheminement


def test_sous_traitant_valide_par_le_titulaire_puis_pris_en_compte_par_la_moe(acteurs):
    titulaire, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    st = acteur("Sous-traitant Électricité")
    a10 = deposer_initial(st, cadre=Cadre.A10, validateur=titulaire[1], moe=moe[1], moa=moa[1])
    a10.refresh_from_db()
    assert a10.statut == S.A_VALIDER_1 and a10.recevant == titulaire[1]
    assert services.actions_possibles(moe[0], a10) == []
    assert services.actions_possibles(titulaire[0], a10) == ["valider", "refuser"]
    services.valider(acting_user=titulaire[0], piece=a10)
    a10.refresh_from_db()
    assert a10.statut == S.MISE_A_DISPOSITION_MOE and a10.recevant == moe[1]
    assert historique.statuts(a10)[-3:] == [S.A_VALIDER_1, S.VALIDEE_1, S.MISE_A_DISPOSITION_MOE]
    services.prendre_en_compte(acting_user=moe[0], piece=a10)
    a15 = deposer_suite(moe, a10, cadre=Cadre.A15)
    a19 = deposer_suite(moa, a15, cadre=Cadre.A19)
    # Seed 003: the titulaire is paid (the sous-traitant's demand is added to its own).
    assert PieceTravaux.objects.get(pk=a19.pk).facture.fournisseur == titulaire[1]


def test_depot_pour_un_acteur_sans_compte(acteurs):
    f, moa = acteurs["fournisseur"], acteurs["moa"]
    _, moe_sans_compte = acteur("Architecte sans compte", niveau=None)
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe_sans_compte, moa=moa[1])
    # The MOA plays the MOE's role: it deposits the état d'acompte for it.
    a15 = deposer_suite(moa, a4, cadre=Cadre.A15)
    a15.refresh_from_db()
    assert a15.deposant == moa[1] and a15.role_deposant == Role.MOE and a15.pour_le_compte_de == moe_sans_compte
    assert a15.statut == S.MISE_A_DISPOSITION_MOA


def test_brouillon_puis_envoi(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], brouillon=True)
    assert a4.statut == S.BROUILLON
    assert not PieceTravaux.objects.visibles_par(moe[0]).filter(pk=a4.pk).exists()
    assert PieceTravaux.objects.visibles_par(f[0]).filter(pk=a4.pk).exists()
    services.envoyer_brouillon(acting_user=f[0], piece=a4)
    a4.refresh_from_db()
    assert a4.statut == S.MISE_A_DISPOSITION_MOE
    assert PieceTravaux.objects.visibles_par(moe[0]).filter(pk=a4.pk).exists()


def test_perimetre_un_acteur_hors_dossier_ne_voit_rien(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])
    etranger = acteur("Autre MOE")
    assert not PieceTravaux.objects.visibles_par(etranger[0]).exists()
    assert not DossierFacturation.objects.visibles_par(etranger[0]).exists()
    for user in (f[0], moe[0], moa[0]):
        assert list(PieceTravaux.objects.visibles_par(user)) == [a4]


def test_procedure_tacite_a22_puis_a23(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a7 = deposer_initial(f, cadre=Cadre.A7, moe=moe[1], moa=moa[1])
    a22 = deposer_suite(f, a7, cadre=Cadre.A22)
    assert PieceTravaux.objects.get(pk=a7.pk).statut == S.REMPLACEE_PAR_A22
    assert PieceTravaux.objects.get(pk=a22.pk).statut == S.MISE_A_DISPOSITION_MOA
    a23 = deposer_suite(f, a22, cadre=Cadre.A23)
    assert PieceTravaux.objects.get(pk=a22.pk).statut == S.ASSOCIEE
    assert PieceTravaux.objects.get(pk=a23.pk).facture.statut == StatutFacture.MISE_A_DISPOSITION


def test_le_fournisseur_refuse_le_decompte_general_pour_autre_motif(acteurs):
    *_, a20 = dossier(acteurs, etape=Cadre.A20, puis="refuser_autre_motif")
    assert a20.statut == S.REFUSEE_FOURNISSEUR
    assert a20.historique.latest("id").motif == "Autre motif"


def test_supprimer_un_brouillon_le_rend_abandonne_et_invisible(acteurs):
    f, moe, moa = acteurs["fournisseur"], acteurs["moe"], acteurs["moa"]
    a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1], brouillon=True)
    with pytest.raises(PermissionDenied):
        services.supprimer_brouillon(acting_user=moe[0], piece=a4)
    services.supprimer_brouillon(acting_user=f[0], piece=a4)
    a4.refresh_from_db()
    assert a4.statut == S.ABANDONNEE
    assert historique.statuts(a4) == [S.BROUILLON, S.ABANDONNEE]
    assert not PieceTravaux.objects.visibles_par(moe[0]).exists()
    with pytest.raises(DepotTravauxRefuse):
        services.envoyer_brouillon(acting_user=f[0], piece=a4)
