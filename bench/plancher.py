"""The Django floor of a page: the cheapest Django view that runs the same SQL and returns its rows.

    python -m bench.plancher SOCKET_DIR DATABASE SQL_JSON N

Runs in its own process because it configures Django by hand, like the anchors' ``http/djapp.py``: two
middlewares, no session, no user, no template. For each SQL statement of ``SQL_JSON`` (a JSON list) it times N
requests of Django's test ``Client`` in-process against a view that executes the statement on a persistent
connection and answers its rows as JSON, plus a ``/hello`` view without SQL. Prints one JSON line per URL:
``{"url": ..., "p50": ms, "p95": ms}``. What a portal page costs above this floor is the portal's own work
(session, user, perimeter, ORM, template)."""

import json
import sys
import time

from django.conf import settings


def main():
    socket_dir, database, sql_file, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(sql_file) as f:
        requetes = json.load(f)
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        SECRET_KEY="bench-only",
        USE_TZ=True,
        MIDDLEWARE=["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"],
        INSTALLED_APPS=[],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": socket_dir,
                "USER": "postgres",
                "NAME": database,
                "CONN_MAX_AGE": 600,
            }
        },
    )
    import django

    django.setup()
    from django.db import connection
    from django.http import JsonResponse
    from django.test import Client
    from django.urls import path

    def hello(request):
        return JsonResponse({"hello": "world"})

    def requete(request, i):
        with connection.cursor() as cur:
            cur.execute(requetes[i])
            rows = [[str(v) for v in row] for row in cur.fetchall()]
        return JsonResponse({"count": len(rows), "rows": rows})

    sys.modules[__name__].urlpatterns = [path("hello", hello), path("requete/<int:i>", requete)]
    client = Client()
    for url in ["/hello", *[f"/requete/{i}" for i in range(len(requetes))]]:
        for _ in range(max(10, n // 10)):
            assert client.get(url).status_code == 200
        ts = []
        for _ in range(n):
            t = time.perf_counter()
            client.get(url)
            ts.append(time.perf_counter() - t)
        ts.sort()
        p50, p95 = ts[len(ts) // 2] * 1e3, ts[min(n - 1, int(n * 0.95))] * 1e3
        sys.stdout.write(json.dumps({"url": url, "p50": p50, "p95": p95}) + "\n")


urlpatterns = []

if __name__ == "__main__":
    main()
