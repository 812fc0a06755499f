from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from chorus import views, vues_messages
from chorus.api.protocole import chemin_inconnu

admin.site.site_header = "Chorus Pro – administration"
admin.site.site_title = "Chorus Pro"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("domaines/", views.domaines, name="domaines"),
    path("approbations/", views.approbations, name="approbations"),
    path("communication/", views.communication, name="communication"),
    path("support/", views.support, name="support"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", views.donnees_personnelles, name="donnees_personnelles"),
    path("publications/<int:pk>/", views.publication, name="publication"),
    path("mes-messages/", vues_messages.mes_messages, name="mes_messages"),
    path("mes-messages/<int:pk>/", vues_messages.message, name="message"),
    path("mes-messages/marquer-lus/", vues_messages.marquer_messages_lus, name="marquer_messages_lus"),
    path("mes-messages/preferences/", vues_messages.preferences_messages, name="preferences_messages"),
    path("health", views.health, name="health"),
    path("favicon.ico", views.favicon),
    path("", include("organisation.urls")),
    path("", include("facturation.urls")),
    path("", include("sollicitations.urls")),
    path("", include("travaux.urls")),
    path("", include("chorus.api.urls")),
    path("", include("organisation.api.urls")),  # /cpro/structures/v1/…
    path("", include("facturation.api.urls")),  # /cpro/factures/v1/…, transverses/v1/consulterCR*
    path("", include("travaux.api.urls")),  # /cpro/facturesTravaux/v1/…
    path("administration/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Last, after every service and the media of DEBUG: an unknown /cpro/… path answers the API's JSON envelope.
urlpatterns.append(re_path(r"^cpro/(?P<chemin>.*)$", csrf_exempt(chemin_inconnu), name="api_chemin_inconnu"))
