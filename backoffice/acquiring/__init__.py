"""Acquiring (F-E2): the interface every acquirer is used through, and the built-in sandbox acquirer.

`provider_get()` returns the configured provider (settings.ACQUIRING_PROVIDER); services/acquiring.py is the only
caller. A real bank is added by writing one class with the four methods of `AcquiringProvider` and naming it in
`PROVIDERS`; nothing else in the project knows which bank it is.
"""

from .base import (
    AcquiringError,
    AcquiringProvider,
    AcquiringUnavailable,
    CardInfo,
    InvalidCallback,
    InvalidSignature,
    ProviderEvent,
    RegisteredOrder,
    provider_get,
)

__all__ = [
    "AcquiringError",
    "AcquiringProvider",
    "AcquiringUnavailable",
    "CardInfo",
    "InvalidCallback",
    "InvalidSignature",
    "ProviderEvent",
    "RegisteredOrder",
    "provider_get",
]
