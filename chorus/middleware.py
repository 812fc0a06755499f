import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.urls import Resolver404, resolve

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Every asset is served by the portal itself: the policy forbids any other origin, and inline scripts
    need the per-request nonce that the DSFR script tags carry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if not request.path.startswith("/administration/"):
            response.setdefault("Content-Security-Policy", CSP.format(nonce=request.csp_nonce))
        return response


class TemplateVariableCheckMiddleware:
    """Tests only: a page that rendered an undefined variable (see ``string_if_invalid``) fails loudly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not getattr(response, "streaming", False):
            if b"!!MISSING" in response.content:
                start = response.content.index(b"!!MISSING")
                raise AssertionError(f"Undefined template variable: {response.content[start : start + 120]!r}")
        return response


class PagesErreurEnDeveloppement:
    """``make run`` (DEBUG on): the portal's « Page non trouvée » and « Erreur technique » pages instead of
    Django's debug pages, as the people trying the portal see it in production. The traceback of an error still
    goes to the console log. Pages of the API (``/api/``, ``/cpro/``) keep their own answers."""

    PREFIXES_API = ("/api/", "/cpro/")

    def __init__(self, get_response):
        self.get_response = get_response

    def _concerne(self, request) -> bool:
        return not request.path.startswith(self.PREFIXES_API)

    def __call__(self, request):
        if self._concerne(request):
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404:
                return self._page_404(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not self._concerne(request) or isinstance(exception, PermissionDenied):
            return None
        if isinstance(exception, Http404):
            return self._page_404(request)
        logging.getLogger("django.request").error(
            "Erreur technique : %s", request.path, exc_info=(type(exception), exception, exception.__traceback__)
        )
        return HttpResponseServerError(loader.get_template("500.html").render())

    @staticmethod
    def _page_404(request):
        return HttpResponseNotFound(loader.get_template("404.html").render({}, request))
