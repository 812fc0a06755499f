"""« Factures de travaux » pages: ``listes`` (Synthèse, Rechercher, Tableau de bord), ``depot`` (Déposer, the
confirmation and the certificat de dépôt), ``pieces`` (Suivi de traitement, actions, dossier de facturation)."""
