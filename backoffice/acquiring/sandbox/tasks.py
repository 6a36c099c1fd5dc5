"""The sandbox bank's delivery of notifications: retried with a growing delay until the shop answers 2xx."""

from celery import shared_task

from .bank import notification_deliver

MAX_ATTEMPTS = 6


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS)
def sandbox_notification_deliver_task(self, notification_id: int) -> bool:
    delivered = notification_deliver(notification_id=notification_id)
    if not delivered and not self.request.is_eager:  # inline (no broker) the shop's reconciliation asks instead
        raise self.retry(countdown=min(10 * 2**self.request.retries, 600))
    return delivered
