import secrets

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
