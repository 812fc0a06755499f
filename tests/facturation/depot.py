"""« Déposer facture » on the portal, as the supplier's GP does it in a test: the file, then its draft sent."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


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
