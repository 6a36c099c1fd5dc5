"""Reads of the appeals: what a customer's cabinet shows (F-G4, F-G5) and the desk's counts (F-G7, F-I2).

Who sees an appeal in the portal (the one rule, used by every page, file and action):

- an appeal without a contract or ЛС, or about a ЛС: its author, while the ЛС is still in their cabinet;
- an appeal about a contract: every user of the contract whose role gives the right the topic names
  (`Appeal.capability`: all roles, those who see readings, those who see documents and payments) and, for an
  appeal about one energy object, whose role reaches that object;
- a draft: its author only.

The user's reach (their ЛС, the contracts per right, the energy objects) is read once per request in a single
UNION query of the object-permission rows `selfservice.access` derives from roles and links, and kept on the user
object; the appeal queries then filter by plain id lists, which PostgreSQL answers from the indexes whatever the
size of the table.
"""

import contextlib
import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models import Branch, Contract, EnergyObject, PersonalAccount
from selfservice.access import (
    ACCOUNT_PERMISSION,
    ALL_ENERGY_OBJECTS,
    CONTRACT_PERMISSION,
    ENERGY_OBJECT_PERMISSION,
    Capability,
)
from selfservice.models import AccountPermission, ContractPermission, EnergyObjectPermission

from ..models import AdministratorRequest, Appeal, AppealMessage, AppealRead, SignatureRequest, TransitionLog
from ..models.appeals import AppealCapability
from ..models.appeals_form import Context, answers_display, answers_references

State = Appeal.State
TAB_OPEN, TAB_DRAFTS, TAB_CLOSED = "open", "drafts", "closed"


@dataclass
class Reach:
    accounts: set = field(default_factory=set)
    contracts: dict = field(default_factory=dict)  # capability → contract ids
    whole: set = field(default_factory=set)  # contracts whose every energy object the role reaches
    energy_objects: set = field(default_factory=set)  # energy objects granted one by one (a limited role)
    condition: Q | None = None


def reach_forget(user) -> None:
    """A write checks the cabinet as it is now, not as the request first read it."""
    for name in ("_appeal_reach", "_appeal_unread"):
        with contextlib.suppress(AttributeError):
            delattr(user, name)  # also through the request's lazy user object


def cabinet_reach(*, user) -> Reach:
    """The user's ЛС, their contracts per right that can show appeals, and the energy objects their roles reach.

    These are the rows `selfservice.access.access_sync` derives from the roles and links and that
    `selfservice.selectors` (`accounts_for`, `contracts_for`, `energy_objects_for`) read: the user's own object
    permissions, never groups, global rights or superuser status. Read here in one UNION over the three direct
    tables with the same codenames, because every page of the portal asks it (the counter beside «Обращения»), and
    remembered on `user` for the request.
    """
    cached = getattr(user, "_appeal_reach", None)
    if cached is not None:
        return cached
    reach = Reach(contracts={capability: set() for capability in AppealCapability.values})
    if user.is_authenticated:
        by_codename = {
            CONTRACT_PERMISSION[Capability(capability)]: capability for capability in AppealCapability.values
        }
        contract_rows = ContractPermission.objects.filter(
            user_id=user.pk,
            permission__content_type=ContentType.objects.get_for_model(Contract),
            permission__codename__in=[*by_codename, ALL_ENERGY_OBJECTS],
        ).values_list("permission__codename", "content_object_id")
        account_rows = AccountPermission.objects.filter(
            user_id=user.pk,
            permission__content_type=ContentType.objects.get_for_model(PersonalAccount),
            permission__codename=ACCOUNT_PERMISSION,
        ).values_list("permission__codename", "content_object_id")
        object_rows = EnergyObjectPermission.objects.filter(
            user_id=user.pk,
            permission__content_type=ContentType.objects.get_for_model(EnergyObject),
            permission__codename=ENERGY_OBJECT_PERMISSION,
        ).values_list("permission__codename", "content_object_id")
        for codename, pk in contract_rows.union(account_rows, object_rows, all=True):
            if codename == ACCOUNT_PERMISSION:
                reach.accounts.add(pk)
            elif codename == ENERGY_OBJECT_PERMISSION:
                reach.energy_objects.add(pk)
            elif codename == ALL_ENERGY_OBJECTS:
                reach.whole.add(pk)
            else:
                reach.contracts[by_codename[codename]].add(pk)
    user._appeal_reach = reach
    return reach


