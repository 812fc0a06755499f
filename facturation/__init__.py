"""Factures et avoirs : saisie, dépôt, suivi côté fournisseur, traitement côté destinataire."""
