"""Sollicitations for tests, deposited the way the portal deposits them (``sollicitations.services``)::

    SollicitationFactory(acting_user=gp, structure_emettrice=structure, structure_destinataire=etat)  # DRFIP_IDF
    SollicitationFactory(acting_user=gp, structure_emettrice=structure, code="COMPTE_TECHNIQUE",
                         categorie_code="RACCORDEMENT")  # to the support desk (its sous-catégorie routes it)
    SollicitationFactory(..., statut=S.RESOLUE, traitee_par=agent, reponse="Voilà.")  # then answered by the agent
    SollicitationFactory(..., deposee_le=lundi, statut=..., traitee_le=mardi)  # each step at its instant

Without ``acting_user`` a new user is made, without ``structure_emettrice`` a structure of that user (its GP).
"""

import factory

from sollicitations import services
from sollicitations.models import Sollicitation, SousCategorie
from tests import outils
from tests.factories import UtilisateurFactory, structure_privee


def sous_categorie(code_categorie, code) -> SousCategorie:
    return SousCategorie.objects.select_related("categorie").get(categorie__code=code_categorie, code=code)


class SollicitationFactory(factory.Factory):
    """``categorie_code`` / ``code``: the sous-catégorie; ``service``: the code of the recipient's service (when the
    sous-catégorie routes to a public structure's service)."""

    class Meta:
        model = Sollicitation

    class Params:
        categorie_code = "FACTURES_EMISES"
        code = "SUIVI_TRAITEMENT"
        service = "DRFIP_IDF"

    acting_user = factory.SubFactory(UtilisateurFactory)
    structure_emettrice = factory.LazyAttribute(lambda o: structure_privee(o.acting_user, "Émetteur SAS"))
    sous_categorie = factory.LazyAttribute(lambda o: sous_categorie(o.categorie_code, o.code))
    # From the codes, not from ``sous_categorie``: a test may pass a sous-catégorie of another category.
    categorie = factory.LazyAttribute(lambda o: sous_categorie(o.categorie_code, o.code).categorie)
    structure_destinataire = None
    service_destinataire = factory.LazyAttribute(
        lambda o: (
            o.structure_destinataire.services.get(code=o.service)
            if o.structure_destinataire is not None and o.service
            else None
        )
    )
    objet = "Date de paiement de la facture F-1"
    message = "Bonjour, pouvez-vous m'indiquer où en est le paiement ?"
    # Once deposited, set to ``statut`` by ``traitee_par`` (a user of the receiving side), ``reponse`` its message.
    statut = None
    traitee_par = None
    reponse = ""
    # The instants of the deposit and of that answer, the clock stopped there (``tests.outils.a_l_instant``): none,
    # the clock as it runs.
    deposee_le = None
    traitee_le = None

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError(
            "SollicitationFactory deposits through the services, an unsaved build() is refused: use create()."
        )

    @classmethod
    def _create(cls, model_class, *, statut, traitee_par, reponse, deposee_le, traitee_le, **donnees):
        with outils.a_l_instant(deposee_le):
            sollicitation = services.deposer_sollicitation(**donnees)
        if statut is not None:
            with outils.a_l_instant(traitee_le):
                sollicitation = services.traiter_sollicitation(
                    acting_user=traitee_par, sollicitation=sollicitation, statut=statut, message=reponse
                )
        return sollicitation
