"""State machines of the portal and their history.

Every transition is declared on its model with django-fsm and logged as a `TransitionLog` row (who, when,
from, to, comment) by the service that makes it, so staff see the whole story of a request.
"""

from .activation import ActivationRequest
from .appeals import (
    Appeal,
    AppealCounter,
    AppealFile,
    AppealMessage,
    AppealNote,
    AppealRead,
    AppealSettings,
    AppealTopic,
    Signature,
    SignatureRequest,
)
from .grants import AdministratorRequest, AdministratorRequestMessage
from .history import TransitionLog
from .interval_acts import IntervalAct, IntervalValue, ReadingReminder
from .mailings import Mailing, MailingRecipient
from .orders import ServiceOrder

__all__ = [
    "ActivationRequest",
    "Appeal",
    "AppealCounter",
    "AppealFile",
    "AppealMessage",
    "AppealNote",
    "AppealRead",
    "AppealSettings",
    "AppealTopic",
    "AdministratorRequest",
    "AdministratorRequestMessage",
    "IntervalAct",
    "IntervalValue",
    "Mailing",
    "MailingRecipient",
    "ReadingReminder",
    "ServiceOrder",
    "Signature",
    "SignatureRequest",
    "TransitionLog",
]
