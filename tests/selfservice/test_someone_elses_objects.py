"""Every portal address that takes an object's number or id, tried with another customer's: always a 404.

The list below must name every such address of the portal: a new one fails `test_every_object_address_is_tried`
until it is added here, so no page can forget to go through the selectors.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from backoffice.models import Meter, Notification, SavedCard
from backoffice.services.acquiring import acquiring_card_binding_start
from selfservice.models import ContractBinding, ContractRole, UserSession
from tests.backoffice.acquiring import return_url, start_payment
from tests.backoffice.factories import DocumentFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role, link_account
from tests.workflows import appeals_kit
from workflows.models import Appeal, IntervalAct
from workflows.services.grants import administrator_request_submit

pytestmark = pytest.mark.django_db

# Addresses whose parameters are not an object of a cabinet: a token proves itself (another user's is a 404
# too, see test_contracts.py and test_recovery.py).
# A one-time link, and a service of the public catalog: not objects of a cabinet.
NOT_OBJECT_ADDRESSES = {"password_set", "contract_confirm", "service"}


@pytest.fixture
def stranger():
    """Another customer with one of everything a cabinet holds."""
    user = UserFactory(email="stranger@example.test")
    account = PersonalAccountFactory()
    link_account(user, account)
    contract = contract_with_sites(energy_objects=1)
    give_role(user, contract, Role.ADMINISTRATOR)
    colleague = UserFactory()
    give_role(colleague, contract, Role.ACCOUNTANT)
    request = administrator_request_submit(
        user=colleague, contract=contract_admin_free(colleague), text="Прошу", file=pdf()
    )
    binding = ContractBinding.objects.create(
        user=user, contract=contract_with_sites(energy_objects=1), email="x@company.example", token_hash="f" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )  # fmt: skip
    session = UserSession.objects.create(user=user, session_key="s" * 40)
    return {
        "user": user,
        "account": account,
        "contract": contract,
        "role": ContractRole.objects.get(user=colleague, contract=contract),
        "request": request,
        "binding": binding,
        "session": session,
        "document": DocumentFactory(account=account),
        "interval_act": interval_act_of(contract),
        # Paying (issue 7): a payment «В процессе», a card registration, a saved card.
        "order": start_payment(user=user, account=account, amount="100.00"),
        "card_order": acquiring_card_binding_start(user=user, return_url_for=return_url, callback_url="http://x/"),
        "card": SavedCard.objects.create(user=user, provider="sandbox", token="card_stranger", last4="9256"),
        # Appeals (issue 8): a filed appeal with a file and documents to sign, a draft with a file chosen.
        **appeals_of(user, contract),
        # The notifications centre (issue 9)
        "notification": Notification.objects.create(
            user=user, kind=Notification.Kind.CONTRACT_ADDED, title="Вам добавлен договор"
        ),
    }


def appeals_of(user, contract):
    from workflows.services.appeals import (
        appeal_classify,
        appeal_draft_save,
        appeal_draft_text_save,
        appeal_register,
        appeal_start,
    )
    from workflows.services.appeals_signing import appeal_signature_request

    desk = appeals_kit.clerk("desk@energosbyt.example")
    appeal = appeals_kit.file_appeal(user, contract=contract, files=[appeals_kit.pdf()])
    appeal = appeal_start(appeal=appeal_register(appeal=appeal, by=desk), by=desk)
    signature_request = appeal_signature_request(appeal=appeal, by=desk, files=[appeals_kit.pdf("акт.pdf")])
    draft = appeal_classify(user=user, topic=appeals_kit.topic("tech-support-login"))
    draft = appeal_draft_text_save(appeal=draft, user=user, text="Черновик", files=[appeals_kit.pdf("черновик.pdf")])
    appeal_draft_save(appeal=draft, user=user)
    return {
        "appeal": appeal,
        "appeal_file": appeal.files.filter(message__from_staff=False).get(),
        "signature_request": signature_request,
        "draft": draft,
        "draft_file": draft.files.get(),
    }


def interval_act_of(contract):
    """A «Первичный акт» of the contract's meter, as an interval file leaves it."""
    meter = Meter.objects.filter(metering_point__energy_object__contract=contract).first()
    return IntervalAct.objects.create(
        meter=meter, period="2026-10-01", total=1, consumption=1, file="interval-acts/x.xlsx", original_name="x.xlsx"
    )


def pdf():
    return SimpleUploadedFile("dov.pdf", b"%PDF-1.4 x")


def contract_admin_free(colleague):
    contract = contract_with_sites(energy_objects=1)
    give_role(colleague, contract, Role.HEAD)
    return contract


