"""Views of the organisation domain, one module per area (compte, rattachements, habilitations, approbations,
structures, annuaire)."""