def _visible(user, reach: Reach) -> Q:
    """The rule of the module docstring as one condition on id lists: PostgreSQL answers it from the indexes."""
    if reach.condition is not None:
        return reach.condition
    own = Q(user=user, contract__isnull=True, account__isnull=True)
    if reach.accounts:
        own |= Q(user=user, account__in=sorted(reach.accounts))
    by_contract = Q(pk__in=[])
    for capability, ids in reach.contracts.items():
        if ids:
            by_contract |= Q(capability=capability, contract__in=sorted(ids))
    if any(reach.contracts.values()):
        reaches_object = Q(energy_object__isnull=True)
        if reach.whole:
            reaches_object |= Q(contract__in=sorted(reach.whole))
        if reach.energy_objects:
            reaches_object |= Q(energy_object__in=sorted(reach.energy_objects))
        own |= by_contract & reaches_object
    reach.condition = own & (~Q(state=State.DRAFT) | Q(user=user))
    return reach.condition


def appeals_visible_to(*, user) -> QuerySet[Appeal]:
    """Every appeal the user's cabinet shows (the module docstring has the rule); drafts only to their author."""
    if not user.is_authenticated:
        return Appeal.objects.none()
    return Appeal.objects.filter(_visible(user, cabinet_reach(user=user)))


def _unread_condition(user):
    read = AppealRead.objects.filter(user=user, appeal=OuterRef("pk"), read_at__gte=OuterRef("last_staff_message_at"))
    return Q(last_staff_message_at__isnull=False) & ~Exists(read)


def with_unread(queryset: QuerySet[Appeal], *, user) -> QuerySet[Appeal]:
    """`is_unread`: a message of «Администратор» came after the user last opened the appeal."""
    return queryset.annotate(is_unread=ExpressionWrapper(_unread_condition(user), output_field=BooleanField()))


def appeals_unread_count(*, user) -> int:
    """The counter beside «Обращения»: how many appeals have a message the user has not read (seed 001 §8.1).

    On the list itself it comes with the tabs' counts: the view leaves it on the request's user (`_appeal_unread`).
    """
    if not user.is_authenticated:
        return 0
    known = getattr(user, "_appeal_unread", None)
    if known is not None:
        return known
    return appeals_visible_to(user=user).exclude(state=State.DRAFT).filter(_unread_condition(user)).count()


def _tab_condition(tab: str, user, now) -> Q:
    if tab == TAB_DRAFTS:
        # Drafts the author saved, and open appeals whose signing failed (seed 001 §8.1: they land here too).
        return Q(draft_expires_at__gt=now) & (Q(state=State.DRAFT, user=user) | Q(state__in=Appeal.OPEN))
    if tab == TAB_CLOSED:
        return Q(state__in=Appeal.FINISHED)
    return Q(state__in=Appeal.OPEN)


def appeal_tab_counts(*, user, now=None, since=None, until=None) -> dict[str, int]:
    """The number on each tab, the unread ones (for the menu) and, for «Закрытые», those of the chosen period
    (`shown`): two small queries, whatever the number of appeals."""
    now = now or timezone.now()
    period = _period(since, until)
    in_period = Q(**{f"last_message_at__{lookup}": value for lookup, value in period.items()})
    counts = appeals_visible_to(user=user).aggregate(
        **{tab: Count("pk", filter=_tab_condition(tab, user, now)) for tab in (TAB_OPEN, TAB_DRAFTS, TAB_CLOSED)},
        closed_shown=Count("pk", filter=_tab_condition(TAB_CLOSED, user, now) & in_period),
        unread=Count("pk", filter=~Q(state=State.DRAFT) & _unread_condition(user)),
    )
    access_period = Q(**{f"updated_at__{lookup}": value for lookup, value in period.items()})
    access = AdministratorRequest.objects.filter(user=user).aggregate(
        open=Count("pk", filter=Q(state__in=AdministratorRequest.OPEN)),
        closed=Count("pk", filter=~Q(state__in=AdministratorRequest.OPEN)),
        closed_shown=Count("pk", filter=~Q(state__in=AdministratorRequest.OPEN) & access_period),
    )
    counts[TAB_OPEN] += access["open"]
    counts[TAB_CLOSED] += access["closed"]
    counts["closed_shown"] += access["closed_shown"]
    return counts


