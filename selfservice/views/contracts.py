"""An organisation's contracts (F-B2…F-B5; seed 001 §4.3–4.5, §13.2): «Договоры», «Добавить договор», the
contract's page with «Скачать» and «Удалить договор», roles («Добавить роль») and «Запросить доступ».

Every contract is found through `selfservice.selectors`, so someone else's contract, attachment, role or
request answers 404 whatever its number or id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.storage import private_file_response
from workflows.models import AdministratorRequest
from workflows.services.grants import GrantRefused, administrator_request_reply, administrator_request_submit

from ..access import Capability, role_can
from ..decorators import email_confirmed_required
from ..exports import contract_sections, contract_workbook
from ..forms.cabinet import AccessReplyForm, AccessRequestForm, ContractBindForm, RoleAssignForm
from ..models import ContractBinding, ContractRole
from ..selectors import (
    contract_detail_for,
    contract_get_for,
    contract_holders,
    contract_recent_documents,
    contract_roles_for,
    meters_attach_last_readings,
)
from ..services.contracts import contract_bind_confirm, contract_bind_request, contract_binding_cancel, contract_remove
from ..services.roles import role_assign, role_remove
from . import ratelimited
from .profile import profile_page
from .signin import by_ip, over_limit

State = AdministratorRequest.State
STATE_FAMILY = {
    State.NEW: "info",
    State.WAITING: "warning",
    State.GRANTED: "success",
    State.REFUSED: "danger",
    State.REVOKED: "neutral",
}
# A wrong e-mail is a guess at the contract's mailbox: a few tries an hour are enough for typos.
BIND_LIMITS = [("user", "10/h"), (by_ip, "30/h")]


def _my_role(request, contract) -> ContractRole:
    return get_object_or_404(ContractRole, user=request.user, contract=contract)


@login_required
def contracts(request):
    """«Профиль» → «Договоры»: each contract with the user's role, «Запросить доступ» and the bindings waiting."""
    roles = list(contract_roles_for(user=request.user))
    open_requests = dict(
        AdministratorRequest.objects.filter(
            user=request.user, state__in=AdministratorRequest.OPEN, contract__in=[role.contract for role in roles]
        ).values_list("contract_id", "pk")
    )
    for role in roles:
        role.open_request_id = open_requests.get(role.contract_id)
    bindings = ContractBinding.objects.filter(user=request.user).select_related("contract__customer")
    return profile_page(
        request, "selfservice/contracts/list.html", {"roles": roles, "bindings": list(bindings)}, tab="contracts"
    )


@email_confirmed_required
def contract_add(request):
    """«Новый договор» → «Сохранить»: the confirmation link goes to the contract's e-mail."""
    form = ContractBindForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, group="contract-bind", limits=BIND_LIMITS):
            return ratelimited(request)
        if form.is_valid():
            try:
                binding = contract_bind_request(
                    user=request.user, number=form.cleaned_data["number"], email=form.cleaned_data["email"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "На адрес %(email)s отправлено письмо со ссылкой для подтверждения. Перейдите по ней в "
                        "течение 24 часов, иначе договор будет удалён из личного кабинета."
                    )
                    % {"email": binding.email},
                )
                return redirect("selfservice:contracts")
    return render(request, "selfservice/contracts/add.html", {"form": form})


@login_required
def contract_confirm(request, token: str):
    """The link from the letter: a page with the contract and «Подтвердить» (a mail scanner's GET binds nothing)."""
    if request.method == "POST":
        try:
            contract = contract_bind_confirm(user=request.user, token=token)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("selfservice:contracts")
        messages.success(request, _("Договор № %(number)s добавлен в личный кабинет.") % {"number": contract.number})
        return redirect("selfservice:contract_detail", contract.number)
    return render(request, "selfservice/contracts/confirm.html", {"token": token})


@login_required
@require_POST
def binding_cancel(request, pk: int):
    contract_binding_cancel(binding=get_object_or_404(ContractBinding, pk=pk, user=request.user))
    messages.success(request, _("Добавление договора отменено."))
    return redirect("selfservice:contracts")


@login_required
def contract_detail(request, number: str):
    """The contract's page (seed 001 §4.4): requisites, contacts, bank, energy objects, meters, attachments,
    and what the role shows of documents and readings; the Администратор also sees everyone with the contract."""
    contract = contract_detail_for(user=request.user, number=number)
    role = _my_role(request, contract)
    context = {
        "contract": contract,
        "sections": contract_sections(contract),
        "role": role,
        "can": {capability.value: role_can(role.role, capability) for capability in Capability},
    }
    if role_can(role.role, Capability.READINGS_HISTORY):
        meters_attach_last_readings(energy_objects=contract.visible_energy_objects)
    if role_can(role.role, Capability.BILLING_HISTORY):
        context["documents"] = contract_recent_documents(user=request.user, contract=contract)
    if role_can(role.role, Capability.ROLES):
        context["holders"] = list(contract_holders(contract=contract))
    context["has_administrator"] = ContractRole.objects.filter(
        contract=contract, role=ContractRole.Role.ADMINISTRATOR
    ).exists()
    return render(request, "selfservice/contracts/detail.html", context)


