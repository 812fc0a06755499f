from django.db import models

from chorus.history import HistoriqueBase


class Demande(models.Model):
    class Statut(models.TextChoices):
        DEPOSEE = "DEPOSEE", "Déposée"
        MISE_A_DISPOSITION = "MISE_A_DISPOSITION", "Mise à disposition du destinataire"
        REJETEE = "REJETEE", "Rejetée"
        MISE_EN_PAIEMENT = "MISE_EN_PAIEMENT", "Mise en paiement"

    numero = models.CharField(max_length=20)
    statut = models.CharField(max_length=30, choices=Statut.choices, default=Statut.DEPOSEE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.numero


class HistoriqueDemande(HistoriqueBase):
    objet = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="historique")

    class Meta(HistoriqueBase.Meta):
        pass
