"""Appeals in a browser (F-G2…F-G7): a customer files a technical-support question with a file after saving a draft
on step 2 and resuming it; a clerk registers and answers it in the Wagtail admin; the customer replies, the clerk
resolves it, the customer rates and closes it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory
from tests.workflows.appeals_kit import PNG, clerk, file_appeal, topics
from workflows.models import Appeal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, email: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("E-mail или логин").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("link", name="Энергокабинет")).to_be_visible()


def open_appeals(page) -> None:
    """«Ещё» → «Обращения», as the menu of seed 001 рис. 25 has it."""
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Меню").click()
    nav = page.get_by_role("navigation", name="Разделы личного кабинета")
    nav.get_by_text("Ещё").click()
    nav.get_by_role("link", name=re.compile("^Обращения")).click()
    expect(page.get_by_role("heading", name="Обращения", exact=True)).to_be_visible()


def test_a_customer_saves_a_draft_on_step_2_resumes_it_and_files_it_with_a_file(page, tmp_path):
    topics()
    UserFactory(email="anna@example.test", first_name="Анна", last_name="Петрова")
    sign_in(page, "anna@example.test")
    open_appeals(page)

    page.get_by_role("link", name="Создать обращение").first.click()
    expect(page.get_by_text("Шаг 1 из 2")).to_be_visible()
    page.get_by_label(re.compile(r"^Тема( \*)?$")).select_option(label="Техническая поддержка")
    page.get_by_label(re.compile(r"^Раздел( \*)?$")).select_option(label="Не приходят письма и уведомления")
    screenshot(page, "appeal-step-1")
    page.get_by_role("button", name="Дальше").click()

    expect(page.get_by_text("Шаг 2 из 2")).to_be_visible()
    page.get_by_label("Текст обращения").fill("Черновик, который не сохранится: шаг не пройден")
    page.get_by_role("link", name="Закрыть обращение").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Сохранить черновик обращения?")).to_be_visible()
    expect(dialog.get_by_text("Вы сможете продолжить заполнение в течение месяца")).to_be_visible()
    screenshot(page, "appeal-save-draft")
    dialog.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_text(re.compile("Черновик сохранён. Продолжить заполнение можно до"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Черновики"))).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(re.compile("Дата окончания действия черновика: \\d\\d\\.\\d\\d\\.\\d{4}"))).to_be_visible()
    screenshot(page, "appeal-drafts")

    page.get_by_role("link", name=re.compile("ЛКК")).click()  # resume the draft
    expect(page.get_by_text("Шаг 1 из 2")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Раздел( \*)?$"))).to_have_value(str(Appeal.objects.get().section_id))
    page.get_by_role("button", name="Дальше").click()
    text = page.get_by_label("Текст обращения")
    expect(text).to_have_value("")  # only steps passed with «Дальше» are kept
    text.fill("Не приходят письма с уведомлениями о новых счетах. Снимок настроек прилагаю.")
    expect(page.get_by_text(re.compile("Осталось символов: \\d+"))).to_be_visible()
    image = tmp_path / "настройки.png"
    image.write_bytes(PNG)
    page.get_by_label("Загрузить файлы").set_input_files(str(image))
    screenshot(page, "appeal-step-2")
    page.get_by_role("button", name="Отправить").click()

    expect(page.get_by_text("Обращение успешно отправлено")).to_be_visible()
    expect(page.get_by_role("heading", name="[Новая] ЛКК")).to_be_visible()
    appeal = Appeal.objects.get()
    expect(page.get_by_role("main").get_by_text(appeal.number)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("настройки.png")).first).to_be_visible()
    screenshot(page, "appeal-card-new")


def admin_page(browser, live_server, email: str, *, like):
    """The clerk's own browser, as wide as the customer's (the Wagtail admin works on a phone too)."""
    context = browser.new_context(viewport=like.viewport_size, locale="ru-RU")
    staff = context.new_page()
    staff.set_default_timeout(10_000)
    staff.base_url = live_server.url
    staff.viewport_name = like.viewport_name
    staff.goto(live_server.url + "/admin/login/")
    staff.locator("#id_username").fill(email)
    staff.locator("#id_password").fill(PASSWORD)
    staff.get_by_role("button", name="Войти").click()
    expect(staff).to_have_url(re.compile(r"/admin/$"))  # signed in: the dashboard
    return context, staff


def test_a_clerk_registers_and_answers_the_customer_replies_and_closes(page, browser, live_server):
    topics()
    customer = UserFactory(email="oleg@example.test", first_name="Олег", last_name="Смирнов")
    appeal = file_appeal(customer, text="Не вижу счёт-фактуру за сентябрь в разделе «Документы».")
    clerk("clerk@energosbyt.example", last_name="Кузнецова", first_name="Мария")
    context, staff = admin_page(browser, live_server, "clerk@energosbyt.example", like=page)

    staff.goto(live_server.url + "/admin/appeals/")
    expect(staff.get_by_role("link", name=appeal.number)).to_be_visible()
    screenshot(staff, "appeal-desk-queue")
    staff.get_by_role("link", name=appeal.number).click()
    expect(staff.get_by_role("heading", name=re.compile(r"^\[Новая\] ЛКК · №"))).to_be_visible()
    staff.get_by_role("button", name="Зарегистрировать").click()
    expect(staff.get_by_text("Обращение зарегистрировано, клиент видит «Принято».")).to_be_visible()
    staff.get_by_label("Сообщение клиенту").first.fill("Счёт-фактура выгружена повторно. Проверьте раздел, пожалуйста.")
    staff.get_by_label("Ждать ответа клиента").check()
    staff.get_by_role("button", name="Отправить", exact=True).click()
    expect(staff.get_by_text("Сообщение отправлено клиенту.")).to_be_visible()
    screenshot(staff, "appeal-desk-card")

    sign_in(page, "oleg@example.test")
    expect(page.get_by_text("непрочитанных: 1").first).to_be_attached()  # the counter beside «Обращения»
    open_appeals(page)
    expect(page.get_by_text("Есть непрочитанное сообщение.")).to_be_attached()
    screenshot(page, "appeal-list-unread")
    page.get_by_role("link", name=re.compile("ЛКК")).click()
    expect(page.get_by_role("heading", name="[Принято] ЛКК")).to_be_visible()
    expect(page.get_by_text("Счёт-фактура выгружена повторно.")).to_be_visible()
    page.get_by_label("Введите текст").fill("Появилась, спасибо!")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text("Сообщение отправлено.")).to_be_visible()
    expect(page.get_by_text("Появилась, спасибо!")).to_be_visible()

    staff.reload()
    expect(staff.get_by_text("Появилась, спасибо!")).to_be_visible()
    staff.get_by_role("button", name="Взять в работу").click()
    staff.get_by_label("Комментарий для клиента").nth(0).fill("Рады помочь! Обращение выполнено.")
    staff.get_by_role("button", name="Выполнено").click()
    expect(staff.get_by_text("Обращение выполнено, клиенту отправлено уведомление.")).to_be_visible()
    context.close()

    page.reload()
    expect(page.get_by_role("heading", name="[Выполнена] ЛКК")).to_be_visible()
    page.get_by_role("radio", name="5", exact=True).check()
    page.get_by_role("button", name="Оценить").click()
    expect(page.get_by_text("Спасибо за оценку!")).to_be_visible()
    screenshot(page, "appeal-resolved")
    page.get_by_role("button", name="Закрыть обращение").click()
    expect(page.get_by_text("Обращение закрыто. Спасибо!")).to_be_visible()
    expect(page.get_by_role("heading", name="[Закрыто] ЛКК")).to_be_visible()
    expect(page.get_by_text("По данному обращению переписка недоступна")).to_be_visible()
    expect(page.get_by_label("Введите текст")).to_have_count(0)
    screenshot(page, "appeal-closed")
    appeal = Appeal.objects.get()
    assert appeal.state == Appeal.State.CLOSED and appeal.rating == 5
