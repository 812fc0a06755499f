from django.contrib.auth import views as auth_views
from django.urls import path

from organisation.views import (
    annuaire,
    compte,
    double_authentification,
    gestion,
    insee,
    raccordements,
    rattachements,
    structures,
)

urlpatterns = [
    path("connexion/", compte.ConnexionView.as_view(), name="connexion"),
    path("connexion/verification/", double_authentification.verification, name="connexion_verification"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("mot-de-passe-oublie/", compte.MotDePasseOublieView.as_view(), name="mot_de_passe_oublie"),
    path(
        "mot-de-passe-oublie/envoye/",
        compte.MotDePasseOublieEnvoyeView.as_view(),
        name="mot_de_passe_oublie_envoye",
    ),
    path("mot-de-passe/<uidb64>/<token>/", compte.NouveauMotDePasseView.as_view(), name="nouveau_mot_de_passe"),
    path("mot-de-passe/modifie/", compte.NouveauMotDePasseFaitView.as_view(), name="nouveau_mot_de_passe_fait"),
    path("mon-compte/", compte.mon_compte, name="mon_compte"),
    path(
        "mon-compte/double-authentification/",
        double_authentification.double_authentification,
        name="double_authentification",
    ),
    path(
        "support/double-authentification/",
        double_authentification.reinitialiser,
        name="reinitialiser_double_authentification",
    ),
    path("mon-compte/mot-de-passe/", compte.ChangerMotDePasseView.as_view(), name="changer_mot_de_passe"),
    path("mon-compte/modifications/<int:pk>/annuler/", compte.annuler_modification, name="annuler_modification"),
    # Création de compte
    path("creer-un-compte/", compte.creer_compte, name="creer_compte"),
    path("creer-un-compte/envoye/", compte.compte_cree, name="compte_cree"),
    path("activer/<uidb64>/<token>/", compte.activer_compte, name="activer_compte"),
    path("activer/renvoyer/", compte.renvoyer_activation, name="renvoyer_activation"),
    # Rattachements
    path("mes-rattachements/", rattachements.mes_rattachements, name="mes_rattachements"),
    path("mes-rattachements/demander/", rattachements.demander_rattachement, name="demander_rattachement"),
    path("mes-rattachements/<int:pk>/repondre/", rattachements.repondre_invitation, name="repondre_invitation"),
    # Habilitations
    path("mes-habilitations/", rattachements.mes_habilitations, name="mes_habilitations"),
    path("mes-habilitations/export.csv", rattachements.exporter_mes_habilitations, name="exporter_mes_habilitations"),
    path("mes-habilitations/gerer/", rattachements.gerer_mes_habilitations, name="gerer_mes_habilitations"),
    # Approbations (the list page is chorus.views.approbations, fed by the registered source)
    path("approbations/<int:pk>/", gestion.approbation, name="approbation"),
    # Domaine Organisation: utilisateurs
    path("organisation/utilisateurs/", gestion.utilisateurs, name="utilisateurs"),
    path("organisation/utilisateurs/export.csv", gestion.exporter_utilisateurs, name="exporter_utilisateurs"),
    path(
        "organisation/utilisateurs/export.xlsx",
        gestion.exporter_utilisateurs,
        {"format_export": "xlsx"},
        name="exporter_utilisateurs_xlsx",
    ),
    path("organisation/utilisateurs/rattacher/", gestion.rattacher_utilisateur, name="rattacher_utilisateur"),
    path(
        "organisation/utilisateurs/rattachements/<int:pk>/detacher/",
        gestion.detacher_utilisateur,
        name="detacher_utilisateur",
    ),
    path("organisation/habilitations/", gestion.gerer_habilitations, name="gerer_habilitations"),
    path("organisation/historique/", gestion.historique_gestionnaire, name="historique_gestionnaire"),
    # Domaine Organisation: structures
    path("organisation/structures/", structures.mes_structures, name="mes_structures"),
    path("organisation/structures/creer/", structures.creer_structure, name="creer_structure"),
    path("organisation/structures/<int:pk>/", structures.gerer_structure, name="gerer_structure"),
    path(
        "organisation/structures/<int:pk>/services/<int:service_pk>/",
        structures.modifier_service,
        name="modifier_service",
    ),
    # Domaine Raccordement EDI: « Raccordements »
    path("raccordements/comptes-techniques/", raccordements.comptes_techniques, name="raccordements_comptes"),
    path(
        "raccordements/comptes-techniques/<int:pk>/renouveler/",
        raccordements.renouveler_compte_technique,
        name="raccordements_renouveler_compte",
    ),
    path(
        "raccordements/comptes-techniques/<int:pk>/revoquer/",
        raccordements.revoquer_compte_technique,
        name="raccordements_revoquer_compte",
    ),
    path("raccordements/clients-api/", raccordements.clients_api, name="raccordements_clients"),
    path(
        "raccordements/clients-api/<int:pk>/renouveler/",
        raccordements.renouveler_secret_client,
        name="raccordements_renouveler_client",
    ),
    path(
        "raccordements/clients-api/<int:pk>/revoquer/",
        raccordements.revoquer_client_api,
        name="raccordements_revoquer_client",
    ),
    path("raccordements/mode-d-echange/", raccordements.mode_echange, name="raccordements_mode_echange"),
    # Annuaire des structures publiques (public)
    path("annuaire/", annuaire.annuaire, name="annuaire"),
    path("annuaire/export.csv", annuaire.exporter_annuaire, name="exporter_annuaire"),
    path("annuaire/<int:pk>/", annuaire.structure_publique, name="annuaire_structure"),
    path("insee/<str:siret>/", insee.etablissement, name="insee_siret"),
]
