"""Every operation of the organisation domain that changes state, one module a subject: ``connexion`` (lock-out),
``modifications`` (deferred changes, the 30-minute rule), ``habilitations`` (profiles), ``circuits`` (status machines
of rattachements, structures and approbations), ``comptes``, ``demandes`` (rattachements, habilitations),
``decisions`` (approbations) and ``structures`` (structures, services, bank details, mandate, GP transfer).

The domain's service API is re-exported here so that callers need not know which module holds each name.
"""

from organisation.services.circuits import (  # noqa: F401
    CIRCUIT_APPROBATION,
    CIRCUIT_RATTACHEMENT,
    CIRCUIT_STRUCTURE,
    _approbateurs,
    _courriel,
    _creer_approbation,
    _creer_rattachement,
    _devenir_gestionnaire,
    _exiger_gestion,
    _pour_le_support,
    creer_structure,
)
from organisation.services.comptes import (  # noqa: F401
    DELAI_RENVOI_ACTIVATION,
    CasCreation,
    _ActivationTokenGenerator,
    _courriel_activation,
    activation_token,
    activer_compte,
    creer_compte,
    lien_activation,
    modifier_utilisateur,
    renvoyer_activation,
)
from organisation.services.connexion import (  # noqa: F401
    LIMITE_ACTIVATION_IP,
    LIMITE_ECHECS_CONNEXION_IP,
    LIMITE_MOT_DE_PASSE_OUBLIE_COMPTE,
    LIMITE_MOT_DE_PASSE_OUBLIE_IP,
    enregistrer_echec_connexion,
    fin_verrouillage,
    reinitialiser_echecs_connexion,
)
from organisation.services.decisions import (  # noqa: F401
    decider,
    role_decideur,
)
from organisation.services.demandes import (  # noqa: F401
    _verifier_cible,
    demander_habilitations,
    demander_modification_habilitations,
    demander_rattachement,
    detacher_utilisateur,
    rattacher_utilisateur,
    repondre_invitation,
)
from organisation.services.double_authentification import (  # noqa: F401
    DOUBLE_AUTHENTIFICATION,
    LIMITE_CODES,
    CodeRefuse,
    activer_double_authentification,
    codes_de_secours_restants,
    desactiver_double_authentification,
    double_authentification_requise,
    journaliser_connexion_verifiee,
    nouveau_secret,
    qr_code_svg,
    regenerer_codes_de_secours,
    reinitialiser_double_authentification,
    secret_lisible,
    url_configuration,
    verifier_code,
)
from organisation.services.habilitations import (  # noqa: F401
    ROLE_GESTIONNAIRE,
    ROLE_SUPPORT,
    ROLE_UTILISATEUR,
    _permissions,
    definir_profils,
    profils_de,
    profils_par_defaut,
    tous_les_profils,
)
from organisation.services.identifiants import (  # noqa: F401
    appliquer_changement_siret,
    changement_siret_en_attente,
    demander_changement_siret,
)
from organisation.services.modifications import (  # noqa: F401
    _APPLICATEURS,
    _APRES_APPLICATION,
    CIRCUIT_MODIFICATION,
    ECHECS_AFFICHES_PENDANT,
    MESSAGE_IDENTITE,
    ROLE_DEMANDEUR,
    _appliquer,
    _appliquer_profils,
    _apres_modification_structure,
    _cle,
    annuler_modification,
    appliquer_modifications_dues,
    demander_modification,
    modifications_en_attente,
    modifications_en_echec,
    modifications_non_appliquees_de,
    peut_modifier_identite,
)
from organisation.services.structures import (  # noqa: F401
    CHAMPS_ADRESSE,
    ajouter_coordonnees_bancaires,
    changer_statut_structure,
    creer_service,
    creer_structure_par_utilisateur,
    desactiver_coordonnees_bancaires,
    identifiant_particulier,
    modifier_service,
    modifier_structure,
    normaliser_iban,
    souscrire_mandat_facturation,
    transferer_gestionnaire_principal,
    verifier_numero_tva,
)
