"""«Клиенты» → «Пользователи портала» in the Wagtail admin: staff help customers (F-A7; seed 000 §2).

The list shows the portal's customers only (Wagtail's own «Пользователи» stays for staff accounts), and from
it a clerk can «Зарегистрировать клиента», «Привязать лицевой счёт» and «Отправить ссылку для смены пароля».
The work is done by `selfservice.services.staff`; these views only collect the input.

Rights: every screen here needs `selfservice.assist_customer`, not Wagtail's add/change_user — those open
Wagtail's user management, where a clerk could put anybody (themselves included) into the administrators.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ActionMenuItem
from wagtail.admin.ui.tables import Column, StatusTagColumn, Table
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from backoffice.admin_filters import boolean_filter
from backoffice.wagtail_hooks.catalog import (
    CLIENTS_MENU_HOOK,
    BackofficeIndexView,
    BackofficeInspectView,
    NumberColumn,
    ReadOnlyViewSet,
    Section,
)

from .forms.staff import AccountLinkForm, CustomerRegisterForm, PasswordLinkForm
from .models import ContractRole
from .services.staff import account_link_by_staff, customer_register_by_staff, password_link_send

User = get_user_model()

ASSIST_CODENAME = "assist_customer"


class AssistCustomerPolicy(ModelPermissionPolicy):
    """Every action on «Пользователи портала» is the one right `selfservice.assist_customer`."""

    def _get_permission_codename(self, action):
        return ASSIST_CODENAME


assist_policy = AssistCustomerPolicy(User)


def portal_users():
    """Customers, not staff; anonymised cabinets (deleted by their owners) are gone from the list."""
    return User.objects.filter(is_staff=False, anonymised_at__isnull=True)


def cabinet_state(user) -> str:
    if not user.has_usable_password():
        return _("Ждёт пароля")
    return _("Подтверждён") if user.email_confirmed else _("Не подтверждён")


def day(value) -> str:
    return date_format(timezone.localtime(value), "d.m.Y") if value else ""


class PortalUserFilterSet(WagtailFilterSet):
    email_confirmed = boolean_filter(_("E-mail подтверждён"), method="filter_email_confirmed")
    registered_by_staff = boolean_filter(_("Зарегистрирован сотрудником"), method="filter_registered_by_staff")

    class Meta:
        model = User
        fields = []

    def filter_email_confirmed(self, queryset, name, value):
        return queryset if value is None else queryset.filter(email_confirmed_at__isnull=not value)

    def filter_registered_by_staff(self, queryset, name, value):
        return queryset if value is None else queryset.filter(registered_by__isnull=not value)


class AssistMixin:
    """The views of this module answer to `assist_customer` only (see the module docstring)."""

    permission_policy = assist_policy


def link_url(user) -> str:
    return reverse(portal_user_viewset.get_url_name("link_account"), args=[user.pk])


def password_link_url(user) -> str:
    return reverse(portal_user_viewset.get_url_name("password_link"), args=[user.pk])


def inspect_url(user) -> str:
    return reverse(portal_user_viewset.get_url_name("inspect"), args=[user.pk])


class PortalUserIndexView(AssistMixin, BackofficeIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(is_staff=False, anonymised_at__isnull=True)

    @cached_property
    def no_results_message(self):
        if self.is_searching or self.is_filtering:
            return _("Пользователей с такими условиями нет.")
        return _("Пользователей портала пока нет.")

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            ActionMenuItem(_("Привязать лицевой счёт"), url=link_url(instance), icon_name="link", priority=30),
            ActionMenuItem(
                _("Отправить ссылку для смены пароля"), url=password_link_url(instance), icon_name="key", priority=40
            ),
        ]


class PortalUserInspectView(AssistMixin, BackofficeInspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(portal_users().select_related("registered_by"), pk=self.pk)

    @cached_property
    def header_more_buttons(self):
        return [
            Button(_("Привязать лицевой счёт"), url=link_url(self.object), icon_name="link", priority=10),
            Button(
                _("Отправить ссылку для смены пароля"), url=password_link_url(self.object), icon_name="key", priority=20
            ),
        ]

    def get_breadcrumbs_items(self):
        index, *rest = super().get_breadcrumbs_items()[len(self.breadcrumbs_items) :]
        return [*self.breadcrumbs_items, {**index, "label": _("Пользователи портала")}, *rest]

    def get_state_display_value(self):
        return cabinet_state(self.object)

    def get_field_label(self, field_name, field):
        return _("Состояние") if field_name == "state" else super().get_field_label(field_name, field)

    def get_sections(self):
        links = list(self.object.account_links.select_related("account", "linked_by"))
        table = Table(
            [
                Column("number", label=_("Номер ЛС"), accessor="account.number"),
                Column("address", label=_("Адрес"), accessor="account.address"),
                Column("relation", label=_("Статус отношения к ЛС"), accessor="get_relation_display"),
                Column("linked_by", label=_("Привязал сотрудник"), accessor=lambda link: link.linked_by or ""),
                Column("created_at", label=_("Привязан"), accessor=lambda link: day(link.created_at)),
            ],
            links,
        )
        roles = list(self.object.contract_roles.select_related("contract__customer").prefetch_related("energy_objects"))
        roles_table = Table(
            [
                Column("number", label=_("Договор"), accessor="contract.number"),
                Column("customer", label=_("Организация"), accessor=lambda role: role.contract.customer),
                Column("role", label=_("Роль"), accessor="get_role_display"),
                Column("objects", label=_("Энергообъекты"), accessor=energy_objects_text),
                Column("created_at", label=_("С"), accessor=lambda role: day(role.created_at)),
            ],
            roles,
        )
        return [
            Section(
                title=_("Лицевые счета"),
                table=table if links else None,
                empty_text=_("К кабинету не привязан ни один лицевой счёт."),
                buttons=[(_("Привязать лицевой счёт"), link_url(self.object), "link")],
            ),
            Section(
                title=_("Договоры"),
                table=roles_table if roles else None,
                empty_text=_("В кабинете нет договоров."),
            ),
        ]


def energy_objects_text(role: ContractRole) -> str:
    codes = [energy_object.code for energy_object in role.energy_objects.all()]
    return ", ".join(codes) if codes else _("Все")


class StaffFormView(AssistMixin, WagtailAdminTemplateMixin, FormView):
    """A one-form admin screen under «Пользователи портала»; `form_valid` calls the service."""

    submit_button_label = None
    model = User

    def dispatch(self, request, *args, **kwargs):
        if not assist_policy.user_has_permission(request.user, "add"):
            raise PermissionDenied  # Wagtail answers with its «no permission» message
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(portal_user_viewset.get_url_name("index")), "label": _("Пользователи портала")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.request.get_full_path(),
            submit_button_label=self.submit_button_label,
            media=context["form"].media,
        )
        return context

    def refused(self, form, error: ValidationError):
        """The service said no: show why next to the field it concerns, keeping what was typed."""
        form.add_error(None, error)
        return self.form_invalid(form)


class CustomerRegisterView(StaffFormView):
    form_class = CustomerRegisterForm
    template_name = "selfservice/admin/customer_register.html"
    page_title = _("Зарегистрировать клиента")
    submit_button_label = _("Зарегистрировать")
    header_icon = "user"

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = customer_register_by_staff(
                by=self.request.user,
                email=data["email"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                phone=data["phone"],
                account=data["account"],
                relation=data["relation"],
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            _("Клиент зарегистрирован: ссылка для задания пароля отправлена на %(email)s.") % {"email": user.email},
        )
        return redirect(inspect_url(user))


class PortalUserActionView(StaffFormView):
    """An action on one customer, reached from their row or page."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.customer = get_object_or_404(portal_users(), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.customer)

    def get_breadcrumbs_items(self):
        *index, current = super().get_breadcrumbs_items()
        return [*index, {"url": inspect_url(self.customer), "label": str(self.customer)}, current]

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.customer, **kwargs)


