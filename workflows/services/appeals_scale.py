"""Appeals at scale for `make bench` (`seed_scale --appeals 100000`): the desk's queue and the customers' lists.

Every appeal is a function of its index: its author (the benchmark user owns the first 500, on its five cabinet
contracts and without one), its topic (the seed classifier's leaves in turn), its dates over the last year, its
state (a quarter waiting for the company, a tenth «Выполнена», the rest closed or rejected), its assignee (five
clerks of the desk), two messages and the log of its steps. Numbers follow the gap-free yearly sequence and the
counters are moved past them. Bulk inserts in blocks; a later call tops up to the asked number and never doubles.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from backoffice.models import Branch
from selfservice.models import ContractRole

from ..models import Appeal, AppealCounter, AppealMessage, AppealRead, AppealSettings, TransitionLog
from ..models.appeals import Classifier, PersonType
from .appeals_classifier import appeal_topics_seed

SCALE_DOMAIN = "@scale.energokabinet.example"
CLERK_EMAIL = "clerk{index}@desk.scale.energokabinet.example"
CLERKS = 5
BENCH_APPEALS = 500
BLOCK = 10_000
BATCH = 5_000
State = Appeal.State
# Twenty slots: 5 wait for the company, 2 are «Выполнена», 11 closed, 2 rejected.
STATES = (
    [State.NEW] * 2
    + [State.REGISTERED]
    + [State.IN_PROGRESS] * 2
    + [State.RESOLVED] * 2
    + [State.CLOSED] * 11
    + [State.REJECTED] * 2
)
PATH = {
    State.NEW: ("submit",),
    State.REGISTERED: ("submit", "register"),
    State.IN_PROGRESS: ("submit", "register", "start"),
    State.RESOLVED: ("submit", "register", "start", "resolve"),
    State.CLOSED: ("submit", "register", "start", "resolve", "close"),
    State.REJECTED: ("submit", "register", "reject"),
}
TARGET = {"submit": State.NEW, "register": State.REGISTERED, "start": State.IN_PROGRESS, "resolve": State.RESOLVED}
TARGET |= {"close": State.CLOSED, "reject": State.REJECTED}


def _clerks() -> list:
    user_model = get_user_model()
    permissions = list(Permission.objects.filter(codename__in=["access_admin", "view_appeal", "work_appeal"]))
    password = make_password(None)
    clerks = []
    for index in range(CLERKS):
        clerk, created = user_model.objects.get_or_create(
            email=CLERK_EMAIL.format(index=index),
            defaults={"is_staff": True, "password": password},
        )
        # Introduced and confirmed, so the portal's identity gate lets the benchmark reach every page as this clerk.
        user_model.objects.filter(pk=clerk.pk).update(
            last_name="Сотрудник", first_name=f"№ {index + 1}", phone="+79110000100", email_confirmed_at=timezone.now()
        )
        if created:
            clerk.user_permissions.add(*permissions)
        clerks.append(clerk)
    return clerks


def scale_appeals_create(*, appeals: int, bench_email: str, now=None) -> dict:
    """Top up to `appeals` appeals of the scale users; returns what was added and the totals."""
    appeal_topics_seed()
    now = now or timezone.now()
    user_model = get_user_model()
    bench = user_model.objects.get(email=bench_email)
    clerks = _clerks()
    have = Appeal.objects.filter(user__email__endswith=SCALE_DOMAIN).count()
    wanted = max(appeals - have, 0)
    if not wanted:
        return {"added": 0, "appeals": have}
    classifier = Classifier.load()
    leaves = [
        classifier.rules(node)
        for node in classifier.walk()
        if classifier.is_leaf(node) and not node.handover and not classifier.rules(node).signature_required
    ]
    bench_contracts = list(bench.contract_roles.order_by("contract__number").values_list("contract_id", flat=True)[:5])
    # Other customers' contract appeals go on contracts outside the benchmark user's cabinet, so its lists hold
    # its own 500 and nothing else.
    roles = list(
        ContractRole.objects.exclude(user=bench)
        .exclude(contract_id__in=bench_contracts)
        .filter(user__email__endswith=SCALE_DOMAIN)
        .order_by("pk")
        .values_list("user_id", "contract_id")[:50_000]
    )
    customers = list(
        user_model.objects.filter(email__endswith=SCALE_DOMAIN, is_staff=False)
        .exclude(pk=bench.pk)
        .order_by("pk")
        .values_list("pk", flat=True)[:50_000]
    )
    branches = list(Branch.objects.order_by("pk").values_list("pk", flat=True))
    labels = _labels(
        bench=bench, user_ids={bench.pk, *customers}, contract_ids={*bench_contracts, *(c for _, c in roles)}
    )
    region = AppealSettings.load().region_code
    content_type = ContentType.objects.get_for_model(Appeal)
    counters = dict(AppealCounter.objects.values_list("year", "last"))
    for start in range(have, have + wanted, BLOCK):
        indexes = range(start, min(start + BLOCK, have + wanted))
        with transaction.atomic():
            rows = [
                _appeal(index, now=now, bench=bench, bench_contracts=bench_contracts, roles=roles,
                        customers=customers, leaves=leaves, clerks=clerks, region=region, counters=counters,
                        branches=branches, labels=labels)
                for index in indexes
            ]  # fmt: skip
            created = Appeal.objects.bulk_create(rows, batch_size=BATCH)
            messages, logs, reads = [], [], []
            for appeal in created:
                messages += _messages(appeal)
                logs += _logs(appeal, content_type)
                # Most customers have read the company's last message; some have not (the unread marks).
                if appeal.last_staff_message_at and appeal.pk % 3:
                    reads.append(
                        AppealRead(user_id=appeal.user_id, appeal_id=appeal.pk, read_at=appeal.last_message_at)
                    )
            AppealMessage.objects.bulk_create(messages, batch_size=BATCH)
            TransitionLog.objects.bulk_create(logs, batch_size=BATCH)
            AppealRead.objects.bulk_create(reads, batch_size=BATCH, ignore_conflicts=True)
            for year, last in counters.items():
                AppealCounter.objects.update_or_create(year=year, defaults={"last": last})
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # fresh statistics, as a live base has
        with connection.cursor() as cursor:
            for table in (
                "workflows_appeal",
                "workflows_appealmessage",
                "workflows_appealread",
                "workflows_transitionlog",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("ANALYZE")  # the tables the appeals join (customers, contracts) are fresh too
    total = Appeal.objects.filter(user__email__endswith=SCALE_DOMAIN).count()
    return {"added": wanted, "appeals": total, "last_number": Appeal.objects.aggregate(Max("number"))["number__max"]}


def _labels(*, bench, user_ids, contract_ids) -> dict:
    """The desk's «Заявитель» as the portal writes it: the contract's customer and number, else the person."""
    from backoffice.models import Contract

    labels = {}
    contracts = Contract.objects.filter(pk__in=contract_ids).select_related("customer")
    for contract in contracts.only(
        "pk", "number", "customer__kind", "customer__short_name", "customer__full_name", "customer__last_name",
        "customer__first_name", "customer__middle_name",
    ).iterator(chunk_size=5_000):  # fmt: skip
        labels[("contract", contract.pk)] = Appeal.applicant_label(user=bench, contract=contract)
    people = (
        get_user_model().objects.filter(pk__in=user_ids).only("pk", "email", "last_name", "first_name", "middle_name")
    )
    for user in people.iterator(chunk_size=5_000):
        labels[("user", user.pk)] = Appeal.applicant_label(user=user)
    return labels


def _applicant(labels, *, user_id, contract_id) -> str:
    if contract_id:
        return labels[("contract", contract_id)]
    return labels[("user", user_id)]


def _appeal(
    index, *, now, bench, bench_contracts, roles, customers, leaves, clerks, region, counters, branches, labels
):
    rules = leaves[index % len(leaves)]
    state = STATES[(index * 7) % len(STATES)]
    contract_id = None
    if index < BENCH_APPEALS:
        user_id = bench.pk
        owners = [*bench_contracts, None]
        contract_id = owners[index % len(owners)]
    elif roles and index % 3:
        user_id, contract_id = roles[index % len(roles)]
    else:
        user_id = customers[index % len(customers)] if customers else bench.pk
    if (rules.owner_rule == "required" and contract_id is None) or rules.audience == "household":
        rules = next(leaf for leaf in leaves if leaf.owner_rule != "required" and leaf.audience != "household")
    # Spread over the last year; open appeals are recent (most of them still within their deadline).
    age_hours = (index * 7_919) % (24 * 365) if state in Appeal.FINISHED else (index * 104_729) % (24 * 20)
    submitted = now - datetime.timedelta(hours=age_hours, minutes=index % 60)
    year = timezone.localdate(submitted).year
    counters[year] = counters.get(year, 0) + 1
    person_type = PersonType.LEGAL if contract_id else PersonType.INDIVIDUAL
    steps = PATH[state]
    step_gap = datetime.timedelta(hours=2)
    at = {step: submitted + step_gap * position for position, step in enumerate(steps)}
    due = submitted + datetime.timedelta(days=rules.response_days)
    paused = state == State.IN_PROGRESS and index % 7 == 0
    resolved_at = at.get("resolve")
    last_staff = at.get("start") or at.get("register") if state != State.NEW else None
    last = max(value for value in at.values())
    appeal = Appeal(
        number=f"{counters[year]:07d}-{year % 100:02d}-{region}-{person_type}",
        year=year,
        sequence=counters[year],
        user_id=user_id,
        contract_id=contract_id,
        person_type=person_type,
        topic=rules.topic,
        theme=rules.path[0],
        section=rules.path[1] if len(rules.path) > 1 else None,
        title=rules.title,
        topic_path=rules.path_label,
        applicant=_applicant(labels, user_id=user_id, contract_id=contract_id),
        capability=rules.capability,
        correspondence_allowed=rules.correspondence_allowed,
        attachments_allowed=rules.attachments_allowed,
        text_max_length=rules.text_max_length,
        response_days=rules.response_days,
        form_snapshot=rules.steps_raw,
        steps_passed=2,
        text=f"Обращение № {index + 1} нагрузочного набора: вопрос по теме «{rules.path_label}».",
        state=state,
        created_at=submitted - datetime.timedelta(minutes=5),
        updated_at=last,
        submitted_at=submitted,
        registered_at=at.get("register"),
        resolved_at=resolved_at,
        reopen_until=resolved_at + datetime.timedelta(days=14) if resolved_at else None,
        closed_at=at.get("close") or at.get("reject"),
        assignee=clerks[index % len(clerks)] if state != State.NEW else None,
        due_at=due,
        paused_at=last if paused else (resolved_at if state in (State.RESOLVED, State.CLOSED) else None),
        resolved_in_time=(resolved_at <= due) if resolved_at else None,
        last_message_at=last,
        last_staff_message_at=last_staff,
        last_customer_message_at=submitted,
        staff_read_at=last_staff,
        rating=(index % 5) + 1 if state == State.CLOSED and index % 2 else None,
        rated_at=at.get("close") if state == State.CLOSED and index % 2 else None,
    )
    appeal.branch_id = branches[index % len(branches)] if branches else None
    appeal._steps_at = at
    return appeal


def _messages(appeal: Appeal) -> list[AppealMessage]:
    messages = [
        AppealMessage(appeal_id=appeal.pk, author_id=appeal.user_id, text=appeal.text, created_at=appeal.submitted_at)
    ]
    if appeal.last_staff_message_at:
        messages.append(
            AppealMessage(
                appeal_id=appeal.pk,
                author_id=appeal.assignee_id,
                from_staff=True,
                text="Ваше обращение принято в работу. Ответим в срок, указанный в карточке обращения.",
                created_at=appeal.last_staff_message_at,
            )
        )
    return messages


def _logs(appeal: Appeal, content_type) -> list[TransitionLog]:
    logs, source = [], State.DRAFT
    for step, at in appeal._steps_at.items():
        target = TARGET[step]
        logs.append(
            TransitionLog(
                content_type=content_type,
                object_id=appeal.pk,
                transition=step,
                source=source,
                target=target,
                by_id=appeal.user_id if step in ("submit", "close") else appeal.assignee_id,
                at=at,
            )
        )
        source = target
    return logs
