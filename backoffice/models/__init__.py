from .accounts import Contract, ContractAttachment, ContractEmail, PersonalAccount
from .acquiring import AcquirerCallback, AcquiringOrder, PaymentTarget, SavedCard
from .audit import AuditAction, AuditChannel, AuditEntry, AuditImmutable
from .billing import Balance, BillingRun, Document, DocumentLine, Payment, PaymentAllocation
from .company import SupplierRequisites
from .exchange import ImportJob
from .metering import EnergyObject, Meter, MeteringPoint, Reading
from .notifications import Channel, Notification, NotificationSettings, OwnerNotificationSetting
from .outbox import OutboxMessage
from .parties import Branch, Curator, Customer, CustomerGroup
from .sandbox import SandboxCardBinding, SandboxNotification, SandboxOrder
from .tariffs import BillingSettings, Tariff

__all__ = [
    "AcquirerCallback",
    "AcquiringOrder",
    "AuditAction",
    "AuditChannel",
    "AuditEntry",
    "AuditImmutable",
    "Balance",
    "BillingRun",
    "BillingSettings",
    "Branch",
    "Channel",
    "Contract",
    "ContractAttachment",
    "ContractEmail",
    "Curator",
    "Customer",
    "CustomerGroup",
    "Document",
    "DocumentLine",
    "EnergyObject",
    "ImportJob",
    "Meter",
    "MeteringPoint",
    "Notification",
    "NotificationSettings",
    "OutboxMessage",
    "OwnerNotificationSetting",
    "Payment",
    "PaymentAllocation",
    "PaymentTarget",
    "PersonalAccount",
    "Reading",
    "SandboxCardBinding",
    "SandboxNotification",
    "SandboxOrder",
    "SavedCard",
    "SupplierRequisites",
    "Tariff",
]