class AccountLinkView(PortalUserActionView):
    form_class = AccountLinkForm
    template_name = "selfservice/admin/account_link.html"
    page_title = _("Привязать лицевой счёт")
    submit_button_label = _("Привязать")
    header_icon = "link"

    def form_valid(self, form):
        account = form.cleaned_data["account"]
        try:
            account_link_by_staff(
                user=self.customer, account=account, relation=form.cleaned_data["relation"], by=self.request.user
            )
        except ValidationError as error:
            return self.refused(form, error)
        messages.success(
            self.request,
            _("Лицевой счёт № %(number)s привязан к кабинету %(email)s.")
            % {"number": account.number, "email": self.customer.email},
        )
        return redirect(inspect_url(self.customer))


class PasswordLinkView(PortalUserActionView):
    """A confirmation, then the letter: a stray click must not send it."""

    form_class = PasswordLinkForm
    template_name = "selfservice/admin/password_link.html"
    page_title = _("Отправить ссылку для смены пароля")
    submit_button_label = _("Отправить ссылку")
    header_icon = "key"

    def form_valid(self, form):
        try:
            password_link_send(user=self.customer, by=self.request.user)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        else:
            messages.success(
                self.request,
                _("Ссылка для смены пароля отправлена на %(email)s.") % {"email": self.customer.email},
            )
        return redirect(inspect_url(self.customer))