@login_required
def contract_download(request, number: str):
    """«Скачать»: what the contract's page shows, as .xlsx."""
    contract = contract_detail_for(user=request.user, number=number)
    response = HttpResponse(
        contract_workbook(contract=contract),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="dogovor-{contract.number}.xlsx"'
    return response


@login_required
def contract_attachment(request, number: str, pk: int):
    contract = contract_get_for(user=request.user, number=number)
    attachment = get_object_or_404(contract.attachments, pk=pk)
    return private_file_response(attachment.file, filename=attachment.file.name.rsplit("/")[-1])


@login_required
def contract_remove_view(request, number: str):
    """«Удалить договор» → the confirmation → «Удалить»."""
    contract = contract_get_for(user=request.user, number=number)
    if request.method == "POST":
        contract_remove(user=request.user, contract=contract)
        messages.success(request, _("Договор № %(number)s удалён из личного кабинета.") % {"number": number})
        return redirect("selfservice:contracts")
    return render(request, "selfservice/contracts/remove.html", {"contract": contract})


@login_required
def role_add(request, number: str):
    """«Добавить роль» (seed 001 рис. 111), for the contract's Администратор only."""
    contract = contract_get_for(user=request.user, number=number, capability=Capability.ROLES)
    form = RoleAssignForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assigned = role_assign(
                by=request.user,
                contract=contract,
                email=data["email"],
                role=data["role"],
                energy_objects=data["energy_objects"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Роль «%(role)s» назначена пользователю %(email)s.")
                % {"role": assigned.get_role_display(), "email": assigned.user.email},
            )
            return redirect("selfservice:contract_detail", contract.number)
    return render(request, "selfservice/contracts/role_add.html", {"contract": contract, "form": form})


@login_required
@require_POST
def role_remove_view(request, number: str, pk: int):
    contract = contract_get_for(user=request.user, number=number, capability=Capability.ROLES)
    contract_role = get_object_or_404(ContractRole.objects.select_related("user"), contract=contract, pk=pk)
    try:
        role_remove(by=request.user, contract_role=contract_role)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Роль пользователя %(email)s удалена.") % {"email": contract_role.user.email})
    return redirect("selfservice:contract_detail", contract.number)


@login_required
def access_request_create(request, number: str):
    """«Запросить доступ» → «Направить обращение» with тема «ЛКК ЮЛ», раздел «Права доступа» and the contract."""
    contract = contract_get_for(user=request.user, number=number)
    form = AccessRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_request = administrator_request_submit(
                user=request.user, contract=contract, text=form.cleaned_data["text"], file=form.cleaned_data["file"]
            )
        except GrantRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Обращение успешно отправлено."))
            return redirect("selfservice:access_request", access_request.pk)
    return render(request, "selfservice/contracts/access_request_form.html", {"contract": contract, "form": form})


def _access_request_for(request, pk: int) -> AdministratorRequest:
    requests = AdministratorRequest.objects.select_related("contract__customer")
    return get_object_or_404(requests, pk=pk, user=request.user)


@login_required
def access_request(request, pk: int):
    """The request's page: its status and the dialog with the company, with a reply while it is open."""
    access = _access_request_for(request, pk)
    form = AccessReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            administrator_request_reply(
                request=access, user=request.user, text=form.cleaned_data["text"], file=form.cleaned_data["file"]
            )
        except GrantRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Сообщение отправлено."))
            return redirect("selfservice:access_request", access.pk)
    context = {
        "access": access,
        "dialog": access.messages.select_related("author"),
        "form": form,
        "state_family": STATE_FAMILY[access.state],
    }
    return render(request, "selfservice/contracts/access_request.html", context)


@login_required
def access_request_file(request, pk: int, message_pk: int):
    message = get_object_or_404(_access_request_for(request, pk).messages, pk=message_pk)
    if not message.file:
        raise Http404
    return private_file_response(message.file, filename=message.file_name)


urls = [
    path("profile/contracts/", contracts, name="contracts"),
    path("contracts/add/", contract_add, name="contract_add"),
    path("contracts/confirm/<str:token>/", contract_confirm, name="contract_confirm"),
    path("contracts/bindings/<int:pk>/cancel/", binding_cancel, name="contract_binding_cancel"),
    path("contracts/<str:number>/", contract_detail, name="contract_detail"),
    path("contracts/<str:number>/download/", contract_download, name="contract_download"),
    path("contracts/<str:number>/attachments/<int:pk>/", contract_attachment, name="contract_attachment"),
    path("contracts/<str:number>/remove/", contract_remove_view, name="contract_remove"),
    path("contracts/<str:number>/roles/add/", role_add, name="role_add"),
    path("contracts/<str:number>/roles/<int:pk>/remove/", role_remove_view, name="role_remove"),
    path("contracts/<str:number>/access/", access_request_create, name="access_request_create"),
    path("access-requests/<int:pk>/", access_request, name="access_request"),
    path("access-requests/<int:pk>/files/<int:message_pk>/", access_request_file, name="access_request_file"),
]
