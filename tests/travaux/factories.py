"""Works dossiers for tests, made the way the portal makes them (``travaux.services``)::

f = acteur("Bâtiments Martin SAS")                       # (user, structure) with « Factures de travaux »
moa = acteur("Académie", publique=True, option_moa=OptionMoa.AVEC_MOA)
a4 = deposer_initial(f, cadre=Cadre.A4, moe=moe[1], moa=moa[1])         # a dossier opened by an A4
a15 = deposer_suite(moe, a4, cadre=Cadre.A15)                            # « à partir d'une pièce existante »
a4, a15, a19 = dossier(acteurs, etape=Cadre.A19)                         # a dossier at a step of its chain
(a4,) = dossier(acteurs, etape=Cadre.A4, puis="suspendre")               # … its last piece then suspended
a4, a15 = dossier(acteurs, etape=Cadre.A15, pris_en_compte=[Cadre.A4],   # the A4 taken on by the MOE first,
                  numeros=["PDM-1", "EA-1"], dates=[lundi, mardi, mercredi])  # each step on its day
"""

import functools
import io
import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from reportlab.lib.pagesizes import A4 as FORMAT_A4
from reportlab.pdfgen import canvas

from facturation.enums import Cadre
from organisation.enums import Application, OptionMoa
from organisation.models import Structure
from tests import outils
from tests.factories import StructureFactory, utilisateur_de
from travaux import services
from travaux.models import PieceTravaux
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


# The two chains of the usual contract, each step a cadre and who deposits it (a key of ``acteurs_du_marche``): the
# monthly one (projet de décompte mensuel → état d'acompte → payable) and the end-of-contract one (projet de
# décompte final → projet de décompte général → décompte général to sign).
CHAINES = (
    ((Cadre.A4, "fournisseur"), (Cadre.A15, "moe"), (Cadre.A19, "moa")),
    ((Cadre.A7, "fournisseur"), (Cadre.A17, "moe"), (Cadre.A20, "moa")),
)
# What the actor a piece waits for does to it (``puis``), through the service the piece page calls.
ACTIONS = {
    "prendre_en_compte": lambda user, piece: services.prendre_en_compte(acting_user=user, piece=piece),
    "suspendre": lambda user, piece: services.suspendre(acting_user=user, piece=piece, commentaire="Manque"),
    "refuser": lambda user, piece: services.refuser(
        acting_user=user, piece=piece, motif="ACHEMINEMENT", commentaire="Erreur"
    ),
    "refuser_autre_motif": lambda user, piece: services.refuser(
        acting_user=user, piece=piece, motif=services.MOTIF_AUTRE, commentaire="Désaccord sur le solde"
    ),
}


def dossier(
    acteurs: dict,
    *,
    etape: str,
    puis: str | None = None,
    pris_en_compte: Iterable[str] = (),
    numeros: Sequence[str] | None = None,
    dates: Sequence[datetime | None] | None = None,
) -> list[PieceTravaux]:
    """A dossier of the usual contract (``acteurs``: « fournisseur », « moe », « moa », each (user, structure)) brought
    up to its piece of cadre ``etape``, each piece deposited by its actor through ``travaux.services`` — so statuses,
    history and notifications are the ones the pages write. ``puis``: what the actor the last piece waits for then
    does (a key of ``ACTIONS``). ``pris_en_compte``: the cadres of the pieces their recipient takes on (« Prendre en
    compte ») before the next one is deposited. ``numeros``: the pieces' numbers, from the first (default: new ones).
    ``dates``: the instant of each step in the order it happens — each deposit, the prise en compte right after its
    piece, then ``puis`` —, the clock stopped there (``tests.outils.a_l_instant``; default: the clock as it runs).
    The pieces, from the first to ``etape``."""
    chaine = next(c for c in CHAINES if etape in [cadre for cadre, _ in c])
    chaine = chaine[: [cadre for cadre, _ in chaine].index(etape) + 1]
    if numeros is not None and len(numeros) != len(chaine):
        raise ValueError(f"numeros: {len(chaine)} numbers expected (one per piece), {len(numeros)} given")
    pieces: list[PieceTravaux] = []

    def deposer(cadre, qui, numero):
        if pieces:
            pieces.append(deposer_suite(acteurs[qui], pieces[-1], cadre=cadre, numero=numero))
        else:
            moe, moa = acteurs["moe"][1], acteurs["moa"][1]
            pieces.append(deposer_initial(acteurs[qui], cadre=cadre, moe=moe, moa=moa, numero=numero))

    def agir(action):
        ACTIONS[action](_attendu(acteurs, pieces[-1]), pieces[-1])

    etapes = []
    for (cadre, qui), numero in zip(chaine, numeros or [None] * len(chaine), strict=True):
        etapes.append(functools.partial(deposer, cadre, qui, numero))
        if cadre in pris_en_compte:
            etapes.append(functools.partial(agir, "prendre_en_compte"))
    if puis:
        etapes.append(functools.partial(agir, puis))
    if dates is not None and len(dates) != len(etapes):
        raise ValueError(
            f"dates: {len(etapes)} instants expected (deposits, prises en compte, puis), {len(dates)} given"
        )
    for instant, faire in zip(dates or [None] * len(etapes), etapes, strict=True):
        with outils.a_l_instant(instant):
            faire()
    if puis:
        pieces[-1].refresh_from_db()
    return pieces


def _attendu(acteurs: dict, piece: PieceTravaux):
    """The user of the actor the piece waits for."""
    piece.refresh_from_db()
    return next(user for user, structure in acteurs.values() if structure.pk == piece.recevant_id)
