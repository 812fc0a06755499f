"""The second factor's gate (issue 13 item 8), after ``django_otp.middleware.OTPMiddleware``.

- An account whose second factor is on reaches no page with a session that has not passed the « Code de
  vérification » step (an older session, or one whose device was reset): it is logged out and logs in again.
  The step itself is reached before any login (``organisation.views.double_authentification``), so this only
  catches sessions opened elsewhere before the activation.
- Where the second factor is required (``CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE``: gestionnaires principaux,
  support agents, administrators), an account without it reaches only the enrolment page until enrolled.

The API (``/api/``, ``/cpro/``) authenticates with tokens and technical accounts, never a session: untouched.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from chorus.navigation import url_fixe
from organisation.services.double_authentification import double_authentification_requise

PREFIXES_LIBRES = ("/api/", "/cpro/", "/static/", "/health")


class DoubleAuthentificationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self._barriere(request)
        return reponse if reponse is not None else self.get_response(request)

    def _barriere(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(PREFIXES_LIBRES):
            return None
        if request.path == url_fixe("deconnexion"):
            return None
        if user.double_authentification_active:
            if user.is_verified():
                return None
            logout(request)
            messages.info(
                request, "Connectez-vous à nouveau : votre compte est protégé par la double authentification."
            )
            return redirect("connexion")
        # Nothing more to ask of an account without a second factor, unless it is required (a query or two, only
        # while the requirement is on and the account has not enrolled).
        if not settings.CHORUS_DOUBLE_AUTHENTIFICATION_OBLIGATOIRE:
            return None
        enrolement = url_fixe("double_authentification")
        if request.path == enrolement or not double_authentification_requise(user):
            return None
        return redirect(enrolement)
