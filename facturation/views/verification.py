"""« Vérifier un certificat de dépôt »: a public page (no login) where anyone holding a document, or the digest
printed on its certificat de dépôt, checks whether that document was deposited on Chorus Pro.

What is disclosed when a deposit matches: the deposit time, the invoice number, the recipient (name and
identifier) and the certificate digest — nothing else (no amount, no status, no supplier user). Drafts and
abandoned drafts were never deposited: they are never disclosed.

Accepted input, one or both (then both are checked, and the page says whether they designate the same deposit):

* a document (10 Mo at most, kept in memory): its SHA-256 (hex) is compared with ``Facture.fichier_sha256``;
* the certificate digest (44-character base64): compared with ``Facture.empreinte_certificat``, and, decoded to
  hex, with ``Facture.fichier_sha256`` (the base64 SHA-256 of the file, :func:`certificat.empreinte_fichier`);
* a 64-hex SHA-256 of the file: compared with ``Facture.fichier_sha256``.

A certificate digest that a recycling replaced (``CertificatRemplace``) is still recognised: the page says the
deposit is real but that certificate is no longer in force, and shows the one that replaced it (the supplier who
kept the first certificate learns why it no longer matches, rather than reading « Aucun dépôt »).

Each look-up is one query on indexed columns (two for a certificate digest: the deposits, then the replaced
certificates), whatever its outcome, so that the response time says little about the result. Look-ups are
limited per client IP address through Django's cache.
"""

import base64
import binascii
import hashlib
import io
import re

from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from dsfr.forms import DsfrBaseForm

from chorus.formulaires import Televersement
from chorus.limitation import adresse_client
from chorus.navigation import fil_ariane
from facturation.enums import StatutFacture
from facturation.models import CertificatRemplace, Facture

TITRE = "Vérifier un certificat de dépôt"
TAILLE_MAX = 10 * 1024 * 1024  # 10 Mo
LIMITE_VERIFICATIONS = 30  # look-ups per client IP address...
FENETRE_SECONDES = 10 * 60  # ...within this window, counted from the first one

MESSAGE_TROP_VOLUMINEUX = "Le fichier dépasse la taille maximale autorisée (10 Mo)."
MESSAGE_QUOTA = "Trop de vérifications : réessayez dans quelques minutes."

_HEX = re.compile(r"[0-9a-fA-F]{64}")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{43}=")
_ESPACES = re.compile(r"\s+")