class PortalUserViewSet(ReadOnlyViewSet):
    model = User
    name = "selfservice_portal_users"
    url_prefix = "portal-users"
    icon = "user"
    menu_label = _("Пользователи портала")
    menu_name = "portal-users"
    menu_order = 7  # after the six back-office items of «Клиенты»
    menu_hook = CLIENTS_MENU_HOOK
    index_view_class = PortalUserIndexView
    inspect_view_class = PortalUserInspectView
    add_item_label = _("Зарегистрировать клиента")
    ordering = ["-date_joined"]
    list_display = [
        "email",
        Column("full_name", label=_("ФИО"), accessor="get_full_name", sort_key="last_name"),
        "phone",
        StatusTagColumn(
            "state", label=_("Состояние"), accessor=cabinet_state, primary=lambda user: user.email_confirmed
        ),
        Column(
            "date_joined",
            label=_("Дата регистрации"),
            accessor=lambda user: day(user.date_joined),
            sort_key="date_joined",
        ),
        NumberColumn("accounts_count", label=_("Лицевых счетов"), sort_key="accounts_count"),
    ]
    list_annotations = {"accounts_count": Count("account_links")}
    filterset_class = PortalUserFilterSet
    search_fields = ["email", "last_name", "first_name", "middle_name", "phone", "login"]
    inspect_view_fields = [
        "email",
        "login",
        "last_name",
        "first_name",
        "middle_name",
        "phone",
        "organisation",
        "position",
        "address",
        "state",
        "email_confirmed_at",
        "phone_confirmed_at",
        "date_joined",
        "last_login",
        "registered_by",
        "advertising_consent",
    ]

    @cached_property
    def menu_item_class(self):
        class PortalUsersMenuItem(MenuItem):
            def is_shown(self, request):
                return assist_policy.user_has_permission(request.user, "view")

        return PortalUsersMenuItem

    def get_index_view_kwargs(self, **kwargs):
        # The header button «Зарегистрировать клиента» leads to the register screen.
        return super().get_index_view_kwargs(
            add_url_name=self.get_url_name("register"), page_title=self.menu_label, **kwargs
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("register/", CustomerRegisterView.as_view(), name="register"),
            path("link-account/<int:pk>/", AccountLinkView.as_view(), name="link_account"),
            path("password-link/<int:pk>/", PasswordLinkView.as_view(), name="password_link"),
        ]

    def register_admin_url_finder(self):
        """Links to users elsewhere in the admin stay Wagtail's (staff accounts live there)."""

    def get_permissions_to_register(self):
        return Permission.objects.filter(content_type__app_label="selfservice", codename=ASSIST_CODENAME)


portal_user_viewset = PortalUserViewSet()


@hooks.register("register_admin_viewset")
def register_portal_user_viewset():
    return portal_user_viewset


class ContractRoleFilterSet(WagtailFilterSet):
    class Meta:
        model = ContractRole
        fields = ["role"]


class ContractRoleIndexView(BackofficeIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("energy_objects")


class ContractRoleViewSet(ReadOnlyViewSet):
    """«Клиенты» → «Роли по договорам»: who has which contract in the portal and in which role (F-B3).

    Read-only: customers bind contracts and the Администратор gives roles in the portal; staff grant the
    Администратор itself through «Запросы роли Администратор».
    """

    model = ContractRole
    name = "selfservice_contract_roles"
    url_prefix = "contract-roles"
    icon = "group"
    menu_label = _("Роли по договорам")
    menu_name = "contract-roles"
    menu_order = 10
    menu_hook = CLIENTS_MENU_HOOK
    ordering = ["contract__number", "created_at"]
    list_display = [
        Column("contract", label=_("Договор"), accessor="contract.number", sort_key="contract__number"),
        Column("customer", label=_("Организация"), accessor=lambda role: role.contract.customer),
        Column("user", label=_("Пользователь"), accessor="user.email", sort_key="user__email"),
        Column("role", label=_("Роль"), accessor="get_role_display", sort_key="role"),
        Column("objects", label=_("Энергообъекты"), accessor=energy_objects_text),
        Column("created_at", label=_("С"), accessor=lambda role: day(role.created_at), sort_key="created_at"),
    ]
    list_select_related = ("contract__customer", "user")
    index_view_class = ContractRoleIndexView
    filterset_class = ContractRoleFilterSet
    search_fields = ["contract__number", "user__email", "contract__customer__full_name", "contract__customer__inn"]
    inspect_view_fields = ["contract", "user", "role", "energy_objects", "granted_by", "created_at"]


contract_role_viewset = ContractRoleViewSet()


@hooks.register("register_admin_viewset")
def register_contract_role_viewset():
    return contract_role_viewset
