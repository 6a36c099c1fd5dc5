"""Service orders (F-F2): the customer's «Отправить заявку» and the sales staff's steps in the Wagtail admin.

Новый → Принят → Выставлен счёт → Выполнен, or Отменён with a reason. «Выставлен счёт» issues the invoice in the
system of record (backoffice.services.documents.service_invoice_create); cancelling an invoiced order annuls it.
Each step locks the order and checks that it is still in the state the clerk saw, so of two clerks working on one
order the second is told «Заказ уже изменил другой сотрудник» instead of both winning. Every step is a
`TransitionLog` row and the customer is told in «Уведомления» (and by e-mail, as their settings say).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.formatting import format_money
from backoffice.models import Notification
from backoffice.services.documents import service_invoice_annul, service_invoice_create
from backoffice.services.notifications import notification_send
from backoffice.services.outbox import message_send
from cms.models import CompanySettings, ServicePage
from selfservice.selectors import accounts_for, contracts_for

from ..models import ServiceOrder
from .history import transition_log_write

State = ServiceOrder.State
CHANGE_ORDERS = "workflows.change_serviceorder"
REQUIRED = _("Заполните поле")


class ServiceOrderRefused(Exception):
    """A step that cannot be made; the message is shown to the person as it is."""


def _orders_url() -> str:
    return reverse("selfservice:orders")


def order_number(order: ServiceOrder) -> str:
    """«000042-26»: the order's sequence and the year it was placed, as customers read it out on the phone."""
    return f"{order.pk:06d}-{timezone.localtime(order.created_at):%y}"


@transaction.atomic
def service_order_submit(
    *,
    user,
    service: ServicePage,
    account=None,
    contract=None,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    description: str = "",
) -> ServiceOrder:
    """«Отправить заявку»: a «Новый» order for the chosen contract or ЛС of the user's cabinet.

    A service that asks only for the contract keeps no contacts; any other needs «ФИО контактного лица» and
    «Контактный номер телефона». The contract or ЛС must be one the user reaches (else: refused, nothing stored).
    """
    if (account is None) == (contract is None):
        raise ValidationError({"owner": _("Выберите договор или лицевой счёт.")})
    if account is not None and not accounts_for(user=user).filter(pk=account.pk).exists():
        raise ServiceOrderRefused(_("Этот лицевой счёт не подключён к вашему личному кабинету."))
    if contract is not None and not contracts_for(user=user).filter(pk=contract.pk).exists():
        raise ServiceOrderRefused(_("Этот договор не подключён к вашему личному кабинету."))
    if service.contract_only:
        contact_name = email = phone = description = ""
    else:
        errors = {name: REQUIRED for name, value in (("contact_name", contact_name), ("phone", phone)) if not value}
        if errors:
            raise ValidationError(errors)
    order = ServiceOrder(
        user=user,
        service=service,
        service_title=service.title,
        price_from=service.price_from,
        account=account,
        contract=contract,
        contact_name=" ".join(contact_name.split()),
        email=email.strip().lower(),
        phone=phone,
        description=description.strip(),
    )
    order.full_clean(exclude={"state", "number", "user", "service", "account", "contract"})
    order.save()
    order.number = order_number(order)
    order.save(update_fields=["number"])
    transition_log_write(subject=order, transition="submit", source="", target=order.state, by=user)
    notification_send(
        user=user,
        kind=Notification.Kind.SERVICE_ORDER,
        title=_("Заказ № %(number)s оформлен") % {"number": order.number},
        body=_("«%(service)s». Менеджер свяжется с вами для согласования условий и выставит счёт.")
        % {"service": order.service_title},
        url=_orders_url(),
        account=account,
        contract=contract,
    )
    company = CompanySettings.load()
    if company.email:
        message_send(
            to=company.email,
            template="service_order_new",
            context={
                "order": order,
                "admin_url": settings.SITE_URL.rstrip("/")
                + reverse("workflows_service_orders:inspect", args=[order.pk]),
            },
        )
    return order


def _lock_as_seen(order: ServiceOrder, by, seen_state: str | None) -> ServiceOrder:
    """The order locked for the step, if it is still in the state the clerk's page showed (`seen_state`)."""
    if not by.has_perm(CHANGE_ORDERS):
        raise PermissionDenied
    locked = (
        ServiceOrder.objects.select_for_update(of=("self",))
        .select_related("account", "contract", "user")
        .get(pk=order.pk)
    )
    if locked.state != (seen_state or order.state):
        raise ServiceOrderRefused(
            _("Заказ уже изменил другой сотрудник: теперь он «%(state)s». Обновите страницу.")
            % {"state": locked.get_state_display()}
        )
    return locked


