"""«Обращения» (F-G1…F-G6; seed 001 §8, seed 000 §3.3, seed 004 §4.3.2.1, §4.4.4.5).

The list with the tabs «Открытые», «Черновики», «Закрытые», grouped by the date of the last message; the wizard
«Создать обращение» («Шаг N из M», «Назад», «Дальше», the «Сохранить черновик обращения?» question when closed);
the card «[Статус] Наименование» with its accordions, files and the dialog; documents to sign. Every appeal and
file is found through `workflows.services.appeals_selectors`, so someone else's is a 404. The views parse input
and call the services; the rules are there.
"""

import calendar
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from backoffice.models import Branch
from faq.selectors import faq_for_topic
from workflows.models import AppealFile, AppealSettings, SignatureRequest
from workflows.models.appeals import Classifier, Handover
from workflows.models.appeals_form import Context, StepForm
from workflows.services import appeals as service
from workflows.services import appeals_signing as signing
from workflows.services.appeals_selectors import (
    TAB_CLOSED,
    TAB_DRAFTS,
    TAB_OPEN,
    appeal_card_for,
    appeal_get_for,
    appeal_tab_counts,
    appeal_tiles,
    draft_get_for,
    tab_shown_count,
    tiles_by_day,
    tiles_load,
)

from ..forms.appeals import (
    AppealPeriodForm,
    AppealRateForm,
    AppealReopenForm,
    AppealReplyForm,
    AppealTextForm,
    AppealTypeForm,
    SignatureDecisionForm,
    SignatureDeclineForm,
    SigningCodeForm,
)
from ..selectors import accounts_for, contracts_for, energy_objects_for
from ..services.signin import client_ip

PER_PAGE = 30


