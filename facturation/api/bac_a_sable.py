"""``/cpro/bacasable/v1/forcerStatut``: in the sandbox only (``settings.CHORUS_BAC_A_SABLE``), an integrator forces
any status on one of its own invoices (the technical account's « Factures émises ») to test its connector. Outside
the sandbox it changes nothing and answers, as every refusal of the API, HTTP 400 with ``codeRetour`` 20002
(introuvable) and a French ``libelle``."""

from django.conf import settings
from django.core.exceptions import ValidationError

from chorus.api.champs import Entier, Requete, Texte
from chorus.api.kit import (
    CODE_REGLE_METIER,
    ErreurApi,
    introuvable,
    requete_invalide,
    rfc3339,
    succes,
)
from chorus.api.protocole import service_cpro
from chorus.workflow import TransitionInterdite
from facturation.api import acces
from facturation.services import bac_a_sable


class ForcerStatutRequete(Requete):
    identifiantFactureCPP = Entier(requis=True)
    statut = Texte(requis=True)
    motif = Texte()


def forcer_statut(corps, compte):
    if not settings.CHORUS_BAC_A_SABLE:
        raise introuvable("Ce service n'existe que dans le bac à sable (CHORUS_BAC_A_SABLE).")
    pk = corps.entier("identifiantFactureCPP", requis=True)
    statut = corps.texte("statut", requis=True)
    if statut not in bac_a_sable.STATUTS_FORCABLES:
        raise requete_invalide(
            f"Statut inconnu ou non forçable : {statut} "
            f"(attendu : {', '.join(s.value for s in bac_a_sable.STATUTS_FORCABLES)})."
        )
    facture = acces.facture_emise(compte, pk)
    try:
        entree = bac_a_sable.forcer_statut(
            facture=facture, statut=statut, acting_user=compte.utilisateur, motif=corps.texte("motif")
        )
    except ValidationError as exc:
        raise ErreurApi(" ".join(exc.messages), CODE_REGLE_METIER) from None
    except TransitionInterdite as exc:
        raise ErreurApi(exc.message, CODE_REGLE_METIER) from None
    return succes(
        identifiantFactureCPP=facture.pk,
        numeroFacture=facture.numero,
        statutPrecedent=entree.statut_precedent,
        statutFacture=entree.statut,
        dateHeureChangement=rfc3339(entree.created_at),
    )


ForcerStatut = service_cpro(
    "Bac à sable : forcer le statut d'une de vos factures (CHORUS_BAC_A_SABLE seulement)",
    ForcerStatutRequete,
    forcer_statut,
)
