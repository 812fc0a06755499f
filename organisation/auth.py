from django.contrib.auth.backends import ModelBackend


class VerrouillageBackend(ModelBackend):
    """Django's model backend, refusing accounts locked after too many failed logins."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.est_verrouille()
