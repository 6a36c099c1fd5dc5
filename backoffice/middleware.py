"""Request middleware of the back office."""

from .services.audit import audit_request


class AuditOriginMiddleware:
    """Remembers where the request came from (portal or admin, address, browser) for the audit entries it writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_request(request):
            return self.get_response(request)
