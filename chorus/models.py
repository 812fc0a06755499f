from django.conf import settings
from django.db import models
from django.utils import timezone

from chorus.champs import utilisateur_facultatif


class OutboxMessage(models.Model):
    """Work whose loss would lose data (an e-mail to send, a flux to process), written in the same transaction
    as the change that causes it. A task queued on commit runs it at once; the beat sweep runs whatever is
    still pending, so a lost Redis message or a killed worker delays the work but never loses it."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "EN_ATTENTE", "En attente"
        TRAITE = "TRAITE", "Traité"
        ECHEC = "ECHEC", "En échec"

    kind = models.CharField("type", max_length=100)
    payload = models.JSONField("données", default=dict)
    statut = models.CharField(max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    tentatives = models.PositiveSmallIntegerField(default=0)
    derniere_erreur = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    disponible_le = models.DateTimeField("à traiter à partir du", default=timezone.now)
    traite_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "message de la boîte d'envoi"
        verbose_name_plural = "boîte d'envoi"
        indexes = [
            # The sweep's query: pending rows that are due, oldest first.
            models.Index(
                fields=["disponible_le", "id"],
                name="outbox_pending_idx",
                condition=models.Q(statut="EN_ATTENTE"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_statut_display()})"


class WorkerHeartbeat(models.Model):
    """Last sign of life of each Celery worker, read by /health."""

    hostname = models.CharField(max_length=255, primary_key=True)
    last_seen = models.DateTimeField()

    class Meta:
        verbose_name = "battement de cœur d'un worker"

    def __str__(self):
        return f"{self.hostname} ({self.last_seen:%d/%m/%Y %H:%M:%S})"


class Publication(models.Model):
    """News (Communication) and help articles (Support) written by the platform's support desk."""

    class Rubrique(models.TextChoices):
        ACTUALITE = "ACTUALITE", "Actualité"
        AIDE = "AIDE", "Aide"

    rubrique = models.CharField(max_length=20, choices=Rubrique.choices)
    titre = models.CharField(max_length=200)
    resume = models.CharField("résumé", max_length=400)
    contenu = models.TextField()
    date_publication = models.DateField(default=timezone.localdate)
    publiee = models.BooleanField("publiée", default=True)
    auteur = utilisateur_facultatif()

    class Meta:
        ordering = ["-date_publication", "-id"]
        indexes = [models.Index(fields=["rubrique", "-date_publication", "-id"], name="publication_liste_idx")]

    def __str__(self):
        return self.titre


class Message(models.Model):
    """« Mes messages »: one notification of the portal to one user (``chorus.messagerie.notifier``), the same
    event that is e-mailed. Read once opened or marked as read."""

    destinataire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages_recus")
    evenement = models.CharField("type de message", max_length=60)
    sujet = models.CharField("objet", max_length=300)
    corps = models.TextField("message")
    created_at = models.DateTimeField("reçu le", default=timezone.now)
    lu_le = models.DateTimeField("lu le", null=True, blank=True)

    class Meta:
        verbose_name = "message"
        indexes = [
            # The inbox's keyset pages (newest first) and the header's unread count.
            models.Index(fields=["destinataire", "id"], name="message_boite_idx"),
            models.Index(fields=["destinataire"], name="message_non_lu_idx", condition=models.Q(lu_le__isnull=True)),
        ]

    def __str__(self):
        return f"{self.sujet} ({self.destinataire_id})"


class PreferenceMessage(models.Model):
    """A user's choice for one type of message: « Recevoir aussi par courriel » (no row: yes)."""

    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    evenement = models.CharField("type de message", max_length=60)
    par_courriel = models.BooleanField("recevoir aussi par courriel", default=True)

    class Meta:
        verbose_name = "préférence de message"
        constraints = [models.UniqueConstraint(fields=["utilisateur", "evenement"], name="preference_message_unique")]

    def __str__(self):
        return f"{self.evenement} : {'courriel' if self.par_courriel else 'sans courriel'}"
