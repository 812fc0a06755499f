from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from chorus.history import HistoriqueBase


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # E-mail addresses are compared case-insensitively on the portal: store them lower-case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    """A person using the portal; they log in with their e-mail address."""

    email = models.EmailField("adresse électronique", unique=True)
    nom = models.CharField(max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("date de création", default=timezone.now)
    echecs_connexion = models.PositiveSmallIntegerField("échecs de connexion consécutifs", default=0)
    verrouille_jusqu_au = models.DateTimeField("compte bloqué jusqu'au", null=True, blank=True)

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nom", "prenom"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["nom", "prenom", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="utilisateur_email_unique_insensible_casse",
                violation_error_message="Un compte existe déjà avec cette adresse électronique.",
            ),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom} <{self.email}>"

    def get_full_name(self):
        return f"{self.prenom} {self.nom}".strip()

    def get_short_name(self):
        return self.prenom

    def est_verrouille(self, now=None) -> bool:
        return self.verrouille_jusqu_au is not None and self.verrouille_jusqu_au > (now or timezone.now())


class ModificationDifferee(models.Model):
    """A change that takes effect later (the 30-minute rule), applied by the beat sweep when due."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "En attente"
        APPLIQUEE = "APPLIQUEE", "Appliquée"
        ANNULEE = "ANNULEE", "Annulée"
        ECHEC = "ECHEC", "Non appliquée"

    demandeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="modifications_demandees"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    description = models.CharField(max_length=300)
    changements = models.JSONField(help_text="Nouvelles valeurs, par champ.")
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    effective_at = models.DateTimeField("prend effet le")
    appliquee_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "modification différée"
        verbose_name_plural = "modifications différées"
        ordering = ["effective_at", "id"]
        indexes = [
            models.Index(
                fields=["effective_at", "id"],
                name="modif_diff_dues_idx",
                condition=models.Q(statut="EN_ATTENTE"),
            ),
            models.Index(fields=["content_type", "object_id", "statut"], name="modif_diff_cible_idx"),
        ]

    def __str__(self):
        return f"{self.description} ({self.get_statut_display()})"


class HistoriqueModificationDifferee(HistoriqueBase):
    objet = models.ForeignKey(ModificationDifferee, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        verbose_name = "historique d'une modification différée"