class _FichierEnMemoire(FileUploadHandler):
    """Keeps the uploaded file in memory up to ``TAILLE_MAX``; a larger file is dropped as it arrives (its bytes
    are read from the request but neither kept nor written to disk) and flagged ``trop_volumineux``."""

    def __init__(self, request=None):
        super().__init__(request)
        self.trop_volumineux = False
        self.tampon = None
        self.taille = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.tampon = io.BytesIO()
        self.taille = 0
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self.taille += len(raw_data)
        if self.taille > TAILLE_MAX:
            self.trop_volumineux = True
            self.tampon = None
            raise SkipFile()
        self.tampon.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.tampon is None:
            return None
        self.tampon.seek(0)
        return InMemoryUploadedFile(
            file=self.tampon,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class VerificationDepotForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Document déposé",
        required=False,
        help_text="Le fichier de la facture tel que vous l'avez reçu (10 Mo au maximum). Il n'est pas conservé.",
        widget=Televersement,
    )
    empreinte = forms.CharField(
        label="Empreinte",
        required=False,
        max_length=200,
        help_text=(
            "L'empreinte figurant sur le certificat de dépôt (44 caractères) "
            "ou l'empreinte SHA-256 du fichier en hexadécimal (64 caractères)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, trop_volumineux=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.trop_volumineux = trop_volumineux

    def clean_fichier(self):
        fichier = self.cleaned_data.get("fichier")
        if self.trop_volumineux or (fichier is not None and fichier.size > TAILLE_MAX):
            raise forms.ValidationError(MESSAGE_TROP_VOLUMINEUX)
        return fichier

    def clean_empreinte(self):
        valeur = _ESPACES.sub("", self.cleaned_data.get("empreinte") or "")
        if not valeur:
            return None
        if _HEX.fullmatch(valeur):
            return {"sha256": valeur.lower(), "certificat": None}
        if _BASE64.fullmatch(valeur):
            try:
                brut = base64.b64decode(valeur, validate=True)
            except (binascii.Error, ValueError):
                brut = b""
            if len(brut) == 32:
                return {"sha256": brut.hex(), "certificat": valeur}
        raise forms.ValidationError(
            "Cette empreinte n'a pas un format reconnu : collez l'empreinte du certificat de dépôt "
            "(44 caractères se terminant par « = ») ou l'empreinte SHA-256 du fichier (64 caractères hexadécimaux)."
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        fichier, empreinte = cleaned.get("fichier"), cleaned.get("empreinte")
        if fichier is None and empreinte is None:
            message = "Déposez le document à vérifier ou collez son empreinte."
            self.add_error("fichier", message)
            self.add_error("empreinte", message)
        return cleaned

    def criteres(self) -> list[dict]:
        """``{"sha256": hex, "certificat": base64 or None}`` of the document, then of the fingerprint, for those
        given (both are checked when both are given)."""
        criteres = []
        fichier = self.cleaned_data.get("fichier")
        if fichier is not None:
            empreinte = hashlib.sha256()
            for morceau in fichier.chunks():
                empreinte.update(morceau)
            criteres.append({"sha256": empreinte.hexdigest(), "certificat": None})
        if self.cleaned_data.get("empreinte") is not None:
            criteres.append(self.cleaned_data["empreinte"])
        return criteres


def _adresse_ip(request) -> str:
    # Behind the portal's reverse proxies, the client's address (CHORUS_MANDATAIRES_DE_CONFIANCE): X-Forwarded-For
    # is believed only from those proxies, since a client may send it itself.
    return adresse_client(request)


def _quota_depasse(request) -> bool:
    """Counts one look-up for the client IP; True once it made more than ``LIMITE_VERIFICATIONS`` within the
    window (which starts with its first look-up: ``incr`` keeps the key's expiry)."""
    cle = f"chorus:verifier-depot:{_adresse_ip(request)}"
    cache.add(cle, 0, timeout=FENETRE_SECONDES)
    try:
        nombre = cache.incr(cle)
    except ValueError:  # the key expired between add() and incr()
        cache.set(cle, 1, timeout=FENETRE_SECONDES)
        nombre = 1
    return nombre > LIMITE_VERIFICATIONS


def rechercher_depot(critere: dict) -> Facture | None:
    """The deposit matching a file SHA-256 (hex) or a certificate digest: one query on indexed columns."""
    condition = Q(fichier_sha256=critere["sha256"])
    if critere.get("certificat"):
        condition |= Q(empreinte_certificat=critere["certificat"])
    return (
        Facture.objects.filter(condition, date_depot__isnull=False)
        .exclude(statut__in=[StatutFacture.BROUILLON, StatutFacture.ABANDONNEE])
        .select_related("destinataire")
        .only(
            "id",
            "numero",
            "date_depot",
            "empreinte_certificat",
            "destinataire__raison_sociale",
            "destinataire__identifiant",
            "destinataire__type_identifiant",
        )
        .order_by("date_depot", "id")
        .first()
    )


def rechercher_certificat_remplace(critere: dict) -> CertificatRemplace | None:
    """A certificate digest that a recycling replaced (``CertificatRemplace``): the deposit is real, but its
    certificate is no longer the one in force. One query on an indexed column."""
    if not critere.get("certificat"):
        return None
    return (
        CertificatRemplace.objects.filter(empreinte=critere["certificat"])
        .select_related("facture__destinataire")
        .order_by("-remplace_le", "-id")
        .first()
    )


def _rechercher(critere: dict) -> tuple[Facture | None, CertificatRemplace | None]:
    # Both look-ups run for a certificate digest, whatever the first one finds: the response time stays the same
    # whether the digest is unknown, in force or replaced.
    facture = rechercher_depot(critere)
    remplace = rechercher_certificat_remplace(critere)
    if facture is not None:
        return facture, None
    return (remplace.facture, remplace) if remplace is not None else (None, None)


@never_cache
@csrf_exempt
def verifier_depot(request):
    """Public page. The upload handler must be in place before anything reads the request body, CSRF
    middleware included: the CSRF check is therefore made by ``_verifier_depot`` (``csrf_protect``)."""
    handler = None
    if request.method == "POST":
        handler = _FichierEnMemoire(request)
        request.upload_handlers = [handler]
    return _verifier_depot(request, handler)


@csrf_protect
def _verifier_depot(request, handler):
    status = 200
    verifie, facture, quota, concordance, remplace = False, None, False, None, None
    if request.method == "POST":
        form = VerificationDepotForm(
            request.POST, request.FILES, trop_volumineux=bool(handler and handler.trop_volumineux)
        )
        if form.is_valid():
            if _quota_depasse(request):
                quota, status = True, 429
            else:
                resultats = [_rechercher(critere) for critere in form.criteres()]
                trouvees = [f for f, _ in resultats]
                facture = next((f for f in trouvees if f is not None), None)
                remplace = next((r for _, r in resultats if r is not None), None)
                if len(trouvees) == 2:  # a document and a fingerprint: do they designate the same deposit?
                    concordance = trouvees[0] is not None and trouvees[0] == trouvees[1]
                    ecart = "" if concordance else ("empreinte" if trouvees[0] is not None else "document")
                    concordance = {"ok": concordance, "ecart": ecart}
                verifie = True
    else:
        form = VerificationDepotForm()
    return render(
        request,
        "facturation/verifier_certificat.html",
        {
            "titre": TITRE,
            "breadcrumb_data": fil_ariane(courant=TITRE),
            "form": form,
            "verifie": verifie,
            "facture": facture,
            "concordance": concordance,
            "remplace": remplace,
            "quota": quota,
            "message_quota": MESSAGE_QUOTA,
        },
        status=status,
    )