def add_months_to_day(day, months: int):
    """The same day `months` later or earlier (31 May − 3 months → 28/29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


TAB_URLS = {
    TAB_OPEN: "selfservice:appeals",
    TAB_DRAFTS: "selfservice:appeals_drafts",
    TAB_CLOSED: "selfservice:appeals_closed",
}
TAB_LABELS = {TAB_OPEN: _("Открытые"), TAB_DRAFTS: _("Черновики"), TAB_CLOSED: _("Закрытые")}
ACCESS_STATE_FAMILY = {
    "new": "info",
    "waiting": "warning",
    "granted": "success",
    "refused": "danger",
    "revoked": "neutral",
}


def _client_ip(request) -> str | None:
    # The signer's address as sign-in and the audit trail see it: behind PROXY_COUNT proxies the one the last proxy
    # appended to X-Forwarded-For (the first one is whatever the browser sent, so anyone's to forge).
    return client_ip(request) or None


# --- The list -----------------------------------------------------------------------------------------------------


@login_required
@never_cache
def appeals(request, tab: str = TAB_OPEN):
    """«Обращения» with its tabs; the newest last message first, grouped by its date («Сегодня», 30.11.2023)."""
    user, now = request.user, timezone.now()
    period, since, until = None, None, None
    if tab == TAB_CLOSED:
        default_since = add_months_to_day(timezone.localdate(now), -3)
        period = AppealPeriodForm(request.GET or None, initial={"date_from": default_since})
        if period.is_bound and period.is_valid():
            since, until = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
        elif not period.is_bound:
            since = default_since
    counts = appeal_tab_counts(user=user, now=now, since=since, until=until)
    user._appeal_unread = counts["unread"]  # the counter beside «Обращения» on this page: no second query
    rows = appeal_tiles(user=user, tab=tab, now=now, since=since, until=until)
    paginator = Paginator(rows, PER_PAGE)
    paginator.count = tab_shown_count(counts, tab)  # known from the tabs' counts: no second COUNT of the union
    page = paginator.get_page(request.GET.get("page"))
    tiles = tiles_load(user=user, rows=page.object_list)
    tabs = [
        {"label": TAB_LABELS[key], "url": reverse(TAB_URLS[key]), "count": counts[key], "is_current": key == tab}
        for key in (TAB_OPEN, TAB_DRAFTS, TAB_CLOSED)
    ]
    return render(
        request,
        "selfservice/appeals/list.html",
        {
            "tab": tab,
            "tabs": tabs,
            "page_obj": page,
            "groups": tiles_by_day(tiles, today=timezone.localdate(now)),
            "period": period,
            "since": since,
        },
    )


# --- The wizard ---------------------------------------------------------------------------------------------------


def _owners(user):
    return list(contracts_for(user=user)), list(accounts_for(user=user))


def _classification_initial(appeal) -> dict:
    if appeal is None:
        return {}
    path = [appeal.theme_id, appeal.section_id]
    leaf = appeal.topic_id
    initial = {"theme": appeal.theme_id}
    if appeal.section_id:
        initial["section"] = appeal.section_id
    if leaf not in path:
        initial["subsection"] = leaf
    if appeal.contract_id:
        initial["owner"] = f"contract:{appeal.contract_id}"
    elif appeal.account_id:
        initial["owner"] = f"account:{appeal.account_id}"
    return initial


def _classification(request, appeal=None):
    """Step 1 «Тип обращения»: a new draft, or the same draft with another choice."""
    user = request.user
    classifier = Classifier.load()
    contracts, accounts = _owners(user)
    form = AppealTypeForm(
        request.POST if request.method == "POST" else None,
        classifier=classifier,
        contracts=contracts,
        accounts=accounts,
        initial=_classification_initial(appeal),
    )
    if request.method == "POST" and form.is_valid() and form.leaf is not None:
        rules = classifier.rules(form.leaf)
        try:
            contract, account = service.appeal_classification_check(
                user=user, rules=rules, contract=form.contract, account=form.account
            )
            if rules.handover == Handover.ACCESS_REQUEST:
                return redirect("selfservice:access_request_create", contract.number)
            if rules.handover == Handover.SERVICE_ORDER:
                messages.info(request, _("Выберите услугу в каталоге и отправьте заявку на её карточке."))
                return redirect("selfservice:services")
            appeal = service.appeal_classify(
                user=user, topic=form.leaf, contract=contract, account=account, appeal=appeal
            )
        except ValidationError as error:
            _add_errors(form, error)
        except service.AppealRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("selfservice:appeal_step", appeal.pk, 2)
    return render(
        request,
        "selfservice/appeals/step_type.html",
        {
            "form": form,
            "appeal": appeal,
            "step": 1,
            "total": appeal.total_steps if appeal else 2,
            "has_owners": bool(contracts or accounts),
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@never_cache
def appeal_new(request):
    """«Создать обращение»."""
    return _classification(request)


def _step_context(appeal, user) -> Context:
    energy_objects = {}
    if appeal.contract_id:
        for energy_object in energy_objects_for(user=user, contract=appeal.contract).order_by("code"):
            label = f"{energy_object.name}, {energy_object.address}" if energy_object.address else energy_object.name
            energy_objects[energy_object.pk] = label
    return Context(
        branches=dict(Branch.objects.order_by("name").values_list("pk", "name")),
        energy_objects=energy_objects,
        user=user,
        customer=appeal.contract.customer if appeal.contract_id else None,
        account=appeal.account if appeal.account_id else None,
    )


def _faq_answers(appeal) -> list:
    """«Вопрос - Ответ» for the chosen topic, when the FAQ exists (faq.selectors.faq_for_topic)."""
    rules_path = [appeal.theme, appeal.section, appeal.topic]
    tags = []
    for node in rules_path:
        if node is not None:
            tags += [tag for tag in (node.code, node.name) if tag not in tags]
    found, seen = [], set()
    for tag in tags:
        for question in faq_for_topic(topic=tag):
            if question.pk not in seen:
                seen.add(question.pk)
                found.append(question)
    return found


@login_required
@never_cache
def appeal_step(request, pk: int, step: int):
    """A step of a draft: 1 is the topic, then the topic's own steps, the last one «Информация по обращению»."""
    appeal = draft_get_for(user=request.user, pk=pk)
    if step == 1:
        return _classification(request, appeal)
    if step > appeal.total_steps or step < 1:
        raise Http404
    if step > appeal.steps_passed + 1:
        return redirect("selfservice:appeal_step", appeal.pk, appeal.steps_passed + 1)
    if step == appeal.total_steps:
        return _final_step(request, appeal)
    spec = appeal.steps[step - 2]
    form = StepForm(
        spec,
        data=request.POST if request.method == "POST" else None,
        stored=(appeal.answers or {}).get(spec.key),
        context=_step_context(appeal, request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.appeal_step_save(appeal=appeal, user=request.user, step_number=step, answers=form.cleaned_data)
        except service.AppealRefused as refusal:
            messages.error(request, str(refusal))
        else:
            return redirect("selfservice:appeal_step", appeal.pk, step + 1)
    return render(
        request,
        "selfservice/appeals/step_fields.html",
        {
            "appeal": appeal,
            "step": step,
            "total": appeal.total_steps,
            "spec": spec,
            "form": form,
            "nodes": form.nodes(),
            "faq_questions": _faq_answers(appeal) if step == 2 else [],
        },
    )


def _final_step(request, appeal):
    """«Информация по обращению»: the text (its limit counted down) and the files; «Отправить» or, for a signed
    topic, «Подписать и отправить». Files chosen are kept on the draft even when the text is still wrong."""
    limits = AppealSettings.load()
    form = AppealTextForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        appeal=appeal,
        limits=limits,
        initial={"text": appeal.text},
    )
    user = request.user
    if request.method == "POST" and form.is_valid():
        text, files = form.cleaned_data["text"], form.cleaned_data.get("files") or []
        try:
            # The text and the files are kept on the draft first, so a file chosen stays when the text is wrong.
            appeal = service.appeal_draft_text_save(appeal=appeal, user=user, text=text, files=files)
            if appeal.signature_required:
                signing.appeal_submit_sign_start(appeal=appeal, user=user, text=text)
                return redirect("selfservice:appeal_sign_submission", appeal.pk)
            appeal = service.appeal_submit(appeal=appeal, user=user, text=text)
        except ValidationError as error:
            _add_errors(form, error)
        except service.AppealRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Обращение успешно отправлено"))
            return redirect("selfservice:appeal", appeal.pk)
    return render(
        request,
        "selfservice/appeals/step_text.html",
        {
            "appeal": appeal,
            "step": appeal.total_steps,
            "total": appeal.total_steps,
            "form": form,
            "draft_files": list(appeal.files.filter(message=None, purpose=AppealFile.Purpose.ATTACHMENT)),
            "faq_questions": _faq_answers(appeal) if appeal.total_steps == 2 else [],
            "limits": limits,
        },
    )


@login_required
@require_POST
def appeal_draft_file_remove(request, pk: int, file_pk: int):
    """«Корзина» beside a file chosen for the draft."""
    appeal = draft_get_for(user=request.user, pk=pk)
    get_object_or_404(appeal.files, pk=file_pk, message=None)
    service.appeal_draft_file_remove(appeal=appeal, user=request.user, file_id=file_pk)
    if "text" in request.POST:  # what was typed beside the file stays
        try:
            service.appeal_draft_text_save(appeal=appeal, user=request.user, text=request.POST["text"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
    return redirect("selfservice:appeal_step", appeal.pk, appeal.total_steps)


@login_required
@never_cache
def appeal_leave(request, pk: int):
    """The ✕ of a step: «Сохранить черновик обращения?» «Вы сможете продолжить заполнение в течение месяца».

    JavaScript shows it as a window over the step; without it this page asks the same.
    """
    appeal = draft_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        if "save" in request.POST:
            appeal = service.appeal_draft_save(appeal=appeal, user=request.user)
            messages.success(
                request,
                _("Черновик сохранён. Продолжить заполнение можно до %(date)s.")
                % {"date": timezone.localtime(appeal.draft_expires_at).strftime("%d.%m.%Y")},
            )
            return redirect("selfservice:appeals_drafts")
        service.appeal_draft_discard(appeal=appeal, user=request.user)
        return redirect("selfservice:appeals_drafts" if appeal.draft_expires_at else "selfservice:appeals")
    return render(request, "selfservice/appeals/leave.html", {"appeal": appeal, "back": request.GET.get("step", "1")})


@login_required
def appeal_draft_delete(request, pk: int):
    """«Удалить черновик», after a confirmation."""
    appeal = draft_get_for(user=request.user, pk=pk)
    if request.method == "POST":
        service.appeal_draft_delete(appeal=appeal, user=request.user)
        messages.success(request, _("Черновик удалён."))
        return redirect("selfservice:appeals_drafts")
    return render(request, "selfservice/appeals/draft_delete.html", {"appeal": appeal})


def _code_page_context(user) -> dict:
    wait = signing.signing_code_wait(user=user)
    return {"wait": wait, "wait_clock": f"{wait // 60}:{wait % 60:02d}", "email": user.email}


@login_required
@never_cache
def appeal_sign_submission(request, pk: int):
    """«Подписание обращения»: the code from the letter signs the application and sends it."""
    appeal = draft_get_for(user=request.user, pk=pk)
    form = SigningCodeForm(request.POST if request.method == "POST" and "code" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        wait = signing.appeal_submit_code_resend(appeal=appeal, user=request.user)
        if wait:
            messages.error(request, _("Новый код можно запросить через %(seconds)s с.") % {"seconds": wait})
        else:
            messages.success(request, _("Новый код отправлен на %(email)s.") % {"email": request.user.email})
        return redirect("selfservice:appeal_sign_submission", appeal.pk)
    if form.is_bound and form.is_valid():
        try:
            appeal = signing.appeal_submit_sign(
                appeal=appeal,
                user=request.user,
                code=form.cleaned_data["code"],
                ip_address=_client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        except signing.SigningFailed as failure:
            messages.error(request, str(failure))
            return redirect("selfservice:appeals_drafts")
        except (signing.SigningRefused, service.AppealRefused) as refusal:
            form.add_error("code", str(refusal))
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            messages.success(request, _("Обращение успешно отправлено"))
            return redirect("selfservice:appeal", appeal.pk)
    return render(
        request,
        "selfservice/appeals/sign_submission.html",
        {"appeal": appeal, "form": form, **_code_page_context(request.user)},
    )


# --- The card -----------------------------------------------------------------------------------------------------


@login_required
@never_cache
def appeal_detail(request, pk: int):
    """«Карточка обращения» (seed 001 рис. 29–31, 85, 91) with the dialog and what the customer may do now."""
    user = request.user
    limits = AppealSettings.load()
    action = request.POST.get("action") if request.method == "POST" else None
    bound = {action: True} if action else {}
    reply = AppealReplyForm(request.POST if action == "reply" else None, request.FILES or None, limits=limits)
    reopen = AppealReopenForm(request.POST if action == "reopen" else None)
    rate = AppealRateForm(request.POST if action == "rate" else None, prefix="rate")
    if action:
        appeal = appeal_get_for(user=user, pk=pk)
        done = _card_action(request, appeal, action, reply=reply, reopen=reopen, rate=rate)
        if done:
            return redirect("selfservice:appeal", appeal.pk)
    card = appeal_card_for(user=user, pk=pk)
    appeal = card.appeal
    if appeal.is_draft:
        return redirect("selfservice:appeal_step", appeal.pk, 1)
    service.appeal_mark_read(appeal=appeal, user=user)
    return render(
        request,
        "selfservice/appeals/card.html",
        {
            "card": card,
            "appeal": appeal,
            "reply_form": reply,
            "reopen_form": reopen,
            "rate_form": rate,
            "bound": bound,
            "pending_requests": [request_ for request_ in card.signature_requests if request_.is_pending],
            "can_reopen": appeal.state in (appeal.State.RESOLVED, appeal.State.CLOSED)
            and appeal.within_reopen_window(),
            "can_rate": appeal.state in (appeal.State.RESOLVED, appeal.State.CLOSED) and appeal.rated_at is None,
            "back_url": reverse(
                TAB_URLS[TAB_CLOSED if appeal.is_finished else TAB_OPEN],
            ),
            "limits": limits,
        },
    )


def _card_action(request, appeal, action: str, *, reply, reopen, rate) -> bool:
    user = request.user
    try:
        if action == "reply" and reply.is_valid():
            service.appeal_reply(
                appeal=appeal, user=user, text=reply.cleaned_data["text"], files=reply.cleaned_data["files"]
            )
            messages.success(request, _("Сообщение отправлено."))
            return True
        if action == "close":
            service.appeal_close(appeal=appeal, by=user, seen_state=request.POST.get("seen_state") or appeal.state)
            messages.success(request, _("Обращение закрыто. Спасибо!"))
            return True
        if action == "reopen" and reopen.is_valid():
            service.appeal_reopen(appeal=appeal, user=user, comment=reopen.cleaned_data["comment"])
            messages.success(request, _("Обращение возобновлено: сотрудник вернётся к нему."))
            return True
        if action == "rate" and rate.is_valid():
            service.appeal_rate(
                appeal=appeal, user=user, rating=rate.cleaned_data["rating"], comment=rate.cleaned_data["comment"]
            )
            messages.success(request, _("Спасибо за оценку!"))
            return True
    except service.AppealRefused as refusal:  # the appeal moved on (closed, reopened): say so on the fresh card
        messages.error(request, str(refusal))
        return True
    except ValidationError as error:
        form = {"reply": reply, "reopen": reopen, "rate": rate}.get(action)
        if form is not None:
            _add_errors(form, error)
    return False


@login_required
def appeal_file(request, pk: int, file_pk: int):
    """A file of the appeal, to download or (for images and PDF) to look at in the browser."""
    appeal = appeal_get_for(user=request.user, pk=pk)
    stored = get_object_or_404(AppealFile, appeal=appeal, pk=file_pk)
    inline = request.GET.get("preview") == "1" and stored.previewable
    content_type = mimetypes.types_map.get(f".{stored.kind}", "application/octet-stream")
    if stored.kind == "docx":
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif stored.kind == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = FileResponse(
        stored.file.open("rb"), as_attachment=not inline, filename=stored.name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


# --- Documents to sign --------------------------------------------------------------------------------------------


@login_required
@never_cache
def appeal_signature(request, pk: int, request_pk: int):
    """«Подпишите документы»: «Подписать», «Подписать с протоколом разногласий» or «Отклонить»; then the code."""
    user = request.user
    appeal = appeal_get_for(user=user, pk=pk)
    signature_request = get_object_or_404(
        SignatureRequest.objects.prefetch_related("files"), appeal=appeal, pk=request_pk
    )
    step = request.POST.get("step") if request.method == "POST" else None
    decision = SignatureDecisionForm(
        request.POST if step == "start" else None, request.FILES if step == "start" else None
    )
    decline = SignatureDeclineForm(request.POST if step == "decline" else None)
    code = SigningCodeForm(request.POST if step == "code" else None)
    try:
        if step == "start" and decision.is_valid():
            signing.appeal_signature_start(
                request=signature_request,
                user=user,
                decision=decision.cleaned_data["decision"],
                protocol=decision.cleaned_data.get("protocol"),
            )
            return redirect("selfservice:appeal_signature", appeal.pk, signature_request.pk)
        if step == "decline" and decline.is_valid():
            signing.appeal_signature_decline(
                request=signature_request, user=user, reason=decline.cleaned_data["reason"]
            )
            messages.success(request, _("Вы отклонили документы. Сотрудник увидит причину в обращении."))
            return redirect("selfservice:appeal", appeal.pk)
        if step == "resend":
            wait = signing.appeal_signature_code_resend(request=signature_request, user=user)
            if wait:
                messages.error(request, _("Новый код можно запросить через %(seconds)s с.") % {"seconds": wait})
            else:
                messages.success(request, _("Новый код отправлен на %(email)s.") % {"email": user.email})
            return redirect("selfservice:appeal_signature", appeal.pk, signature_request.pk)
        if step == "code" and code.is_valid():
            signing.appeal_signature_confirm(
                request=signature_request,
                user=user,
                code=code.cleaned_data["code"],
                ip_address=_client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            messages.success(request, _("Документы подписаны."))
            return redirect("selfservice:appeal", appeal.pk)
    except signing.SigningFailed as failure:
        messages.error(request, str(failure))
        return redirect("selfservice:appeals_drafts")
    except signing.SigningRefused as refusal:
        code.add_error("code", str(refusal))
    except service.AppealRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("selfservice:appeal", appeal.pk)
    except ValidationError as error:
        target = {"start": decision, "decline": decline}.get(step)
        if target is not None:
            _add_errors(target, error)
    signature_request.refresh_from_db()
    return render(
        request,
        "selfservice/appeals/signature.html",
        {
            "appeal": appeal,
            "signature_request": signature_request,
            "documents": [f for f in signature_request.files.all() if f.purpose == AppealFile.Purpose.DOCUMENT],
            "protocol": next(
                (
                    f
                    for f in signature_request.files.all()
                    if f.purpose == AppealFile.Purpose.PROTOCOL and not f.message_id
                ),
                None,
            ),
            "decision_form": decision,
            "decline_form": decline,
            "code_form": code,
            "show_decline": step == "decline" or request.GET.get("decline") == "1",
            "show_protocol": (step == "start" and request.POST.get("decision") == "protocol")
            or request.GET.get("protocol") == "1",
            **_code_page_context(user),
        },
    )


urls = [
    path("appeals/", appeals, name="appeals"),
    path("appeals/drafts/", appeals, {"tab": TAB_DRAFTS}, name="appeals_drafts"),
    path("appeals/closed/", appeals, {"tab": TAB_CLOSED}, name="appeals_closed"),
    path("appeals/new/", appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", appeal_detail, name="appeal"),
    path("appeals/<int:pk>/step/<int:step>/", appeal_step, name="appeal_step"),
    path("appeals/<int:pk>/leave/", appeal_leave, name="appeal_leave"),
    path("appeals/<int:pk>/delete/", appeal_draft_delete, name="appeal_draft_delete"),
    path(
        "appeals/<int:pk>/draft-files/<int:file_pk>/remove/", appeal_draft_file_remove, name="appeal_draft_file_remove"
    ),
    path("appeals/<int:pk>/sign/", appeal_sign_submission, name="appeal_sign_submission"),
    path("appeals/<int:pk>/files/<int:file_pk>/", appeal_file, name="appeal_file"),
    path("appeals/<int:pk>/signatures/<int:request_pk>/", appeal_signature, name="appeal_signature"),
]
