"""OAuth clients and their access tokens (the domain-free half of the API's authentication; the technical accounts
of the ``cpro-account`` header are ``organisation.models.CompteTechnique``). Client secrets are stored hashed with
Django's password hashers, access tokens (random, 256 bits) with SHA-256 so that each call finds its token by one
indexed lookup."""

import hashlib

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
