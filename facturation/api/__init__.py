"""The Chorus Pro API endpoints whose data are facturation's: ``factures/v1/…`` (``factures``), the flux deposit
and its compte rendu (``vues_flux``: ``deposer/flux``, ``transverses/v1/consulterCR*``), the flux processing
(``flux``, Celery ``tasks``). Built on the domain-free protocol of ``chorus.api`` (``protocole.ServiceCpro``)."""
