"""Organisation : utilisateurs, structures, services, rattachements, habilitations, approbations, modifications
différées (règle des 30 minutes), coordonnées bancaires, mandats de facturation, annuaire."""
