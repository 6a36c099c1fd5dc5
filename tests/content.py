"""Builders for the content tests: published Wagtail pages and FAQ questions, as editors leave them."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cms.models import HomePage, ManualPage, NewsIndexPage, NewsPage, ServiceCatalogPage, ServicePage
from faq.models import FaqGroup, FaqQuestion


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def news_index() -> NewsIndexPage:
    return NewsIndexPage.objects.first() or publish(HomePage.objects.get(), NewsIndexPage(title="Новости", slug="news"))


def news(title: str, *, days_ago: int = 1, summary: str = "", body: str = "<p>Текст новости.</p>") -> NewsPage:
    date = timezone.localdate() - datetime.timedelta(days=days_ago)
    return publish(news_index(), NewsPage(title=title, date=date, summary=summary or f"Кратко: {title}", body=body))


def catalog() -> ServiceCatalogPage:
    return ServiceCatalogPage.objects.first() or publish(
        HomePage.objects.get(), ServiceCatalogPage(title="Услуги", slug="services")
    )


def service(title: str = "Технологическое присоединение", *, price="2150.90", **fields) -> ServicePage:
    fields.setdefault("slug", f"service-{ServicePage.objects.count() + 1}")
    return publish(
        catalog(),
        ServicePage(
            title=title,
            price_from=Decimal(price) if price is not None else None,
            summary="Подключение к электрическим сетям.",
            description="<p>Совокупность мероприятий по присоединению.</p>",
            **fields,
        ),
    )


def manual(title: str = "Инструкция пользователя", **fields) -> ManualPage:
    body = fields.pop(
        "body",
        [
            ("heading", "Вход в личный кабинет"),
            ("paragraph", "<p>Введите e-mail и пароль и нажмите «Войти».</p>"),
            ("subheading", "Восстановление пароля"),
            ("note", "Код действует 15 минут."),
            ("heading", "Раздел «Услуги»"),
            ("paragraph", "<p>Откройте карточку услуги и нажмите «Отправить».</p>"),
        ],
    )
    return publish(
        HomePage.objects.get(), ManualPage(title=title, slug="manual", intro="Как работать в кабинете.", body=body)
    )


def question(
    text: str, answer: str = "<p>Ответ.</p>", *, group: str = "Личный кабинет", topics=(), live=True
) -> FaqQuestion:
    group_row, _ = FaqGroup.objects.get_or_create(name=group)
    item = FaqQuestion(group=group_row, question=text, answer=answer, live=False)
    item.save()
    if topics:
        item.topics.set(list(topics))
        item.save()
    revision = item.save_revision()
    if live:
        revision.publish()
    item.refresh_from_db()
    return item