# name → (the arguments, taken from the stranger's objects; the method the address answers)
OBJECT_ADDRESSES = {
    "session_end": (lambda s: [s["session"].pk], "post"),
    "account_settings": (lambda s: [s["account"].number], "get"),
    "account_remove": (lambda s: [s["account"].number], "post"),
    "contract_binding_cancel": (lambda s: [s["binding"].pk], "post"),
    "contract_detail": (lambda s: [s["contract"].number], "get"),
    "contract_download": (lambda s: [s["contract"].number], "get"),
    "contract_attachment": (lambda s: [s["contract"].number, s["contract"].attachments.get().pk], "get"),
    "contract_remove": (lambda s: [s["contract"].number], "post"),
    "role_add": (lambda s: [s["contract"].number], "post"),
    "role_remove": (lambda s: [s["contract"].number, s["role"].pk], "post"),
    "access_request_create": (lambda s: [s["contract"].number], "post"),
    "access_request": (lambda s: [s["request"].pk], "get"),
    "access_request_file": (lambda s: [s["request"].pk, s["request"].messages.get().pk], "get"),
    "document_pdf": (lambda s: [s["document"].pk], "get"),
    "readings_integral_template": (lambda s: [s["contract"].number], "get"),
    "readings_interval_template": (lambda s: [s["interval_act"].meter_id], "get"),
    "interval_act_download": (lambda s: [s["interval_act"].pk], "get"),
    # Billing and payments (issue 7)
    "payment_contract": (lambda s: [s["contract"].number], "get"),
    "payment_account": (lambda s: [s["account"].number], "get"),
    "payment_document": (lambda s: [s["document"].pk], "get"),
    "payment_return": (lambda s: [s["order"].reference], "get"),
    "payment_receipt_pdf": (lambda s: [s["contract"].payments.get().pk], "get"),
    "history_document_send": (lambda s: [s["document"].pk], "post"),
    "account_history": (lambda s: [s["account"].number], "get"),
    "account_history_tab": (lambda s: [s["account"].number, "bills"], "get"),
    "receipt_detail": (lambda s: [s["document"].pk], "get"),
    "account_requisites": (lambda s: [s["account"].number], "get"),
    "account_statistics": (lambda s: [s["account"].number], "get"),
    "card_return": (lambda s: [s["card_order"].reference], "get"),
    "card_delete": (lambda s: [s["card"].pk], "post"),
    # Appeals (issue 8)
    "appeal": (lambda s: [s["appeal"].pk], "get"),
    "appeal_file": (lambda s: [s["appeal"].pk, s["appeal_file"].pk], "get"),
    "appeal_signature": (lambda s: [s["appeal"].pk, s["signature_request"].pk], "post"),
    "appeal_step": (lambda s: [s["draft"].pk, 1], "post"),
    "appeal_leave": (lambda s: [s["draft"].pk], "post"),
    "appeal_draft_delete": (lambda s: [s["draft"].pk], "post"),
    "appeal_draft_file_remove": (lambda s: [s["draft"].pk, s["draft_file"].pk], "post"),
    "appeal_sign_submission": (lambda s: [s["draft"].pk], "post"),
    # Notifications (issue 9)
    "notification_open": (lambda s: [s["notification"].pk], "get"),
    "notification_dismiss": (lambda s: [s["notification"].pk], "post"),
}


def object_addresses() -> set[str]:
    resolver = get_resolver("selfservice.urls")
    return {pattern.name for pattern in resolver.url_patterns if pattern.pattern.converters}


def test_every_object_address_is_tried():
    assert object_addresses() - NOT_OBJECT_ADDRESSES == set(OBJECT_ADDRESSES)


@pytest.mark.parametrize("name", sorted(OBJECT_ADDRESSES))
def test_someone_elses_object_is_a_404(signed_in_client, stranger, name):
    arguments, method = OBJECT_ADDRESSES[name]
    url = reverse(f"selfservice:{name}", args=arguments(stranger))

    response = getattr(signed_in_client, method)(url, {"text": "x", "email": "a@b.example"} if method == "post" else {})

    assert response.status_code == 404


def test_and_nothing_of_the_strangers_changed(signed_in_client, stranger):
    for name, (arguments, method) in OBJECT_ADDRESSES.items():
        if method == "post":
            signed_in_client.post(reverse(f"selfservice:{name}", args=arguments(stranger)), {"text": "x"})

    assert ContractRole.objects.filter(user=stranger["user"], contract=stranger["contract"]).exists()
    assert ContractBinding.objects.filter(pk=stranger["binding"].pk).exists()
    assert UserSession.objects.filter(pk=stranger["session"].pk).exists()
    assert stranger["user"].account_links.filter(account=stranger["account"]).exists()
    assert SavedCard.objects.filter(pk=stranger["card"].pk).exists()
    assert Appeal.objects.filter(pk=stranger["draft"].pk, state=Appeal.State.DRAFT).exists()
    assert stranger["draft"].files.filter(pk=stranger["draft_file"].pk).exists()
    assert stranger["signature_request"].signatures.count() == 0
