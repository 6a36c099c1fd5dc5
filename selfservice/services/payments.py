"""Paying from the portal (F-E1, seed 001 §4.2, seed 000 §3.11): who may pay, for what, how much — then the acquirer
(backoffice/services/acquiring.py) takes it from there.

Three ways to pay:

- the debt of a contract or ЛС: the open documents are pre-selected (a contract's card may narrow the choice), the
  amount is editable; the money pays off the chosen documents, oldest «Оплатить до» first, and whatever is left
  stays as an advance. A household pays the electricity («Сумма») and the penalties («Пени») apart;
- one document: the amount is the document's «К оплате» and cannot be changed («с целью корректного зачисления
  средств в счет указанного документа»);
- any amount as a prepayment: nothing is paid off now; the billing run sets it against the next documents.

Paying needs a confirmed e-mail (seed 001 §3) and, on a contract, a role with the right to pay (Table 3).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.models import AcquiringOrder, Contract, Document, SavedCard
from backoffice.models.choices import DocumentType, SalesKind
from backoffice.services.acquiring import Target, acquiring_payment_start
from backoffice.services.outbox import message_send
from backoffice.services.periods import period_title

from ..access import Capability
from ..billing_selectors import open_documents
from ..selectors import accounts_for, contract_permits

Mode = AcquiringOrder.Mode
ZERO = Decimal(0)


class PaymentBlocked(PermissionDenied):
    """The user may not pay (yet): the message says why and what to do."""


@dataclass
class PaymentPlan:
    """What «Реквизиты оплаты» offers before the customer changes anything."""

    owner: object
    mode: str
    documents: list[Document]
    amount: Decimal | None
    penalty: Decimal | None = None  # a household's «Пени», when it pays its debt and has penalties

    @property
    def is_contract(self) -> bool:
        return isinstance(self.owner, Contract)

    @property
    def amount_fixed(self) -> bool:
        return self.mode == Mode.DOCUMENT

    @property
    def splits_penalty(self) -> bool:
        return self.penalty is not None

    @property
    def purpose(self) -> str:
        return payment_purpose(owner=self.owner, mode=self.mode, documents=self.documents)


def _whose(owner) -> str:
    if isinstance(owner, Contract):
        return _("договор № %(number)s") % {"number": owner.number}
    return _("ЛС № %(number)s") % {"number": owner.number}


def payment_purpose(*, owner, mode: str, documents=()) -> str:
    """«Назначение»: «Оплата задолженности по договору № 78010000002778» (seed 001, рис. 22) and its kin."""
    if mode == Mode.DOCUMENT:
        document = documents[0]
        if document.type == DocumentType.RECEIPT:
            what = _("Оплата квитанции за %(period)s") % {"period": period_title(document.period)}
        else:
            what = _("Оплата по документу «%(document)s»") % {"document": document}
        return f"{what}, {_whose(owner)}"
    if isinstance(owner, Contract):
        if mode == Mode.DEBT:
            return _("Оплата задолженности по договору № %(number)s") % {"number": owner.number}
        return _("Оплата по договору № %(number)s") % {"number": owner.number}
    if mode == Mode.DEBT:
        return _("Оплата за электроэнергию, ЛС № %(number)s") % {"number": owner.number}
    return _("Аванс за электроэнергию, ЛС № %(number)s") % {"number": owner.number}


def payment_blocker(*, user, owner) -> str | None:
    """Why `user` cannot pay for `owner`, in words for the page; None when they can."""
    if not user.email_confirmed:
        return _("Для совершения платежей необходимо подтвердить адрес электронной почты.")
    if isinstance(owner, Contract):
        if not contract_permits(user=user, contract=owner, capability=Capability.PAY):
            return _("Ваша роль по договору № %(number)s не даёт права оплаты.") % {"number": owner.number}
    elif not accounts_for(user=user).filter(pk=owner.pk).exists():
        return _("Лицевой счёт не подключён к вашему кабинету.")
    return None


# --- Plans ----------------------------------------------------------------------------------------------------


def plan_for_debt(*, owner, selected: list[int] | None = None) -> PaymentPlan:
    """The debt: every open document, or those ticked on the contract's card (others' ids are ignored)."""
    documents = list(open_documents(owner=owner))
    if selected:
        chosen = set(selected)
        documents = [document for document in documents if document.pk in chosen] or documents
    if isinstance(owner, Contract):
        return PaymentPlan(owner=owner, mode=Mode.DEBT, documents=documents, amount=_due(documents) or None)
    main = _due(d for d in documents if d.sales_kind != SalesKind.PENALTY)
    penalty = _due(d for d in documents if d.sales_kind == SalesKind.PENALTY)
    return PaymentPlan(
        owner=owner, mode=Mode.DEBT, documents=documents, amount=main or None, penalty=penalty if penalty else None
    )


def plan_for_document(*, document: Document) -> PaymentPlan:
    owner = document.contract or document.account
    return PaymentPlan(owner=owner, mode=Mode.DOCUMENT, documents=[document], amount=document.amount_due)


def plan_for_prepayment(*, owner) -> PaymentPlan:
    return PaymentPlan(owner=owner, mode=Mode.PREPAYMENT, documents=[], amount=None)


def _due(documents) -> Decimal:
    return sum((document.amount_due for document in documents), ZERO)


def _greedy(documents, amount: Decimal) -> list[Target]:
    """Pay the documents in order until the money runs out."""
    targets, left = [], amount
    for document in documents:
        if left <= 0:
            break
        share = min(left, document.amount_due)
        if share > 0:
            targets.append(Target(document=document, amount=share))
            left -= share
    return targets


def payment_targets(*, plan: PaymentPlan, amount: Decimal, penalty: Decimal = ZERO) -> list[Target]:
    if plan.mode == Mode.DOCUMENT:
        return [Target(document=plan.documents[0], amount=plan.documents[0].amount_due)]
    if plan.mode == Mode.PREPAYMENT:
        return []
    if plan.splits_penalty:
        main = [d for d in plan.documents if d.sales_kind != SalesKind.PENALTY]
        penalties = [d for d in plan.documents if d.sales_kind == SalesKind.PENALTY]
        return _greedy(main, amount) + _greedy(penalties, penalty)
    return _greedy(plan.documents, amount)


def payment_start(
    *,
    user,
    plan: PaymentPlan,
    amount: Decimal,
    receipt_email: str,
    return_url_for,
    callback_url: str,
    penalty: Decimal = ZERO,
    card: SavedCard | None = None,
    save_card: bool = False,
    provider=None,
) -> AcquiringOrder:
    """«Перейти к оплате»: check the rules, register the payment at the acquirer (`provider`, the configured one by
    default), return the order whose `payment_url` the customer is sent to. Raises PaymentBlocked, ValidationError
    or AcquiringUnavailable."""
    blocker = payment_blocker(user=user, owner=plan.owner)
    if blocker:
        raise PaymentBlocked(blocker)
    if plan.amount_fixed:
        amount, penalty = plan.amount, ZERO
    penalty = penalty if plan.splits_penalty else ZERO
    total = amount + penalty
    if total <= 0:
        raise ValidationError({"amount": _("Сумма к оплате должна быть больше нуля.")})
    owner = {"contract": plan.owner} if plan.is_contract else {"account": plan.owner}
    return acquiring_payment_start(
        user=user,
        mode=plan.mode,
        amount=total,
        purpose=plan.purpose,
        receipt_email=receipt_email,
        return_url_for=return_url_for,
        callback_url=callback_url,
        targets=payment_targets(plan=plan, amount=amount, penalty=penalty),
        card=card,
        save_card=save_card,
        provider=provider,
        **owner,
    )


# --- «Отправка файла» -----------------------------------------------------------------------------------------


@transaction.atomic
def document_send(*, user, document: Document, email: str) -> None:
    """«Отправка файла» (seed 001 §7.1): the document's PDF goes to `email`; it is rendered by the Celery worker
    that delivers the letter («Время подготовки может составить до 10 минут»). The caller has checked that the
    user sees the document (documents_for)."""
    if not email:
        raise ValidationError({"email": _("Введите адрес электронной почты.")})
    message_send(
        to=email,
        template="document_file",
        context={"title": str(document), "document": document},
        user=user,
        attachments=[{"kind": "document_pdf", "id": document.pk}],
    )