def _tell_customer(order: ServiceOrder, *, title: str, body: str = "", kind=Notification.Kind.SERVICE_ORDER) -> None:
    notification_send(
        user=order.user,
        kind=kind,
        title=title,
        body=body,
        url=_orders_url(),
        account=order.account,
        contract=order.contract,
    )


@transaction.atomic
def service_order_accept(*, order: ServiceOrder, by, comment: str = "", seen_state: str | None = None) -> ServiceOrder:
    """«Принять»: a manager takes the order in hand."""
    locked = _lock_as_seen(order, by, seen_state)
    source = locked.state
    if source != State.NEW:
        raise ServiceOrderRefused(_("Принять можно только новый заказ."))
    locked.accept(by=by)
    locked.save()
    transition_log_write(
        subject=locked, transition="accept", source=source, target=locked.state, by=by, comment=comment
    )
    _tell_customer(
        locked,
        title=_("Заказ № %(number)s принят") % {"number": locked.number},
        body=_("Менеджер согласует с вами условия «%(service)s» и выставит счёт.") % {"service": locked.service_title},
    )
    return locked


@transaction.atomic
def service_order_invoice(
    *, order: ServiceOrder, by, amount: Decimal, comment: str = "", seen_state: str | None = None
) -> ServiceOrder:
    """«Выставить счёт»: the invoice for `amount` appears in the customer's documents and debt."""
    locked = _lock_as_seen(order, by, seen_state)
    source = locked.state
    if source != State.ACCEPTED:
        raise ServiceOrderRefused(_("Счёт выставляется по принятому заказу."))
    invoice = service_invoice_create(
        reference=locked.number,
        description=_("%(service)s (заказ № %(number)s)") % {"service": locked.service_title, "number": locked.number},
        amount=amount,
        account=locked.account,
        contract=locked.contract,
    )
    locked.invoice_issue(by=by, amount=invoice.amount, invoice=invoice)
    locked.save()
    transition_log_write(
        subject=locked,
        transition="invoice",
        source=source,
        target=locked.state,
        by=by,
        comment=comment
        or _("Счёт № %(number)s на %(amount)s") % {"number": invoice.number, "amount": format_money(invoice.amount)},
    )
    _tell_customer(
        locked,
        kind=Notification.Kind.INVOICE,
        title=_("Выставлен счёт № %(number)s по заказу № %(order)s")
        % {"number": invoice.number, "order": locked.number},
        body=_("К оплате %(amount)s до %(due)s. Счёт — в разделе «История» → «Документы».")
        % {"amount": format_money(invoice.amount), "due": invoice.due_date.strftime("%d.%m.%Y")},
    )
    return locked


@transaction.atomic
def service_order_complete(
    *, order: ServiceOrder, by, comment: str = "", seen_state: str | None = None
) -> ServiceOrder:
    """«Выполнен»: the service is done."""
    locked = _lock_as_seen(order, by, seen_state)
    source = locked.state
    if source != State.INVOICED:
        raise ServiceOrderRefused(_("Выполненным отмечается заказ, по которому выставлен счёт."))
    locked.complete(by=by)
    locked.save()
    transition_log_write(
        subject=locked, transition="complete", source=source, target=locked.state, by=by, comment=comment
    )
    _tell_customer(locked, title=_("Заказ № %(number)s выполнен") % {"number": locked.number})
    return locked


@transaction.atomic
def service_order_cancel(*, order: ServiceOrder, by, reason: str, seen_state: str | None = None) -> ServiceOrder:
    """«Отменить» with a reason the customer reads; an issued invoice is annulled."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Укажите причину отмены: её получит клиент.")})
    locked = _lock_as_seen(order, by, seen_state)
    source = locked.state
    if not locked.is_open:
        raise ServiceOrderRefused(_("Заказ уже закрыт."))
    if locked.invoice_id:
        service_invoice_annul(document=locked.invoice)
    locked.cancel(by=by, reason=reason)
    locked.save()
    transition_log_write(subject=locked, transition="cancel", source=source, target=locked.state, by=by, comment=reason)
    _tell_customer(
        locked,
        title=_("Заказ № %(number)s отменён") % {"number": locked.number},
        body=_("Причина: %(reason)s") % {"reason": reason},
    )
    return locked