def tab_shown_count(counts: dict, tab: str) -> int:
    """How many tiles the tab lists (the paginator needs no COUNT of its own)."""
    return counts["closed_shown"] if tab == TAB_CLOSED else counts[tab]


@dataclass
class Tile:
    """One info-block of the list (seed 001 рис. 26–28, 74, 76, 90): an appeal or an «Запросить доступ» request,
    with just what the block shows (read as plain values: the list builds no model instances)."""

    kind: str
    pk: int
    last_at: datetime.datetime
    title: str
    state: str
    number: str
    section: str
    contract_number: str
    organisation: str
    account_number: str
    account_address: str
    object_name: str
    object_address: str
    draft_expires_at: datetime.datetime | None
    is_unread: bool

    @property
    def is_access_request(self) -> bool:
        return self.kind == "access"

    @property
    def is_draft(self) -> bool:
        return self.kind == "appeal" and self.state == State.DRAFT

    @property
    def state_label(self) -> str:
        if self.is_access_request:
            return AdministratorRequest.State(self.state).label
        return Appeal.CUSTOMER_LABELS.get(self.state) or Appeal.State(self.state).label

    @property
    def state_family(self) -> str:
        if self.is_access_request:
            return ACCESS_STATE_FAMILY.get(self.state, "neutral")
        return Appeal.STATE_FAMILY.get(self.state, "neutral")

    @property
    def address(self) -> str:
        return self.object_address or self.account_address


ACCESS_STATE_FAMILY = {
    "new": "info",
    "waiting": "warning",
    "granted": "success",
    "refused": "danger",
    "revoked": "neutral",
}


def appeal_tiles(*, user, tab: str, now=None, since: datetime.date | None = None, until: datetime.date | None = None):
    """The tab's tiles newest first as (kind, pk, last_at): appeals and, in «Открытые» and «Закрытые», the user's
    requests for the Администратор role (F-B5: an appeal of «ЛКК ЮЛ» / «Права доступа»).

    Only the three columns, so the database orders and pages the ids from the indexes; `tiles_load` then reads what
    a page shows. Two queries for any page.
    """
    now = now or timezone.now()
    text = CharField()
    period = _period(since, until)
    appeals = appeals_visible_to(user=user).filter(_tab_condition(tab, user, now)).order_by()
    appeals = appeals.filter(**{f"last_message_at__{lookup}": value for lookup, value in period.items()})
    rows = appeals.annotate(t_kind=Value("appeal", output_field=text)).values_list("t_kind", "pk", "last_message_at")
    if tab != TAB_DRAFTS:
        states = AdministratorRequest.OPEN
        access = AdministratorRequest.objects.filter(user=user).order_by()
        access = access.filter(state__in=states) if tab == TAB_OPEN else access.exclude(state__in=states)
        access = access.filter(**{f"updated_at__{lookup}": value for lookup, value in period.items()})
        rows = rows.union(
            access.annotate(t_kind=Value("access", output_field=text)).values_list("t_kind", "pk", "updated_at"),
            all=True,
        )
    return rows.order_by("-last_message_at", "-pk")


def _period(since, until) -> dict:
    """Local days → the moments that bound them."""
    zone = timezone.get_current_timezone()
    bounds = {}
    if since:
        bounds["gte"] = datetime.datetime.combine(since, datetime.time.min, zone)
    if until:
        bounds["lt"] = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, zone)
    return bounds


