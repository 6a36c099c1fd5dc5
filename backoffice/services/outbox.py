"""The outbox: how every app sends an e-mail or an SMS (ARCHITECTURE «Reliability rules»).

`message_send` renders the message from its templates and writes it in the caller's transaction;
delivery is queued after commit. A failure is retried by Celery with backoff and, if the broker
itself was down, by the beat job `outbox_flush`.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import OutboxMessage
from ..sms import sms_send

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _site_context() -> dict:
    return {"site_url": settings.SITE_URL.rstrip("/"), "site_name": settings.SITE_NAME}


def message_send(
    *,
    to: str,
    template: str,
    context: dict | None = None,
    channel: str = OutboxMessage.Channel.EMAIL,
    user=None,
    attachments: list[dict] | None = None,
) -> OutboxMessage:
    """Write a message to the outbox and deliver it after the current transaction commits.

    E-mails use templates/emails/<template>/{subject.txt,body.txt,body.html};
    SMS use templates/sms/<template>.txt. `context` may hold anything the templates need.
    `attachments` name files rendered at delivery, in Celery: [{"kind": "document_pdf", "id": 42}], see
    ATTACHMENT_KINDS.
    """
    for attachment in attachments or ():
        if attachment.get("kind") not in ATTACHMENT_KINDS:
            raise ValueError(f"Unknown attachment kind {attachment!r}")
    context = {**_site_context(), **(context or {}), "recipient": to, "user": user}
    if channel == OutboxMessage.Channel.SMS:
        subject, body, html = "", render_to_string(f"sms/{template}.txt", context).strip(), ""
    else:
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        body = render_to_string(f"emails/{template}/body.txt", context).strip() + "\n"
        html = render_to_string(f"emails/{template}/body.html", context)
    message = OutboxMessage.objects.create(
        channel=channel,
        recipient=to,
        template=template,
        subject=subject,
        body=body,
        html=html,
        user=user,
        attachments=list(attachments or ()),
    )
    transaction.on_commit(lambda: _queue(message.pk))
    return message


def _queue(message_id: int) -> None:
    from ..tasks import outbox_deliver_task  # the tasks module imports this one

    try:
        outbox_deliver_task.delay(message_id)
    except Exception:  # the broker is down: the row waits for outbox_flush
        log.warning("Outbox message %s left for the next flush: the broker is not reachable", message_id, exc_info=True)


def outbox_deliver(*, message_id: int) -> bool:
    """Send one pending message; True when sent (or already sent), False when it failed and waits for a retry."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboxMessage.Status.PENDING:
            return True
        message.attempts += 1
        try:
            if message.channel == OutboxMessage.Channel.SMS:
                sms_send(phone=message.recipient, text=message.body)
            else:
                # The row's id in a header: a receiver (or the load test's sink) can tell a letter sent twice.
                headers = {"X-Outbox-Id": str(message.pk)}
                email = EmailMultiAlternatives(message.subject, message.body, to=[message.recipient], headers=headers)
                if message.html:
                    email.attach_alternative(message.html, "text/html")
                for attachment in message.attachments:
                    email.attach(*attachment_render(attachment))
                email.send()
        except Exception as error:  # any transport error: keep the reason for staff, retry later
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            message.save(update_fields=["attempts", "last_error", "status"])
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def _document_pdf(pk: int) -> tuple[str, bytes, str]:
    from ..models import Document
    from ..pdf import document_pdf_filename, document_render_pdf

    document = Document.objects.select_related("account__customer", "contract__customer").get(pk=pk)
    return document_pdf_filename(document=document), document_render_pdf(document=document), "application/pdf"


def _payment_receipt_pdf(pk: int) -> tuple[str, bytes, str]:
    from ..models import Payment
    from ..pdf import payment_receipt_render_pdf

    payment = Payment.objects.select_related("account__customer", "contract__customer").get(pk=pk)
    filename = f"Чек об оплате № {payment.number or payment.pk}.pdf"
    return filename, payment_receipt_render_pdf(payment=payment), "application/pdf"


# What a letter may carry: each kind renders its file from the row's id when the letter is sent (PDFs come from
# their content cache, so a retried delivery costs a file read). A missing row fails the delivery like any error.
ATTACHMENT_KINDS = {"document_pdf": _document_pdf, "payment_receipt": _payment_receipt_pdf}


def attachment_render(attachment: dict) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of one entry of OutboxMessage.attachments."""
    return ATTACHMENT_KINDS[attachment["kind"]](int(attachment["id"]))


def outbox_flush(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue again what is still pending a while after it was written; return how many."""
    cutoff = timezone.now() - older_than
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for message_id in ids:
        _queue(message_id)
    return len(ids)
