"""Content and communication in a browser (F-H1, F-F2, F-H2, F-H5): an editor's news goes through moderation and a
customer sees it bold with «Новое!»; a customer orders a service and finds it in «Заказы»; the company's modal
window after sign-in, the bell, «Уведомления» and «Помощь»."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from backoffice.models import Notification
from backoffice.services.notifications import notification_send
from cms.models import NewsPage
from tests.backoffice.factories import ContractFactory, OrganisationFactory
from tests.content import manual, news, news_index, question, service
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory
from tests.selfservice.cabinet import give_role
from workflows.models import ServiceOrder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, email: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("E-mail или логин").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("link", name="Энергокабинет")).to_be_visible()


def in_new_browser(page):
    """A second person at their own computer: a fresh browser context with the same viewport."""
    context = page.context.browser.new_context(viewport=page.viewport_size, locale="ru-RU")
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.base_url, other.viewport_name = page.base_url, page.viewport_name
    return other


def staff(email: str, group: str):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_an_editors_news_is_published_through_moderation_and_the_customer_sees_it_new(page):
    index = news_index()
    news("Изменение тарифов с 1 июля", days_ago=60)  # old: never «Новое!»
    staff("editor@company.test", "Editors")
    staff("moderator@company.test", "Moderators")
    UserFactory(email="anna@example.test", first_name="Анна", last_name="Петрова")

    sign_in(page, "editor@company.test")
    page.goto(f"{page.base_url}/admin/pages/add/cms/newspage/{index.pk}/")
    page.locator("#id_title").fill("График работы в праздничные дни")
    page.locator("#id_summary").fill("Отделения работают с 9:00 до 15:00.")
    screenshot(page, "admin-news-draft")
    page.locator("footer [data-w-dropdown-target=toggle]").click()
    page.get_by_role("button", name='Отправить в "Moderators approval"').click()
    expect(page.get_by_text("создана и отправлена на модерацию")).to_be_visible()
    item = NewsPage.objects.get(title="График работы в праздничные дни")
    assert not item.live

    moderator = in_new_browser(page)
    sign_in(moderator, "moderator@company.test")
    moderator.goto(f"{moderator.base_url}/admin/pages/{item.pk}/edit/")
    moderator.locator("footer [data-w-dropdown-target=toggle]").click()
    moderator.locator("footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])").click()
    expect(moderator.get_by_text("Страница 'График работы в праздничные дни' обновлена.")).to_be_visible()
    assert NewsPage.objects.get(pk=item.pk).live
    screenshot(moderator, "admin-news-approved")
    moderator.context.close()

    customer = in_new_browser(page)
    sign_in(customer, "anna@example.test")  # unread news: the sign-in lands on «Новости» (seed 000 §2.4)
    expect(customer).to_have_url(re.compile(r"/news/$"))
    fresh = customer.locator(".news-item").filter(has_text="График работы в праздничные дни")
    expect(fresh).to_have_class(re.compile(r"\bis-new\b"))
    expect(fresh.get_by_text("Новое!")).to_be_visible()
    weight = fresh.locator(".news-item__title").evaluate("element => getComputedStyle(element).fontWeight")
    assert int(weight) >= 700
    old = customer.locator(".news-item").filter(has_text="Изменение тарифов с 1 июля")
    expect(old).not_to_have_class(re.compile(r"\bis-new\b"))
    screenshot(customer, "news-new")

    fresh.get_by_role("link").click()
    expect(customer.get_by_role("heading", name="График работы в праздничные дни")).to_be_visible()
    screenshot(customer, "news-article")
    customer.get_by_role("link", name="Все новости").click()
    expect(customer.locator(".news-item.is-new")).to_have_count(0)
    customer.context.close()


def test_a_customer_orders_a_service_and_finds_it_in_orders(page):
    customer = UserFactory(email="oleg@example.test", first_name="Олег", last_name="Смирнов", middle_name="Викторович")
    contract = ContractFactory(
        number="78010000002778", customer=OrganisationFactory(short_name="ООО «Северный хлебозавод»")
    )
    give_role(customer, contract)
    service("Поверка прибора учёта", price="1200.00", slug="poverka")
    service("Технологическое присоединение", price="2150.90", slug="prisoedinenie")

    sign_in(page, "oleg@example.test")
    tour = page.locator("[data-tour]")
    expect(tour).to_be_visible()  # «Быстрый старт» for a new cabinet
    expect(tour.get_by_text("Шаг 1 из 5")).to_be_visible()
    tour.get_by_role("button", name="Далее").click()
    expect(tour.get_by_text("Шаг 2 из 5")).to_be_visible()
    screenshot(page, "tour-step")
    tour.get_by_role("button", name="Закрыть подсказки").click()
    expect(tour).to_be_hidden()

    if page.viewport_name == "phone":
        page.get_by_role("button", name="Меню").click()
    page.get_by_role("navigation", name="Разделы личного кабинета").get_by_role("link", name="Услуги").click()
    expect(page.get_by_role("heading", name="Услуги", exact=True)).to_be_visible()
    expect(page.get_by_text("от 2 150,90 ₽")).to_be_visible()
    screenshot(page, "services-catalog")

    page.get_by_role("link", name=re.compile("Технологическое присоединение")).click()
    expect(page.get_by_role("heading", name="Отправить заявку")).to_be_visible()
    expect(page.get_by_label("ФИО контактного лица")).to_have_value("Смирнов Олег Викторович")
    page.get_by_label("Опишите задачу").fill("Подключить новый цех на Заводской, 7")
    page.get_by_label("Контактный номер телефона").fill("")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_role("alert")).to_contain_text("Контактный номер телефона: Заполните поле")
    expect(page.get_by_label("Опишите задачу")).to_have_value("Подключить новый цех на Заводской, 7")
    assert not ServiceOrder.objects.exists()
    screenshot(page, "service-order-errors")

    page.get_by_label("Договор/ЛС").select_option(label="ООО «Северный хлебозавод» (78010000002778)")
    page.get_by_label("Контактный номер телефона").fill("+7 812 123-12-31")
    page.get_by_role("button", name="Отправить").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Заказ услуги успешно осуществлен.")).to_be_visible()
    order = ServiceOrder.objects.get()
    expect(dialog.get_by_text(order.number)).to_be_visible()
    screenshot(page, "service-order-created")

    dialog.get_by_role("link", name="Перейти в историю заказов").click()
    expect(page.get_by_role("link", name="Заказы")).to_have_attribute("aria-current", "page")
    card = page.locator(".order-card").filter(has_text="Технологическое присоединение")
    expect(card).to_contain_text(order.number)
    expect(card).to_contain_text("78010000002778")
    expect(card).to_contain_text("Новый")
    expect(card).to_contain_text("от 2 150,90 ₽")
    screenshot(page, "orders")

    bell = page.locator("[data-bell]")
    expect(bell.locator(".bell__count")).to_have_text("1")
    bell.locator("summary").click()
    expect(bell.get_by_text(f"Заказ № {order.number} оформлен")).to_be_visible()
    screenshot(page, "bell-popup")
    assert order.price_from == Decimal("2150.90")


def test_the_companys_messages_the_bell_the_list_and_help(page, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    customer = UserFactory(email="maria@example.test", first_name="Мария", last_name="Иванова")
    for title, body in (
        ("Новые реквизиты для оплаты", "С 1 января платежи принимаются на новый расчётный счёт."),
        ("Опрос о качестве обслуживания", "Ответьте на три вопроса — это займёт минуту."),
    ):
        notification_send(
            user=customer,
            kind=Notification.Kind.MESSAGE,
            title=title,
            body=body,
            display=Notification.Display.MODAL,
            confirm_label="Подтвердить",
        )
    notification_send(
        user=customer,
        kind=Notification.Kind.MESSAGE,
        title="Плановые работы 12.12.2026",
        display=Notification.Display.TOP,
    )
    notification_send(
        user=customer,
        kind=Notification.Kind.PAYMENT,
        title="Оплата 1 500,00 ₽ проведена",
        body="Платёж по ЛС 100000001 зачислен. " * 12,
    )
    question("Когда передавать показания?", "<p>С 15-го по 26-е число месяца.</p>", group="Показания")
    question("Как оплатить счёт без комиссии?", "<p>Картой в личном кабинете.</p>", group="Оплата и счета")
    manual()

    sign_in(page, "maria@example.test")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Новые реквизиты для оплаты")).to_be_visible()
    expect(dialog.get_by_text("1 из 2")).to_be_visible()
    screenshot(page, "modal-1-of-2")
    dialog.get_by_role("button", name="Вперед").click()
    expect(dialog.get_by_text("2 из 2")).to_be_visible()
    expect(dialog.get_by_role("heading", name="Опрос о качестве обслуживания")).to_be_visible()
    dialog.get_by_role("button", name="Назад").click()
    dialog.get_by_role("button", name="Подтвердить").click()
    expect(dialog.get_by_role("heading", name="Опрос о качестве обслуживания")).to_be_visible()
    dialog.get_by_role("button", name="Подтвердить").click()
    expect(page.locator("[data-announcements]")).to_have_count(0)
    tour = page.locator("[data-tour]")
    expect(tour).to_be_visible()  # the new cabinet's «Быстрый старт» waits for the company's messages
    tour.get_by_role("button", name="Закрыть подсказки").click()

    bar = page.locator("[data-top-bar]")
    expect(bar).to_contain_text("Плановые работы 12.12.2026")
    screenshot(page, "top-bar")
    bar.get_by_role("button", name="Закрыть").click()
    expect(page.locator("[data-top-bar]")).to_have_count(0)

    page.goto(page.base_url + "/notifications/")
    expect(page.get_by_role("heading", name="Уведомления", exact=True)).to_be_visible()
    first = page.locator(".notice").first
    expect(first).to_contain_text("Оплата 1 500,00 ₽ проведена")  # the only unread one comes first
    first.get_by_text("еще").click()
    expect(first.locator(".notice__body")).to_be_visible()
    expect(first.get_by_text("скрыть")).to_be_visible()
    screenshot(page, "notifications")

    page.goto(page.base_url + "/help/")
    page.get_by_label("Поисковая фраза").fill("передача показаний")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_text("Когда передавать показания?")).to_be_visible()
    expect(page.get_by_text("Как оплатить счёт без комиссии?")).to_have_count(0)
    page.get_by_text("Когда передавать показания?").click()
    expect(page.get_by_text("С 15-го по 26-е число месяца.")).to_be_visible()
    screenshot(page, "help-faq")

    page.goto(page.base_url + "/profile/notifications/")
    expect(page.get_by_role("heading", name="Настройка уведомлений")).to_be_visible()
    screenshot(page, "notification-settings")

    page.goto(page.base_url + "/help/manual/")
    expect(page.get_by_role("heading", name="Инструкция пользователя")).to_be_visible()
    screenshot(page, "manual")
