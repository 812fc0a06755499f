"""OAuth clients, their access tokens and the comptes techniques whose ``cpro-account`` header every service call
carries. Secrets are stored hashed: client secrets and technical passwords with Django's password hashers, access
tokens (random, 256 bits) with SHA-256 so that each call finds its token by one indexed lookup."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def empreinte_jeton(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


class ClientOAuth(models.Model):
    client_id = models.CharField("identifiant du client", max_length=100, unique=True)
    secret_hache = models.CharField("secret (haché)", max_length=128)
    libelle = models.CharField("libellé", max_length=200, blank=True)
    actif = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "client OAuth"
        verbose_name_plural = "clients OAuth"

    def __str__(self):
        return self.client_id


class JetonAcces(models.Model):
    client = models.ForeignKey(ClientOAuth, on_delete=models.CASCADE, related_name="jetons")
    empreinte = models.CharField("empreinte SHA-256 du jeton", max_length=64, unique=True)
    expire_le = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "jeton d'accès"
        verbose_name_plural = "jetons d'accès"
        indexes = [models.Index(fields=["expire_le"], name="api_jeton_expire_idx")]

    def __str__(self):
        return f"{self.client_id} → {self.expire_le:%Y-%m-%d %H:%M}"


class CompteTechnique(models.Model):
    """A structure's technical account. It acts through ``utilisateur``, a dedicated user attached to the structure
    with its profiles (« Factures émises » in modification…), so that every query is scoped by the same domain
    functions as a person's; that user has no usable password and cannot sign in to the portal."""

    login = models.CharField(max_length=150, unique=True)
    mot_de_passe_hache = models.CharField("mot de passe (haché)", max_length=128)
    expiration_mot_de_passe = models.DateTimeField("expiration du mot de passe")
    structure = models.ForeignKey("organisation.Structure", on_delete=models.PROTECT, related_name="comptes_techniques")
    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="compte_technique"
    )
    actif = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "compte technique"
        verbose_name_plural = "comptes techniques"

    def __str__(self):
        return self.login


class FluxDepot(models.Model):
    """A file deposited by ``factures/v1/deposer/flux``: answered at once with its number, processed by a Celery
    task (``chorus.api.tasks.traiter_flux``) through the portal's deposit analysis, polled by ``consulterCR*``."""

    class Etat(models.TextChoices):
        RECU = "IN_RECU", "Reçu"
        EN_COURS = "IN_EN_COURS_TRAITEMENT_CPP", "En cours de traitement"
        INTEGRE = "IN_INTEGRE", "Intégré"
        INTEGRE_PARTIEL = "IN_INTEGRE_PARTIEL", "Intégré partiellement"
        REJETE = "IN_REJETE", "Rejeté"

    numero = models.CharField("numéro de flux", max_length=30, unique=True)
    compte = models.ForeignKey(CompteTechnique, on_delete=models.PROTECT, related_name="flux")
    structure = models.ForeignKey("organisation.Structure", on_delete=models.PROTECT, related_name="flux_depot")
    syntaxe = models.CharField(max_length=40)
    nom_fichier = models.CharField(max_length=255)
    fichier = models.FileField(upload_to="flux/%Y/%m/")
    etat = models.CharField(max_length=40, choices=Etat.choices, default=Etat.RECU)
    erreurs_dp = models.JSONField("erreurs par demande de paiement", default=list, blank=True)
    erreurs_techniques = models.JSONField(default=list, blank=True)
    factures = models.ManyToManyField("facturation.Facture", blank=True, related_name="+")
    created_at = models.DateTimeField("déposé le", default=timezone.now)
    etat_le = models.DateTimeField("état courant depuis", default=timezone.now)
    # Processing resumes after a crash (chorus.api.flux): each attempt is counted and bounded, a worker that is
    # processing the flux shows it is alive, and each file integrated is recorded with the link to its invoice.
    tentatives = models.PositiveSmallIntegerField("tentatives de traitement", default=0)
    traitement_vu_le = models.DateTimeField("dernier signe de vie du traitement", null=True, blank=True)
    membres_traites = models.JSONField("fichiers intégrés (SHA-256 → facture)", default=dict, blank=True)

    class Meta:
        verbose_name = "flux déposé"
        verbose_name_plural = "flux déposés"
        indexes = [
            # The beat task looks for flux left unfinished: few rows, whatever the table's size.
            models.Index(
                fields=["etat_le"],
                condition=models.Q(etat__in=["IN_RECU", "IN_EN_COURS_TRAITEMENT_CPP"]),
                name="api_flux_a_traiter_idx",
            )
        ]

    def __str__(self):
        return self.numero
