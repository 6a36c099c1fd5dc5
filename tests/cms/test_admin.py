import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_asks_to_sign_in_in_russian(client):
    response = client.get("/admin/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert 'lang="ru"' in page
    assert "Войти" in page


def test_staff_member_reaches_the_russian_dashboard(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/").content.decode()
    assert 'lang="ru"' in page
    assert "Панель управления" in page or "Страницы" in page


def test_customer_is_kept_out_of_the_admin(signed_in_client):
    response = signed_in_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
