"""Works dossiers for tests, made the way the portal makes them (``travaux.services``)::

f = acteur("Bâtiments Martin SAS")                       # (user, structure) with « Factures de travaux »
moa = acteur("Académie", publique=True, option_moa=OptionMoa.AVEC_MOA)
a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])         # a dossier opened by an A4
a15 = deposer_suite(moe, a4, cadre=Cadre.A15)                            # « à partir d'une pièce existante »
"""

import io
import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from reportlab.lib.pagesizes import A4 as FORMAT_A4
from reportlab.pdfgen import canvas

from organisation.enums import Application, OptionMoa
from organisation.models import Structure
from tests.factories import StructureFactory, utilisateur_de
from travaux import services
from travaux.services import Acteurs, Saisie

_numeros = itertools.count(1)


def acteur(
    raison_sociale: str,
    *,
    publique: bool = False,
    option_moa: str | None = None,
    niveau="modification",
    email: str | None = None,
    **champs,
):
    """A structure and one of its users holding « Factures de travaux » at ``niveau`` (``niveau=None``: a structure
    without any user, an actor « sans compte »)."""
    structure = StructureFactory(raison_sociale=raison_sociale, publique=publique, **champs)
    if option_moa:
        Structure.objects.filter(pk=structure.pk).update(option_moa=option_moa)
        structure.refresh_from_db()
    if niveau is None:
        return None, structure
    user = utilisateur_de(
        structure, profils={Application.FACTURES_TRAVAUX: niveau}, **({"email": email} if email else {})
    )
    return user, structure


def acteurs_du_marche(*, code_postal_moe=None) -> dict:
    """The three actors of the usual works contract, each with a user holding « Factures de travaux »: the supplier,
    the MOE and the public MOA « Structure avec MOA »."""
    return {
        "fournisseur": acteur("CEGELEC PERPIGNAN"),
        "moe": acteur("MB INGENIERIE", **({"code_postal": code_postal_moe} if code_postal_moe else {})),
        "moa": acteur("ACADEMIE DE MONTPELLIER", publique=True, option_moa=OptionMoa.AVEC_MOA),
    }


def pdf(titre: str = "Pièce de travaux") -> bytes:
    """A one-page PDF, different at each call (a deposited file is refused twice)."""
    tampon = io.BytesIO()
    page = canvas.Canvas(tampon, pagesize=FORMAT_A4)
    page.drawString(50, 800, f"{titre} n° {next(_numeros)}")
    page.showPage()
    page.save()
    return tampon.getvalue()


def fichier(contenu: bytes | None = None, nom: str = "piece.pdf", format_annonce=services.FORMAT_PDF_NON_SIGNE):
    return services.lire_fichier(contenu or pdf(), nom, format_annonce=format_annonce)


def saisie(numero: str | None = None, *, ht="1000.00", tva="200.00", **champs) -> Saisie:
    return Saisie(
        numero=numero or f"P{next(_numeros):06d}",
        date_piece=timezone.localdate() - timedelta(days=1),
        montant_ht=Decimal(ht),
        montant_tva=Decimal(tva),
        numero_marche="M-2026-042",
        **champs,
    )


def deposer_initial(depositaire, *, cadre, brouillon=False, deposant=None, numero=None, **acteurs):
    """``depositaire`` = (user, structure); ``acteurs``: fournisseur (default: the depositor's structure), moe, moa,
    validateur, destinataire."""
    user, structure = depositaire
    acteurs.setdefault("fournisseur", structure)
    return services.deposer(
        acting_user=user,
        cadre=cadre,
        deposant=deposant or structure,
        fichier=fichier(),
        saisie=saisie(numero),
        acteurs=Acteurs(**acteurs),
        brouillon=brouillon,
    )


def deposer_suite(depositaire, precedente, *, cadre, brouillon=False, numero=None, destinataire=None, service=None):
    user, structure = depositaire
    acteurs = Acteurs(destinataire=destinataire, service_destinataire=service) if destinataire else None
    return services.deposer(
        acting_user=user,
        cadre=cadre,
        deposant=structure,
        fichier=fichier(),
        saisie=saisie(numero),
        precedente=precedente,
        acteurs=acteurs,
        brouillon=brouillon,
    )
