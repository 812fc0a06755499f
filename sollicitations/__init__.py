"""Sollicitations : demandes de support entre utilisateurs, structures publiques et support de la plateforme."""