def tiles_load(*, user, rows) -> list[Tile]:
    """What a page of `appeal_tiles` shows, read as plain values (no model instances): two queries at most."""
    rows = list(rows)
    appeal_ids = [pk for kind, pk, _at in rows if kind == "appeal"]
    access_ids = [pk for kind, pk, _at in rows if kind == "access"]
    organisation = Coalesce(NullIf(F("contract__customer__short_name"), Value("")), F("contract__customer__full_name"))
    details = {}
    if appeal_ids:
        for values in (
            Appeal.objects.filter(pk__in=appeal_ids)
            .annotate(
                organisation=organisation,
                is_unread=ExpressionWrapper(_unread_condition(user), output_field=BooleanField()),
            )
            .values(
                "pk",
                "title",
                "state",
                "number",
                "section__name",
                "contract__number",
                "organisation",
                "account__number",
                "account__address",
                "energy_object__name",
                "energy_object__address",
                "draft_expires_at",
                "is_unread",
            )  # fmt: skip
        ):
            details[("appeal", values["pk"])] = values
    if access_ids:
        for values in (
            AdministratorRequest.objects.filter(pk__in=access_ids)
            .annotate(organisation=organisation)
            .values("pk", "state", "contract__number", "organisation")
        ):
            details[("access", values["pk"])] = {
                **values,
                "title": str(_("ЛКК ЮЛ")),
                "section__name": str(_("Права доступа")),
                "is_unread": False,
            }
    tiles = []
    for kind, pk, last_at in rows:
        values = details.get((kind, pk))
        if values is None:
            continue
        tiles.append(
            Tile(
                kind=kind,
                pk=pk,
                last_at=last_at,
                title=values["title"],
                state=values["state"],
                number=values.get("number") or "",
                section=values.get("section__name") or "",
                contract_number=values.get("contract__number") or "",
                organisation=values.get("organisation") or "",
                account_number=values.get("account__number") or "",
                account_address=values.get("account__address") or "",
                object_name=values.get("energy_object__name") or "",
                object_address=values.get("energy_object__address") or "",
                draft_expires_at=values.get("draft_expires_at"),
                is_unread=bool(values.get("is_unread")),
            )
        )
    return tiles


def tiles_by_day(tiles: list[Tile], *, today: datetime.date) -> list[tuple[datetime.date, bool, list[Tile]]]:
    """(day, is_today, tiles) in the order given: the list is «сгруппирован по дате последнего сообщения»."""
    groups: list[tuple[datetime.date, bool, list[Tile]]] = []
    for tile in tiles:
        day = timezone.localdate(tile.last_at)
        if not groups or groups[-1][0] != day:
            groups.append((day, day == today, []))
        groups[-1][2].append(tile)
    return groups


def appeal_get_for(*, user, pk: int, select_for_update: bool = False) -> Appeal:
    """One appeal of the user's cabinet; someone else's is a 404."""
    queryset = appeals_visible_to(user=user)  # plain id lists, no joins: it can lock the row as it finds it
    if select_for_update:
        return get_object_or_404(queryset.select_for_update(), pk=pk)
    return get_object_or_404(
        queryset.select_related(*CARD_RELATIONS).defer(*TOPIC_HEAVY_FIELDS),
        pk=pk,
    )


CARD_RELATIONS = ("contract__customer", "account", "energy_object", "branch", "topic", "section", "theme")
# The card names the topics; their questions (StreamField) are the appeal's own snapshot, never re-read.
TOPIC_HEAVY_FIELDS = ("topic__steps", "section__steps", "theme__steps")


def draft_get_for(*, user, pk: int) -> Appeal:
    """The author's own draft (a wizard in progress or a saved one); anything else is a 404."""
    return get_object_or_404(
        Appeal.objects.select_related("contract__customer", "account", "topic"),
        _visible(user, cabinet_reach(user=user)),
        pk=pk,
        user=user,
        state=State.DRAFT,
    )


def answers_context(appeal: Appeal) -> Context:
    """The names of the branches and energy objects the answers point at: one query each, only when needed."""
    found = answers_references(appeal.steps, appeal.answers)
    context = Context()
    if found["branch"]:
        context.branches = dict(Branch.objects.filter(pk__in=found["branch"]).values_list("pk", "name"))
    if found["energy_object"]:
        context.energy_objects = {
            energy_object.pk: f"{energy_object.name} ({energy_object.code})"
            for energy_object in EnergyObject.objects.filter(pk__in=found["energy_object"])
        }
    return context


@dataclass
class Card:
    """What «Карточка обращения» shows (seed 001 рис. 29–31, 85, 91)."""

    appeal: Appeal
    messages: list
    files: list
    answers: list
    signature_requests: list
    history: list
    is_unread: bool = False


def appeal_card_for(*, user, pk: int) -> Card:
    """The customer's card: the appeal, its answers as accordions, the files, the dialog, documents to sign and
    the status history. A fixed number of queries for any number of messages or files."""
    appeal = appeal_get_for(user=user, pk=pk)
    return _card(appeal, internal=False)


