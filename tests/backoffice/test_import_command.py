"""`manage.py import_data RESOURCE FILE [--dry-run]`: a summary, every bad row, a non-zero exit on any error."""

import io

import pytest
from django.core.management import ManagementUtility, call_command

from backoffice.models import ImportJob, Reading
from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def remove_uploaded_files(db):
    """Uploads are kept in the private storage; a test's files go with its jobs."""
    yield
    for name in set(ImportJob.objects.values_list("file", flat=True)):
        if name:
            ImportJob.file.field.storage.delete(name)


GOOD = "Номер ПУ;Зона;Дата;Показание\n874100;Круглосуточная;25.01.2020;10\n874100;Круглосуточная;25.02.2020;20\n"
BAD = "Номер ПУ;Зона;Дата;Показание\n874100;Круглосуточная;25.01.2020;x\n874100;Полночь;25.02.2020;20\n"


@pytest.fixture
def meter():
    return f.MeterFactory(serial="874100")


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "readings.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


@pytest.fixture
def bad_file(tmp_path):
    path = tmp_path / "readings.csv"
    path.write_text(BAD, encoding="utf-8")
    return path


@pytest.fixture
def manage(monkeypatch):
    """Run a command as `manage.py` does and return its exit code.

    `manage.py` closes the database connections when it ends; inside a test that would close the
    test's own transaction, so here they stay open.
    """
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(*args) -> int:
        try:
            ManagementUtility(["manage.py", *args]).execute()
        except SystemExit as exit:
            return exit.code
        return 0

    return run


def test_a_good_file_is_stored_and_summarised(meter, good_file, manage):
    out = io.StringIO()
    call_command("import_data", "readings", str(good_file), stdout=out)
    assert "Загружено строк: 2: добавлено 2, обновлено 0, без изменений 0." in out.getvalue()
    assert Reading.objects.count() == 2
    assert manage("import_data", "readings", str(good_file)) == 0


def test_dry_run_stores_nothing(meter, good_file):
    out = io.StringIO()
    call_command("import_data", "readings", str(good_file), "--dry-run", stdout=out)
    assert "Проверено строк: 2, ошибок нет. При загрузке будет добавлено 2" in out.getvalue()
    assert not Reading.objects.exists()
    assert ImportJob.objects.get().status == ImportJob.Status.PREVIEWED


def test_every_bad_row_is_printed_and_the_exit_code_is_not_zero(meter, bad_file, capsys, manage):
    assert manage("import_data", "readings", str(bad_file)) == 1
    errors = capsys.readouterr().err
    assert "строка 2, столбец «Показание», значение «x»: Не число: ожидается, например, 1234,56." in errors
    assert "строка 3, столбец «Зона», значение «Полночь»: Неизвестное значение." in errors
    assert "Ошибки в файле: ошибок 2, ничего не сохранено." in errors
    assert not Reading.objects.exists()


def test_a_dry_run_of_a_bad_file_fails_too(meter, bad_file, manage):
    assert manage("import_data", "readings", str(bad_file), "--dry-run") == 1


def test_a_missing_file(tmp_path, manage):
    assert manage("import_data", "readings", str(tmp_path / "nope.csv")) == 1
