"""The acquirers' server-to-server notifications: one address per provider, no session, no CSRF token (the
signature is the proof), mounted by cms/urls.py under /acquiring/."""

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import AcquirerCallback
from ..services.acquiring import acquiring_callback_receive
from .base import PROVIDERS

Outcome = AcquirerCallback.Outcome
# A refused notification is answered with an error, so that a real bank retries it and staff see it in the log.
STATUS = {Outcome.BAD_SIGNATURE: 403, Outcome.UNKNOWN_ORDER: 404}


@csrf_exempt
@require_POST
def callback(request, provider: str):
    if provider not in PROVIDERS:
        raise Http404
    row = acquiring_callback_receive(
        provider_code=provider, body=request.body, headers=request.headers, remote_addr=request.META.get("REMOTE_ADDR")
    )
    status = STATUS.get(row.outcome, 400 if row.refused else 200)
    return HttpResponse("OK" if status == 200 else row.outcome, status=status, content_type="text/plain")
