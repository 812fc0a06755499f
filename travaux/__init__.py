"""Factures de travaux : dossiers de facturation et chaînes de pièces (CCAG travaux)."""
