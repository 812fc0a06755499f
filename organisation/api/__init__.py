"""The Chorus Pro API endpoints whose data are organisation's (``structures/v1/…``) and the technical accounts of
the ``cpro-account`` header. Built on the domain-free protocol of ``chorus.api`` (``protocole.ServiceCpro``)."""
