"""`seed_demo`'s site: five news items, ten services, the manual, the agreement — and a second run changes nothing."""

import pytest

from cms.demo import demo_content_create
from cms.models import ManualPage, NewsPage, ServicePage, StandardPage
from faq.demo import demo_faq_create
from faq.models import FaqQuestion
from selfservice.demo import demo_agreement_create

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(NewsPage.objects.live().values_list("title", flat=True).order_by("title")),
        list(ServicePage.objects.live().values_list("title", "price_from").order_by("title")),
        ManualPage.objects.live().count(),
        sorted(StandardPage.objects.live().values_list("slug", flat=True)),
        FaqQuestion.objects.filter(live=True).count(),
    )


def test_the_demo_site_is_believable_and_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_agreement_create()
    counts = demo_content_create()
    demo_faq_create()
    assert counts == {"news": 5, "services": 10, "manuals": 1}
    first = snapshot()
    news, services, manuals, pages, questions = first
    assert len(news) == 5 and len(services) == 10 and manuals == 1
    assert ("Технологическое присоединение", 2150.90) in [(title, float(price)) for title, price in services]
    assert pages == ["agreement", "contacts", "payment-terms"]
    assert questions >= 10
    assert all(service.image_id and service.price_list_id for service in ServicePage.objects.all())
    assert ServicePage.objects.filter(contract_only=True).count() == 1

    demo_content_create()
    demo_faq_create()
    assert snapshot() == first
