"""A supplier's document sent in a test: through « Déposer facture » on the portal (the file, then its draft sent),
or straight through the deposit pipeline."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturation.enums import StatutFacture
from facturation.services import envoi


def deposer(client, structure, contenu: bytes, nom="facture.pdf", cadre="A1_FACTURE_FOURNISSEUR"):
    """POST ``contenu`` as the file ``nom`` to « Déposer facture » for ``structure``; the portal's answer."""
    fichier = SimpleUploadedFile(nom, contenu, content_type="application/octet-stream")
    return client.post(reverse("deposer_facture"), {"fichier": fichier, "cadre": cadre, "fournisseur": structure.pk})


def envoyer_le_brouillon(client, facture, url: str) -> None:
    """« Valider » the draft a deposit made (on its page ``url``, with its own bank details if the document named
    them) then « Confirmer l'envoi »."""
    donnees = {"cadre": facture.cadre, "action": "valider"}
    if facture.coordonnees_bancaires_id:
        donnees["coordonnees_bancaires"] = facture.coordonnees_bancaires_id
    response = client.post(url, donnees)
    assert response.status_code == 302, response.context["form"].errors
    client.post(reverse("confirmer_envoi", args=[facture.pk]))


def envoyer_par_le_circuit(gp, structure, contenu: bytes, nom: str):
    """``contenu`` sent by ``gp`` through the deposit pipeline (as a flux): the invoice, made available to its
    recipient, whose file is the legal original, unchanged."""
    facture = envoi.deposer_et_envoyer(
        canal=envoi.Canal.FLUX, acting_user=gp, fournisseur=structure, contenu=contenu, nom_fichier=nom
    )
    facture.refresh_from_db()
    assert facture.statut == StatutFacture.MISE_A_DISPOSITION
    with facture.fichier.open("rb") as fichier:
        assert fichier.read() == contenu
    return facture
