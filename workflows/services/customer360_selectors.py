"""«Поиск клиента» and the customer's card (the customer 360 view): the reads staff need to help one customer.

The one search box decides what was typed from its shape, so each kind hits an indexed column with an exact or a
prefix match (backoffice/migrations/0009_customer_search_indexes.py):

- an e-mail (has «@»): the customer's own, a contract's (`ContractEmail`), a portal user's (then the customers
  whose accounts or contracts that user reaches);
- digits (spaces, dashes, brackets and a leading «+» ignored): the start of a ЛС or contract number, an ИНН of 10
  or 12 digits, a phone of the customer or of a portal user — all of them at once, the query is cheap for each;
- anything else: words of a name; every word must occur in the person's last/first/middle name or the
  organisation's full/short name, in any case (trigram indexes on PostgreSQL).

Every search costs a fixed number of queries: one for the ids (a UNION of the sources), one for the customers and
one each for their accounts and contracts. The card (`customer_360`) reads each section once, newest first and cut
to a few rows, with links to the full listings.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import to_python as phone_to_python

from backoffice.audit_selectors import audit_entries_for_customer
from backoffice.models import (
    Balance,
    Contract,
    ContractEmail,
    Customer,
    Document,
    Meter,
    Notification,
    OutboxMessage,
    Payment,
    PersonalAccount,
    Reading,
)
from backoffice.models.choices import SalesKind
from backoffice.wagtail_hooks.catalog import search_words
from selfservice.models import AccountLink, ContractRole

from ..models import Appeal, ServiceOrder

NAME_FIELDS = ("last_name", "first_name", "middle_name", "full_name", "short_name")
MIN_NUMBER_DIGITS = 4  # fewer digits would match thousands of account numbers
MIN_NAME_LETTERS = 3  # a trigram index needs three letters to narrow anything
LATEST = 10  # rows per section of the card
AUDIT_LATEST = 50
# An appeal's row carries its form and answers as JSON: the card reads only what it shows.
APPEAL_COLUMNS = (
    "number",
    "state",
    "topic_path",
    "submitted_at",
    "due_at",
    "last_message_at",
    "account_id",
    "contract_id",
    "user_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__middle_name",
    "assignee__email",
)

EMAIL = "email"
NUMBER = "number"
NAME = "name"
KIND_LABELS = {
    EMAIL: gettext_lazy("по e-mail"),
    NUMBER: gettext_lazy("по номеру ЛС, договора, ИНН или телефону"),
    NAME: gettext_lazy("по имени или наименованию"),
}
DIGITS_ONLY = re.compile(r"^\+?[\d\s()\-.]+$")


@dataclass
class CustomerSearch:
    query: str
    kind: str = ""
    customers: list = field(default_factory=list)
    message: str = ""  # why nothing was searched, if so

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, ""))


def _phone_e164(text: str) -> str | None:
    """The query as a phone the project stores (E.164, PHONENUMBER_DEFAULT_REGION), or None if it is not a valid one:
    read as the phone fields read it."""
    number = phone_to_python(text)
    return number.as_e164 if number and number.is_valid() else None


def _customers_of_users(users):
    """Customer ids reached by these portal users: through their ЛС links and their contract roles."""
    return [
        AccountLink.objects.filter(user__in=users).values_list("account__customer_id", flat=True),
        ContractRole.objects.filter(user__in=users).values_list("contract__customer_id", flat=True),
    ]


def _email_sources(email: str) -> list:
    email = email.strip().lower()
    users = get_user_model().objects.filter(email=email).values("pk")
    return [
        Customer.objects.filter(email__iexact=email).values_list("pk", flat=True),
        ContractEmail.objects.filter(email=email).values_list("contract__customer_id", flat=True),
        *_customers_of_users(users),
    ]


def _number_sources(text: str) -> list:
    digits = re.sub(r"\D", "", text)
    sources = [
        PersonalAccount.objects.filter(number__startswith=digits).values_list("customer_id", flat=True),
        Contract.objects.filter(number__startswith=digits).values_list("customer_id", flat=True),
    ]
    if len(digits) in (10, 12):
        sources.append(Customer.objects.filter(inn=digits).values_list("pk", flat=True))
    phone = _phone_e164(text)
    if phone:
        users = get_user_model().objects.filter(phone=phone).values("pk")
        sources += [Customer.objects.filter(phone=phone).values_list("pk", flat=True), *_customers_of_users(users)]
    return sources


def _with_numbers(customers):
    """The customers with their ЛС and contract numbers (two queries whatever the count)."""
    return customers.select_related("group").prefetch_related(
        Prefetch("accounts", queryset=PersonalAccount.objects.only("pk", "number", "customer_id", "closed_on")),
        Prefetch("contracts", queryset=Contract.objects.only("pk", "number", "customer_id", "is_active")),
    )


def customer_search(*, query: str, limit: int = 20) -> CustomerSearch:
    """Customers matching the one search box; see the module docstring for what the box understands."""
    text = " ".join((query or "").split())
    result = CustomerSearch(query=text)
    if not text:
        result.message = _("Введите номер ЛС или договора, ИНН, e-mail, телефон или имя клиента.")
        return result
    if "@" in text:
        result.kind, sources = EMAIL, _email_sources(text)
    elif DIGITS_ONLY.match(text):
        result.kind = NUMBER
        if len(re.sub(r"\D", "", text)) < MIN_NUMBER_DIGITS:
            result.message = _("Введите не меньше %(count)s цифр номера.") % {"count": MIN_NUMBER_DIGITS}
            return result
        sources = _number_sources(text)
    else:
        result.kind = NAME
        if max(len(word) for word in text.split()) < MIN_NAME_LETTERS:
            result.message = _("Введите не меньше %(count)s букв имени или наименования.") % {"count": MIN_NAME_LETTERS}
            return result
        found = search_words(Customer.objects.all(), text, NAME_FIELDS)
        result.customers = list(_with_numbers(found.order_by("full_name", "last_name", "first_name", "pk"))[:limit])
        return result
    first, *others = [source.order_by() for source in sources]
    ids = [pk for pk in first.union(*others)[:limit] if pk is not None]
    customers = _with_numbers(Customer.objects.filter(pk__in=ids)).order_by("full_name", "last_name", "first_name")
    result.customers = list(customers)
    return result


# --- The card -----------------------------------------------------------------------------------------------------


@dataclass
class PortalUser:
    """One portal user of the customer and what they hold: «Роль» per contract, «Статус отношения» per ЛС."""

    user: object
    holdings: list = field(default_factory=list)  # (label, role or relation)


@dataclass
class BalanceRow:
    sales_kind: str
    label: str
    amount: Decimal


@dataclass
class Customer360:
    customer: Customer
    accounts: list
    contracts: list
    users: list  # PortalUser
    balances: list  # Balance rows, owner first
    balance_totals: list  # BalanceRow per sales kind
    documents: list
    readings: list
    appeals: list
    orders: list
    payments: list
    outbox: list
    notifications: list
    audit: list
    emails: list  # where the customer may be written to: own, contracts', users'

    @property
    def owners(self) -> list:
        """ЛС and contracts, for the links to the full listings (searched by their numbers)."""
        return [*self.accounts, *self.contracts]


def _owned_by(account_ids, contract_ids, prefix=""):
    return Q(**{f"{prefix}account_id__in": account_ids}) | Q(**{f"{prefix}contract_id__in": contract_ids})


def _users(account_links, contract_roles) -> list[PortalUser]:
    by_user: dict[int, PortalUser] = {}
    for link in account_links:
        entry = by_user.setdefault(link.user_id, PortalUser(user=link.user))
        entry.holdings.append((str(link.account), link.get_relation_display()))
    for role in contract_roles:
        entry = by_user.setdefault(role.user_id, PortalUser(user=role.user))
        entry.holdings.append((str(role.contract), role.get_role_display()))
    return sorted(by_user.values(), key=lambda entry: (entry.user.get_full_name() or entry.user.email).lower())


def _balance_totals(balances) -> list[BalanceRow]:
    totals: dict[str, Decimal] = {}
    for balance in balances:
        totals[balance.sales_kind] = totals.get(balance.sales_kind, Decimal("0")) + balance.amount
    labels = dict(SalesKind.choices)
    order = [kind for kind, _label in SalesKind.choices]
    return [
        BalanceRow(sales_kind=kind, label=str(labels.get(kind, kind)), amount=totals[kind])
        for kind in sorted(totals, key=lambda kind: order.index(kind) if kind in order else len(order))
    ]


def customer_360(*, customer_id: int) -> Customer360:
    """Everything the card shows, a fixed number of queries however many rows the customer has.

    Raises Customer.DoesNotExist for an unknown id.
    """
    customer = Customer.objects.select_related("group").get(pk=customer_id)
    accounts = list(customer.accounts.select_related("branch").order_by("number"))
    contracts = list(
        customer.contracts.select_related("branch", "curator").prefetch_related("emails").order_by("number")
    )
    account_ids = [account.pk for account in accounts]
    contract_ids = [contract.pk for contract in contracts]
    account_links = list(
        AccountLink.objects.filter(account_id__in=account_ids).select_related("user", "account").order_by("pk")
    )
    contract_roles = list(
        ContractRole.objects.filter(contract_id__in=contract_ids).select_related("user", "contract").order_by("pk")
    )
    users = _users(account_links, contract_roles)
    user_ids = [entry.user.pk for entry in users]
    emails = sorted(
        {
            address.lower()
            for address in (
                customer.email,
                *(email.email for contract in contracts for email in contract.emails.all()),
                *(entry.user.email for entry in users),
            )
            if address
        }
    )
    balances = list(
        Balance.objects.filter(_owned_by(account_ids, contract_ids))
        .select_related("account", "contract")
        .order_by("account__number", "contract__number", "sales_kind")
    )
    # Two indexed halves in one UNION: an OR across the join would scan every meter.
    meter_ids = list(
        Meter.objects.filter(account_id__in=account_ids)
        .order_by()
        .values_list("pk", flat=True)
        .union(
            Meter.objects.filter(metering_point__energy_object__contract_id__in=contract_ids)
            .order_by()
            .values_list("pk", flat=True)
        )
    )
    return Customer360(
        customer=customer,
        accounts=accounts,
        contracts=contracts,
        users=users,
        balances=balances,
        balance_totals=_balance_totals(balances),
        documents=list(
            Document.objects.filter(_owned_by(account_ids, contract_ids))
            .select_related("account", "contract")
            .order_by("-issued_on", "-pk")[:LATEST]
        ),
        readings=list(
            Reading.objects.filter(meter_id__in=meter_ids).select_related("meter").order_by("-taken_on", "-pk")[:LATEST]
        ),
        appeals=list(
            Appeal.objects.filter(
                _owned_by(account_ids, contract_ids) | Q(user_id__in=user_ids, account=None, contract=None)
            )
            .exclude(state=Appeal.State.DRAFT)
            .select_related("assignee")
            .only(*APPEAL_COLUMNS)
            .order_by("-last_message_at", "-pk")[:LATEST]
        ),
        orders=list(
            ServiceOrder.objects.filter(_owned_by(account_ids, contract_ids))
            .select_related("account", "contract")
            .order_by("-created_at", "-pk")[:LATEST]
        ),
        payments=list(
            Payment.objects.filter(_owned_by(account_ids, contract_ids))
            .select_related("account", "contract")
            .order_by("-paid_on", "-pk")[:LATEST]
        ),
        outbox=list(
            OutboxMessage.objects.filter(Q(user_id__in=user_ids) | Q(recipient__in=emails))
            .defer("body", "html")
            .order_by("-created_at", "-pk")[:LATEST]
        ),
        notifications=list(
            Notification.objects.filter(
                _owned_by(account_ids, contract_ids) | Q(user_id__in=user_ids, account=None, contract=None)
            )
            .select_related("user")
            .defer("body")
            .order_by("-created_at", "-pk")[:LATEST]
        ),
        audit=list(audit_entries_for_customer(customer_id=customer.pk, limit=AUDIT_LATEST)),
        emails=emails,
    )
