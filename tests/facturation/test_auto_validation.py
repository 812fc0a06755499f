"""Issue 13, item 10: no self-approval of A9/A12 invoices, refused in the services (every channel goes through
``valider_et_envoyer`` and ``valider_facture``): the valideur may be neither the supplier nor a structure the
depositor is attached to, and a user attached to the supplier does not validate its invoice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from facturation import services
from facturation.enums import Cadre, StatutFacture
from facturation.models import Facture
from facturation.services import envoi
from tests.factories import UtilisateurFactory, habiliter, structure_privee, utilisateur_de
from tests.facturation.factories import FactureFactory

pytestmark = pytest.mark.django_db


def _brouillon_a9(fournisseur_gp, etat, valideur):
    return FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, cadre=Cadre.A9, valideur=valideur)


def test_valideur_fournisseur_lui_meme_refuse_a_l_envoi(fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _brouillon_a9(fournisseur_gp, etat, structure)
    with pytest.raises(ValidationError) as erreur:
        envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=gp, facture=facture)
    assert erreur.value.message_dict["valideur"] == ["Le valideur ne peut pas être votre propre structure."]
    assert Facture.objects.get(pk=facture.pk).statut == StatutFacture.BROUILLON
    assert not facture.historique.exclude(statut=StatutFacture.BROUILLON).exists()


def test_valideur_structure_du_deposant_refuse_a_l_envoi(fournisseur_gp, etat):
    """The supplier's GP also manages a « titulaire » structure and names it valideur: refused."""
    gp, _ = fournisseur_gp
    sienne = structure_privee(gp, "Titulaire de paille SA")
    facture = _brouillon_a9(fournisseur_gp, etat, sienne)
    with pytest.raises(ValidationError) as erreur:
        envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=gp, facture=facture)
    assert erreur.value.message_dict["valideur"] == [
        "Le valideur ne peut pas être une structure à laquelle vous êtes rattaché : "
        "une facture ne peut pas être validée par son propre émetteur."
    ]
    assert Facture.objects.get(pk=facture.pk).statut == StatutFacture.BROUILLON


def test_valideur_tiers_accepte(fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    titulaire = structure_privee(UtilisateurFactory(), "Titulaire Général SA")
    facture = _brouillon_a9(fournisseur_gp, etat, titulaire)
    facture = envoi.deposer_et_envoyer(canal=envoi.Canal.SAISIE, acting_user=gp, facture=facture)
    assert facture.statut == StatutFacture.A_VALIDER_1


def test_un_utilisateur_rattache_au_fournisseur_ne_valide_pas_sa_facture(fournisseur_gp, etat):
    """Even with the « Factures à valider » profile on the valideur, a user attached to the supplier too cannot
    validate (attached to the valideur after the invoice was sent)."""
    _, structure = fournisseur_gp
    titulaire_gp = UtilisateurFactory()
    titulaire = structure_privee(titulaire_gp, "Titulaire Général SA")
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, a_valider=True, valideur=titulaire)
    double = utilisateur_de(structure, role="UTILISATEUR")
    habiliter(double, titulaire, profils={"FACTURES_A_VALIDER": "modification"}, role="UTILISATEUR")
    with pytest.raises(PermissionDenied, match="émise par une structure à laquelle vous êtes rattaché"):
        services.valider_facture(acting_user=double, facture=facture, accepter=True)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.A_VALIDER_1
    # The titulaire's own user validates.
    services.valider_facture(acting_user=titulaire_gp, facture=facture, accepter=True)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION


def test_corriger_le_valideur_vers_une_structure_du_fournisseur_refuse(fournisseur_gp, etat):
    gp, _ = fournisseur_gp
    titulaire_gp = UtilisateurFactory()
    titulaire = structure_privee(titulaire_gp, "Titulaire Général SA")
    sienne = structure_privee(gp, "Titulaire de paille SA")
    facture = FactureFactory(fournisseur_gp=fournisseur_gp, destinataire=etat, a_valider=True, valideur=titulaire)
    services.refuser_facture(acting_user=titulaire_gp, facture=facture, motif="ERREUR_VALIDEUR")
    facture.refresh_from_db()
    with pytest.raises(ValidationError) as erreur:
        services.corriger_valideur(acting_user=gp, facture=facture, siret=sienne.identifiant)
    assert "une facture ne peut pas être validée par son propre émetteur" in str(erreur.value)
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.ERREUR_FOURNISSEUR_SUR_VALIDEUR and facture.valideur_id == titulaire.pk
