"""The exchange screens in the Wagtail admin: upload → dry-run preview → confirm, errors, progress, export."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.models import ImportJob, Reading
from tests.backoffice import factories as f
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def remove_uploaded_files(db):
    """Uploads are kept in the private storage; a test's files go with its jobs."""
    yield
    for name in set(ImportJob.objects.values_list("file", flat=True)):
        if name:
            ImportJob.file.field.storage.delete(name)


INDEX = "/admin/exchange/"
GOOD = "Номер ПУ;Зона;Дата;Показание\n874100;Круглосуточная;25.01.2020;1234,5\n874100;Круглосуточная;25.02.2020;1300\n"
BAD = "Номер ПУ;Зона;Дата;Показание\n874100;Круглосуточная;31.02.2020;1\n999;Круглосуточная;25.02.2020;2\n"


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def meter():
    return f.MeterFactory(serial="874100")


def upload(client, text: str, *, dry_run: bool, name="readings.csv", resource="readings"):
    data = {"resource": resource, "file": SimpleUploadedFile(name, text.encode())}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(INDEX, data)


def test_the_screen_offers_upload_and_export_of_every_kind_of_data(staff):
    page = staff.get(INDEX).content.decode()
    assert "Загрузка и выгрузка данных" in page
    assert "Только проверить" in page
    assert 'href="/admin/exchange/export/readings.xlsx"' in page
    assert 'href="/admin/exchange/export/payments.csv"' in page


def test_upload_preview_then_confirm(staff, meter):
    response = upload(staff, GOOD, dry_run=True)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/exchange/jobs/{job.pk}/"
    assert (job.status, job.dry_run, job.created_rows) == (ImportJob.Status.PREVIEWED, True, 2)
    assert not Reading.objects.exists()

    page = staff.get(response["Location"]).content.decode()
    assert "Проверка прошла без ошибок. При загрузке будет добавлено строк: 2, обновлено: 0" in page
    assert "Первые строки файла" in page and "1234,5" in page
    assert f'action="/admin/exchange/jobs/{job.pk}/confirm/"' in page

    response = staff.post(f"/admin/exchange/jobs/{job.pk}/confirm/")
    loaded = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/admin/exchange/jobs/{loaded.pk}/"
    assert (loaded.status, loaded.dry_run, loaded.created_rows) == (ImportJob.Status.DONE, False, 2)
    assert Reading.objects.count() == 2
    assert (
        "Данные загружены: добавлено строк 2, обновлено 0, без изменений 0."
        in staff.get(response["Location"]).content.decode()
    )


def test_a_failed_check_cannot_be_confirmed(staff, meter):
    upload(staff, BAD, dry_run=True)
    job = ImportJob.objects.get()
    response = staff.post(f"/admin/exchange/jobs/{job.pk}/confirm/", follow=True)
    assert "Загрузить можно только файл, проверка которого прошла без ошибок." in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_bad_file_shows_every_error_with_row_and_column(staff, meter):
    response = upload(staff, BAD, dry_run=False, name="bad.csv")
    page = staff.get(response["Location"]).content.decode()
    assert "Ошибок в файле: 2, строк с ошибками: 2. Ничего не сохранено" in page
    assert "<td>2</td>" in page and "<td>Дата</td>" in page and "Такой даты нет в календаре." in page
    assert "<td>3</td>" in page and "<td>Номер ПУ</td>" in page and "Прибор учёта № 999 не найден." in page
    assert not Reading.objects.exists()

    job = ImportJob.objects.get()
    report = staff.get(f"/admin/exchange/jobs/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert report.splitlines()[0] == "Строка;Столбец;Значение;Ошибка"
    assert "2;Дата;31.02.2020;Такой даты нет в календаре." in report


def test_a_file_of_the_wrong_type_is_refused_by_the_form(staff, meter):
    response = upload(staff, GOOD, dry_run=True, name="readings.xlsx")
    assert response.status_code == 200
    assert "Файл назван .xlsx, но это не книга Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_progress_endpoint(staff, meter):
    upload(staff, GOOD, dry_run=False)
    job = ImportJob.objects.get()
    status = staff.get(f"/admin/exchange/jobs/{job.pk}/status/").json()
    assert status == {
        "status": "done",
        "status_label": "Загружен",
        "percent": 100,
        "processed": 2,
        "total": 2,
        "created": 2,
        "updated": 0,
        "errors": 0,
        "done": True,
        "message": "Загружен",
        "url": f"/admin/exchange/jobs/{job.pk}/",
    }


def test_a_running_job_shows_a_progress_bar_fed_by_the_endpoint(staff):
    job = ImportJob.objects.create(
        resource="readings", original_name="big.csv", status=ImportJob.Status.RUNNING, total_rows=200, processed_rows=50
    )
    page = staff.get(f"/admin/exchange/jobs/{job.pk}/").content.decode()
    assert f'data-exchange-progress="/admin/exchange/jobs/{job.pk}/status/"' in page
    assert '<progress id="exchange-progress-bar" max="100" value="25">' in page
    status = staff.get(f"/admin/exchange/jobs/{job.pk}/status/").json()
    assert (status["percent"], status["done"], status["message"]) == (25, False, "Обработано 50 из 200 строк.")


def test_export_and_template_downloads(staff, meter):
    f.ReadingFactory(meter=meter)
    response = staff.get("/admin/exchange/export/readings.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="readings-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1] == "874100;Круглосуточная;А+;25.01.2020;1000;Заявленные;передано через ЛКК;Принято"
    response = staff.get("/admin/exchange/template/readings.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert staff.get("/admin/exchange/export/nothing.csv").status_code == 404


def test_customers_and_staff_without_admin_access_are_kept_out(client):
    client.force_login(UserFactory())
    response = client.get(INDEX)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_someone_elses_job_is_not_found(client):
    job = ImportJob.objects.create(resource="readings", original_name="x.csv", created_by=UserFactory())
    staff_member = UserFactory(is_staff=True)
    staff_member.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(staff_member)
    assert client.get(f"/admin/exchange/jobs/{job.pk}/").status_code == 404
