import logging

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chorus import navigation
from chorus.formulaires import DecisionsEnMasseForm
from chorus.models import Publication, WorkerHeartbeat

logger = logging.getLogger(__name__)


def accueil(request):
    actualites = Publication.objects.filter(rubrique=Publication.Rubrique.ACTUALITE, publiee=True)[:3]
    return render(
        request,
        "chorus/accueil.html",
        {
            "actualites": actualites,
            "actions_publiques": navigation.actions_publiques(),
            "breadcrumb_data": navigation.fil_ariane(courant="Accueil"),
        },
    )


def _page_legale(gabarit: str, titre: str):
    """A public page of the footer: its text lives in its template."""

    def vue(request):
        return render(request, gabarit, {"breadcrumb_data": navigation.fil_ariane(courant=titre)})

    vue.__name__ = gabarit.rsplit("/", 1)[-1].removesuffix(".html")
    return vue


accessibilite = _page_legale("chorus/accessibilite.html", "Déclaration d'accessibilité")
mentions_legales = _page_legale("chorus/mentions_legales.html", "Mentions légales")
donnees_personnelles = _page_legale("chorus/donnees_personnelles.html", "Données personnelles")


@login_required
def domaines(request):
    return render(
        request,
        "chorus/domaines.html",
        {
            "domaines": navigation.domaines_de(request.user),
            "alertes": navigation.alertes_connexion(request.user),
            "breadcrumb_data": navigation.fil_ariane(courant="Domaines"),
        },
    )


@login_required
def approbations(request):
    """The requests awaiting my decision; several can be approved or refused at once (the refusal's motif then
    applies to each)."""
    form = DecisionsEnMasseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approuver = form.cleaned_data["approuver"]
        nombre, refus = navigation.decider_approbations(
            request.user, form.cleaned_data["selection"], approuver=approuver, motif=form.cleaned_data["motif"]
        )
        if nombre:
            verbe = "approuvée" if approuver else "refusée"
            messages.success(
                request, f"{nombre} demande{'s' if nombre > 1 else ''} {verbe}{'s' if nombre > 1 else ''}."
            )
        for texte in refus:
            messages.error(request, texte)
        return redirect("approbations")
    return render(
        request,
        "chorus/approbations.html",
        {
            "lignes": form.lignes(navigation.approbations_de(request.user)),
            "form": form,
            "breadcrumb_data": navigation.fil_ariane(courant="Approbations"),
        },
    )


def _publications(request, *, rubrique, template, titre):
    publications = Publication.objects.filter(rubrique=rubrique, publiee=True)[:50]
    return render(
        request,
        template,
        {"publications": publications, "breadcrumb_data": navigation.fil_ariane(courant=titre)},
    )


def communication(request):
    return _publications(
        request,
        rubrique=Publication.Rubrique.ACTUALITE,
        template="chorus/communication.html",
        titre="Communication",
    )


def support(request):
    return _publications(request, rubrique=Publication.Rubrique.AIDE, template="chorus/support.html", titre="Support")


def publication(request, pk):
    item = get_object_or_404(Publication, pk=pk, publiee=True)
    parent = ("Communication", reverse("communication"))
    if item.rubrique == Publication.Rubrique.AIDE:
        parent = ("Support", reverse("support"))
    return render(
        request,
        "chorus/publication.html",
        {"publication": item, "breadcrumb_data": navigation.fil_ariane(parent, courant=item.titre)},
    )


def favicon(request):
    # Resolved per request: with the hashed static storage of production, the name exists only after collectstatic.
    return redirect(static("dsfr/dist/favicon/favicon.ico"), permanent=True)


MESSAGES_SANTE = {
    "database": "base de données PostgreSQL injoignable",
    "redis": "Redis (file de tâches et cache) injoignable",
    "worker": "aucun worker Celery actif récemment (tâches et courriels en attente)",
}


@never_cache
@require_GET
def health(request):
    """Database, Redis and the age of the last Celery worker heartbeat; 200 when all are fine, else 503 with a
    short French message naming the degraded parts. The server's own error text stays in the log, never in the
    answer (it may name hosts, users or paths)."""
    report = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"ok": True}
    except DatabaseError as exc:
        logger.warning("/health : base de données injoignable (%s)", type(exc).__name__)
        report["database"] = {"ok": False}
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        try:
            client.ping()
        finally:
            client.close()
        report["redis"] = {"ok": True}
    except (redis.RedisError, OSError, ValueError, TypeError) as exc:
        logger.warning("/health : Redis injoignable (%s)", type(exc).__name__)
        report["redis"] = {"ok": False}
    worker = {"ok": False, "last_heartbeat": None, "age_seconds": None}
    if report["database"]["ok"]:
        try:
            last = WorkerHeartbeat.objects.aggregate(last=Max("last_seen"))["last"]
        except DatabaseError as exc:
            logger.warning("/health : lecture du battement des workers impossible (%s)", type(exc).__name__)
            last = None
        if last is not None:
            age = (timezone.now() - last).total_seconds()
            worker.update(
                last_heartbeat=last.isoformat(),
                age_seconds=round(age, 1),
                ok=age <= settings.CHORUS_HEARTBEAT_MAX_AGE.total_seconds(),
            )
    report["worker"] = worker
    degrades = [partie for partie, etat in report.items() if not etat["ok"]]
    for partie in degrades:
        report[partie]["message"] = MESSAGES_SANTE[partie][0].upper() + MESSAGES_SANTE[partie][1:] + "."
    report["status"] = "error" if degrades else "ok"
    report["message"] = (
        "Service dégradé : " + " ; ".join(MESSAGES_SANTE[partie] for partie in degrades) + "."
        if degrades
        else "Portail opérationnel."
    )
    return JsonResponse(report, status=503 if degrades else 200, json_dumps_params={"ensure_ascii": False})
