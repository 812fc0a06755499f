"""Every test factory of the project, in one place."""

import factory
from django.utils import timezone

from organisation.models import Utilisateur

MOT_DE_PASSE = "Mot-de-passe-solide-2026"


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.fr")
    prenom = factory.Faker("first_name", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    telephone = "01 02 03 04 05"
    password = factory.django.Password(MOT_DE_PASSE)

    class Params:
        verrouille = factory.Trait(
            verrouille_jusqu_au=factory.LazyFunction(
                lambda: timezone.now().replace(microsecond=0) + timezone.timedelta(hours=1)
            )
        )
        agent_support = factory.Trait(is_staff=True)
