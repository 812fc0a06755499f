"""The récapitulatif of a deposit (« Valider et envoyer », then « Pièce n° … déposée »): a PAdES piece names its signer
and the signing time in the page's date format (found by the browser journey: it showed the stored ISO text)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from facturation.enums import Cadre
from organisation.enums import OptionMoa
from tests.facturation.test_pdf import signataire, signer  # noqa: F401  (the PAdES signer fixture)
from tests.travaux.factories import acteur, pdf

pytestmark = pytest.mark.django_db


def test_recapitulatif_d_un_pdf_signe_date_la_signature_en_jj_mm_aaaa(client, signataire):  # noqa: F811
    f, moe = acteur("Titulaire SAS"), acteur("MOE SARL")
    moa = acteur("COMMUNE DE SAINT-JEAN", publique=True, option_moa=OptionMoa.AVEC_MOA)
    client.force_login(f[0])
    reponse = client.post(
        "/factures-travaux/deposer/",
        {
            "fichier": SimpleUploadedFile("dg.pdf", signer(pdf(), signataire), content_type="application/pdf"),
            "format_depot": "PDF_SIGNE",
            "cadre": Cadre.A4,
            "deposant": f[1].pk,
            "moe": moe[1].identifiant,
            "moa": moa[1].identifiant,
            "numero": "SIG-1",
            "date_piece": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "devise": "EUR",
            "type_tva": "TVA_SUR_DEBIT",
            "montant_ht": "100",
            "montant_tva": "20",
            "action": "valider",
        },
    )
    assert reponse.status_code == 302
    html = client.get(reponse["Location"]).content.decode()
    signataire_html = re.search(r'data-testid="signataire">([^<]*)</dd>', html).group(1)
    aujourd_hui = timezone.localdate().strftime("%d/%m/%Y")
    assert re.fullmatch(rf"Jean Signataire – signé le {aujourd_hui} à \d\d:\d\d", signataire_html), signataire_html
