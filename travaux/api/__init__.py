"""The Chorus Pro API endpoints of « Factures de travaux » (``facturesTravaux/v1/…``), on the domain-free protocol of
``chorus.api`` (``protocole.ServiceCpro``)."""
