"""The Chorus Pro-compatible REST API (PISTE): an OAuth2 client-credentials token endpoint under ``/api/`` and the
services under ``/cpro/<domaine>/v1/…`` with Chorus Pro's JSON field names and ``codeRetour``/``libelle``
convention. Everything reads and writes through the domain layer (``organisation.queries``,
``facturation.queries``, ``facturation.services``) on behalf of the technical account's dedicated user."""
