"""« Vérifier un dépôt » with a document and a fingerprint together: both are checked, and the page says whether
they designate the same deposit (issue 14 item 14)."""

import pytest

from tests import outils
from tests.facturation.test_verification import PDF, _deposee, _phrase, _verifier

pytestmark = pytest.mark.django_db


def test_document_et_empreinte_du_meme_depot(client, fournisseur_gp, etat, django_assert_max_num_queries):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    with django_assert_max_num_queries(3):  # the document; the fingerprint (a deposit, else a replaced certificate)
        texte = outils.texte(_verifier(client, fichier=PDF, empreinte=facture.empreinte_certificat))
    assert _phrase(facture) in texte
    assert "Le document et l'empreinte correspondent au même dépôt." in texte
    assert 'data-testid="discordance"' not in texte


def test_empreinte_d_un_autre_depot_signalee(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    autre = _deposee(gp, structure, etat, contenu=PDF + b"% autre\n", numero="F-VERIF-2")
    texte = outils.texte(_verifier(client, fichier=PDF, empreinte=autre.empreinte_certificat))
    assert _phrase(facture) in texte  # the document's deposit
    assert "Le document a été déposé, mais l'empreinte saisie n'est pas celle de ce dépôt." in texte
    assert "correspondent au même dépôt" not in texte
    # An unknown fingerprint (64 hex) with the deposited document: the same.
    texte = outils.texte(_verifier(client, fichier=PDF, empreinte="a" * 64))
    assert "l'empreinte saisie n'est pas celle de ce dépôt" in texte


def test_document_modifie_avec_l_empreinte_du_depot(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    facture = _deposee(gp, structure, etat)
    texte = outils.texte(_verifier(client, fichier=PDF + b"% modifie\n", empreinte=facture.empreinte_certificat))
    assert _phrase(facture) in texte  # found by its fingerprint
    assert "le document vérifié n'est pas celui qui a été déposé" in texte


def test_ni_l_un_ni_l_autre(client, fournisseur_gp, etat):
    gp, structure = fournisseur_gp
    _deposee(gp, structure, etat)
    texte = outils.texte(_verifier(client, fichier=b"inconnu", empreinte="b" * 64))
    assert "Aucun dépôt" in texte and 'data-testid="discordance"' not in texte
