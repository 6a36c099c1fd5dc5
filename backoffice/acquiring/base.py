"""The provider interface: what the portal needs from any acquirer, in the portal's own terms.

Four operations cover F-E1…F-E4: register an order and get the bank's payment page, ask an order's status (the
customer's return and the reconciliation of stuck payments), read a server-to-server notification (its signature
verified by the provider, who alone knows how the bank signs), and forget a saved card. Amounts are Decimal
roubles here; a provider converts to the bank's units (kopecks) at its edge.
"""

import abc
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

PROVIDERS = {"sandbox": "backoffice.acquiring.sandbox.provider.SandboxProvider"}
log = logging.getLogger("backoffice.acquiring")


class AcquiringError(Exception):
    """Anything that went wrong talking to the acquirer."""


class AcquiringUnavailable(AcquiringError):
    """The acquirer did not answer or refused the request: the customer may try again later."""


class InvalidCallback(AcquiringError):
    """A notification that cannot be read: not the acquirer's format, fields missing or wrong."""


class InvalidSignature(InvalidCallback):
    """A notification whose signature does not match: not from the acquirer, or altered on the way."""


class EventKind(StrEnum):
    CREATED = "created"  # nothing has happened yet (status only)
    PROCESSING = "processing"  # the customer is on the bank's pages or the bank is still working (status only)
    AUTHORIZED = "authorized"  # money held on the card, not charged yet
    SUCCEEDED = "succeeded"  # money charged
    DECLINED = "declined"
    EXPIRED = "expired"  # the payment session ran out before the customer paid
    REFUNDED = "refunded"  # money returned (the small charge of a card registration)


# A status or notification of these kinds settles an order; the others leave it «В процессе».
SETTLING = frozenset({EventKind.SUCCEEDED, EventKind.DECLINED, EventKind.EXPIRED})


@dataclass(frozen=True)
class CardInfo:
    last4: str
    brand: str = ""
    expiry_month: int | None = None
    expiry_year: int | None = None
    token: str = ""  # given when the card was registered (bind_card), never otherwise

    @property
    def masked(self) -> str:
        return f"****{self.last4}"


@dataclass(frozen=True)
class ProviderEvent:
    """What the acquirer says about one of its orders: a notification, or the answer to a status request."""

    order_id: str
    kind: EventKind
    amount: Decimal
    currency: str
    event_id: str = ""  # notifications only: the acquirer's id of this notification
    card: CardInfo | None = None
    reason: str = ""


@dataclass(frozen=True)
class RegisteredOrder:
    order_id: str
    payment_url: str


class AcquiringProvider(abc.ABC):
    code: str
    bank_name: str

    @abc.abstractmethod
    def register(
        self,
        *,
        reference: str,
        amount: Decimal,
        currency: str,
        description: str,
        email: str,
        return_url: str,
        callback_url: str,
        bind_card: bool = False,
        verify_only: bool = False,
        card_token: str = "",
    ) -> RegisteredOrder:
        """Register an order; the customer is sent to `payment_url`. `verify_only` registers a card by a small
        charge that is refunded; `bind_card` asks for a token of the card; `card_token` pays with a saved card."""

    @abc.abstractmethod
    def status(self, *, order_id: str) -> ProviderEvent:
        """The order's current state as the acquirer knows it. Raises AcquiringUnavailable."""

    @abc.abstractmethod
    def parse_callback(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        """Verify and read a notification. Raises InvalidSignature or InvalidCallback."""

    @abc.abstractmethod
    def forget_card(self, *, token: str) -> None:
        """Ask the acquirer to delete a saved card's token."""


@cache
def _provider(code: str) -> AcquiringProvider:
    return import_string(PROVIDERS[code])()


def provider_get(code: str | None = None) -> AcquiringProvider:
    """The acquirer named `code`, or the configured one (settings.ACQUIRING_PROVIDER).

    No acquirer configured (or an unknown name) is AcquiringUnavailable: the portal says that paying is not
    available now, and the error log says why.
    """
    code = code or settings.ACQUIRING_PROVIDER
    if code not in PROVIDERS:
        log.error("No acquirer %r; set ACQUIRING_PROVIDER to one of: %s", code, ", ".join(PROVIDERS))
        raise AcquiringUnavailable(f"acquirer {code!r} is not configured")
    return _provider(code)
