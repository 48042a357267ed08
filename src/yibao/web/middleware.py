class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: a strict content security policy, and
    ``Cache-Control: no-store`` on every API answer and every page or file served to a signed-in
    user (accounts, identity numbers, bills: nothing personal is kept by a browser or a proxy),
    unless a view has set its own."""

    CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
           "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
