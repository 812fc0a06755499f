"""``/cpro/structures/v1/…``, the organisation's ``/cpro/transverses/v1/…`` and ``/cpro/utilisateurs/v1/…``
(included by the project's ``chorus/urls.py``)."""

from django.urls import path

from organisation.api import structures, transverses, utilisateurs

urlpatterns = [
    path("cpro/structures/v1/rechercher", structures.Rechercher.as_view()),
    path("cpro/structures/v1/consulter", structures.Consulter.as_view()),
    path("cpro/structures/v1/rechercher/services", structures.RechercherServices.as_view()),
    path("cpro/structures/v1/consulter/service", structures.ConsulterService.as_view()),
    path("cpro/transverses/v1/rechercher/destinataire", transverses.RechercherDestinataire.as_view()),
    path("cpro/transverses/v1/consulter/information/siret", transverses.ConsulterInformationSiret.as_view()),
    path(
        "cpro/transverses/v1/telecharger/annuaire/destinataire", transverses.TelechargerAnnuaireDestinataire.as_view()
    ),
    path("cpro/transverses/v1/recuperer/typeidentifiant/structure", transverses.RecupererTypesIdentifiant.as_view()),
    path("cpro/transverses/v1/recuperer/coordbanc/valides", transverses.RecupererCoordonneesBancairesValides.as_view()),
    path("cpro/utilisateurs/v1/monCompte/recuperer/rattachements", utilisateurs.MonCompteRattachements.as_view()),
]
