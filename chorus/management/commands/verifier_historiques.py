"""``manage.py verifier_historiques``: recompute every hash chain of the history tables and report, for each
table, the first broken link (a row altered, removed or inserted behind the application's back).

Every model deriving from ``chorus.history.HistoriqueBase`` is checked, whichever app declares it (the kit finds
them through the app registry and imports no domain app). Exit code 0 when every chain holds, 1 otherwise, so a
cron job or a restore procedure can rely on it. A removed *last* row of a chain leaves no trace in the chain
itself: the rows' count is compared with a backup's by the restore procedure, not here."""

from django.core.management.base import BaseCommand, CommandError

from chorus.history import HistoriqueBase, modeles_historiques


def premier_maillon_rompu(modele: type[HistoriqueBase]) -> str | None:
    """The first broken link of ``modele``'s chains as a French sentence, or None when they all hold. One pass in
    the chains' order (object, date, id), streamed: memory does not grow with the table."""
    objet_courant, precedente = object(), ""
    lignes = modele.objects.order_by("objet_id", "created_at", "id").iterator(chunk_size=2000)
    for ligne in lignes:
        if ligne.objet_id != objet_courant:
            objet_courant, precedente, position_objet = ligne.objet_id, "", 0
        position_objet += 1
        lieu = (
            f"{modele._meta.verbose_name} (table {modele._meta.db_table}), objet n° {ligne.objet_id}, "
            f"ligne n° {ligne.pk} ({position_objet}e de sa chaîne)"
        )
        if ligne.empreinte_precedente != precedente:
            attendu = "aucune (début de chaîne)" if not precedente else precedente[:12] + "…"
            return (
                f"{lieu} : l'empreinte précédente enregistrée ne correspond pas à la ligne qui la précède "
                f"(attendue : {attendu}) ; une ligne a été supprimée, insérée ou modifiée avant elle."
            )
        if ligne.empreinte != ligne.calculer_empreinte():
            return f"{lieu} : son contenu ne correspond plus à son empreinte ; la ligne a été modifiée."
        precedente = ligne.empreinte
    return None


class Command(BaseCommand):
    help = "Vérifie les chaînes d'empreintes de tous les historiques et signale le premier maillon rompu."

    def handle(self, *args, **options):
        ruptures = 0
        for modele in modeles_historiques():
            nombre = modele.objects.count()
            rupture = premier_maillon_rompu(modele)
            if rupture is None:
                self.stdout.write(f"OK    {modele._meta.label} : {nombre} ligne(s), chaînes intactes.")
            else:
                ruptures += 1
                self.stderr.write(f"ROMPU {modele._meta.label} : premier maillon rompu : {rupture}")
        if ruptures:
            raise CommandError(f"Historique altéré : {ruptures} table(s) d'historique ont une chaîne rompue.")
        self.stdout.write(self.style.SUCCESS("Tous les historiques sont intacts."))
