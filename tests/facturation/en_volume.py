"""Invoices written by the hundred for the list pages' volume tests, and the keyset pagination those pages share."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from facturation.models import Facture


def en_masse(fournisseur_gp, nombre, *, prefixe="M", **champs) -> list[Facture]:
    """``nombre`` invoices of ``fournisseur_gp`` numbered ``{prefixe}-000``… and deposited now, written at once
    (bulk: no pipeline, no history, no amount); ``champs``: what they share (recipient, status…)."""
    gp, structure = fournisseur_gp
    maintenant = timezone.now()
    return Facture.objects.bulk_create(
        Facture(fournisseur=structure, numero=f"{prefixe}-{i:03d}", created_by=gp, date_depot=maintenant, **champs)
        for i in range(nombre)
    )


def verifier_pagination_par_curseur(client, url):
    """The list at ``url``, searched for « M- » among 55 invoices ``en_masse``: the 50 newest without an OFFSET,
    then the 5 others through the page's « apres » link, and no further page."""
    with CaptureQueriesContext(connection) as requetes:
        premiere = client.get(url, {"numero": "M-"})
    assert not any("OFFSET" in q["sql"].upper() for q in requetes.captured_queries)
    assert [f["numero"] for f in premiere.context["factures"]] == [f"M-{i:03d}" for i in range(54, 4, -1)]
    suivante = premiere.context["suivante"]
    assert f"numero=M-&amp;apres={suivante}" in premiere.content.decode()
    seconde = client.get(url, {"numero": "M-", "apres": suivante})
    assert [f["numero"] for f in seconde.context["factures"]] == ["M-004", "M-003", "M-002", "M-001", "M-000"]
    assert seconde.context["suivante"] is None