def _card(appeal: Appeal, *, internal: bool) -> Card:
    messages = list(
        AppealMessage.objects.filter(appeal=appeal)
        .select_related("author", "signature_request")
        .prefetch_related("files")
        .order_by("created_at", "pk")
    )
    files = [file for message in messages for file in message.files.all()]
    requests = list(
        SignatureRequest.objects.filter(appeal=appeal).prefetch_related("files", "signatures").order_by("created_at")
    )
    history = list(
        TransitionLog.objects.filter(
            content_type__app_label="workflows", content_type__model="appeal", object_id=appeal.pk
        )
        .select_related("by")
        .order_by("at", "pk")
    )
    if not internal:
        history = [step for step in history if step.source != step.target]
    return Card(
        appeal=appeal,
        messages=messages,
        files=files,
        answers=answers_display(appeal.steps, appeal.answers, answers_context(appeal)),
        signature_requests=requests,
        history=history,
    )


def appeal_desk_card(*, pk: int) -> Card:
    """The desk's card: the same as the customer's plus the internal log entries (assignment, signatures)."""
    appeal = get_object_or_404(
        Appeal.objects.select_related("user", "account__customer", "assignee", *CARD_RELATIONS).defer(
            *TOPIC_HEAVY_FIELDS
        ),
        pk=pk,
    )
    return _card(appeal, internal=True)


# --- The desk ------------------------------------------------------------------------------------------------------


def overdue_condition(now) -> Q:
    """Open for staff, the clock running, past the deadline: one indexed condition (`appeal_queue`)."""
    return Q(state__in=Appeal.STAFF_OPEN, paused_at__isnull=True, due_at__lt=now)


def desk_counts(*, user, now=None) -> dict:
    """The desk's summary (F-I2): the queue by state, overdue, waiting for the customer, unassigned, mine, and
    customer replies nobody has read; in one query over the open appeals."""
    now = now or timezone.now()
    staff_open = Q(state__in=Appeal.STAFF_OPEN)
    return Appeal.objects.filter(state__in=Appeal.OPEN).aggregate(
        new=Count("state", filter=Q(state=State.NEW)),
        registered=Count("state", filter=Q(state=State.REGISTERED)),
        in_progress=Count("state", filter=Q(state=State.IN_PROGRESS)),
        resolved=Count("state", filter=Q(state=State.RESOLVED)),
        overdue=Count("state", filter=overdue_condition(now)),
        waiting=Count("state", filter=staff_open & Q(paused_at__isnull=False)),
        unassigned=Count("state", filter=staff_open & Q(assignee__isnull=True)),
        mine=Count("state", filter=staff_open & Q(assignee=user)),
        replied=Count(
            "state",
            filter=staff_open
            & Q(last_customer_message_at__isnull=False)
            & (Q(staff_read_at__isnull=True) | Q(staff_read_at__lt=F("last_customer_message_at"))),
        ),
    )


def desk_breakdown(*, now=None, days: int = 30) -> dict:
    """By theme and by branch (open and overdue), and for the last `days`: resolved, in time, the mean rating."""
    now = now or timezone.now()
    open_rows = Appeal.objects.filter(state__in=Appeal.STAFF_OPEN)
    by_theme = list(
        open_rows.values("theme_id", "theme__name")
        .annotate(open=Count("theme"), overdue=Count("theme", filter=Q(paused_at__isnull=True, due_at__lt=now)))
        .order_by("-open", "theme__name")
    )
    by_branch = list(
        open_rows.values("branch_id", "branch__name")
        .annotate(open=Count("theme"), overdue=Count("theme", filter=Q(paused_at__isnull=True, due_at__lt=now)))
        .order_by("-open", "branch__name")
    )
    since = now - datetime.timedelta(days=days)
    period = Appeal.objects.filter(resolved_at__gte=since).aggregate(
        resolved=Count("resolved_at"),
        in_time=Count("resolved_at", filter=Q(resolved_in_time=True)),
        rated=Count("rating"),
        rating=Avg("rating"),
    )
    period["days"] = days
    period["in_time_percent"] = round(100 * period["in_time"] / period["resolved"]) if period["resolved"] else None
    return {"by_theme": by_theme, "by_branch": by_branch, "period": period}
