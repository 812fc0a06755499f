"""The domain-free protocol of the Chorus Pro-compatible REST API (PISTE), on Django REST framework: the OAuth2
client-credentials token endpoint ``POST /api/oauth/token`` (``views_oauth``, clients and tokens in ``models`` /
``services``), the base view, authentication, throttling and exception handler of every ``/cpro/…`` service
(``protocole``), the serializer fields with Chorus Pro's JSON types (``champs``), the envelope, dates and
pagination (``kit``), the OpenAPI document and its documentation page (``views_schema``), and the domain-free
``transverses/v1`` services (``views_transverses``). The endpoints themselves live in each domain application's
``api`` package (``organisation.api``, ``facturation.api``…), which this package never imports."""
