from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from selfservice.models import OneTimeCode
from selfservice.services.codes import one_time_code_issue, one_time_code_verify, one_time_codes_purge
from selfservice.tasks import purge_expired_one_time_codes

pytestmark = pytest.mark.django_db
PURPOSE = OneTimeCode.Purpose.EMAIL_CONFIRMATION


def issue(user, **kwargs):
    return one_time_code_issue(user=user, purpose=PURPOSE, sent_to=user.email, **kwargs)


def test_the_code_has_five_digits_and_only_its_hash_is_stored(user):
    code = issue(user)
    assert len(code) == 5 and code.isdigit()
    stored = OneTimeCode.objects.get(user=user)
    assert code not in stored.code_hash


def test_the_right_code_confirms_once(user):
    code = issue(user)
    assert one_time_code_verify(user=user, purpose=PURPOSE, code=f" {code} ")
    assert not one_time_code_verify(user=user, purpose=PURPOSE, code=code)


def test_a_code_for_one_purpose_does_not_confirm_another(user):
    code = issue(user)
    assert not one_time_code_verify(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, code=code)


def test_after_too_many_wrong_tries_even_the_right_code_is_refused(user):
    code = issue(user)
    wrong = "00000" if code != "00000" else "11111"
    for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS):
        assert not one_time_code_verify(user=user, purpose=PURPOSE, code=wrong)
    assert not one_time_code_verify(user=user, purpose=PURPOSE, code=code)


def test_an_expired_code_is_refused(user):
    code = issue(user, ttl=timedelta(minutes=1))
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not one_time_code_verify(user=user, purpose=PURPOSE, code=code)


def test_resending_retires_the_previous_code(user):
    first = issue(user)
    second = issue(user)
    if first != second:
        assert not one_time_code_verify(user=user, purpose=PURPOSE, code=first)
    assert one_time_code_verify(user=user, purpose=PURPOSE, code=second)


def test_purge_removes_codes_dead_for_longer_than_the_retention_and_keeps_the_rest(user):
    retention = timedelta(hours=settings.ONE_TIME_CODE_RETENTION_HOURS)
    long_ago = timezone.now() - retention - timedelta(minutes=5)
    issue(user)
    OneTimeCode.objects.update(expires_at=long_ago)  # expired long ago
    spent_code = one_time_code_issue(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, sent_to=user.email)
    one_time_code_verify(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, code=spent_code)
    OneTimeCode.objects.filter(purpose=OneTimeCode.Purpose.PASSWORD_RESET).update(used_at=long_ago)
    recently_expired = one_time_code_issue(user=user, purpose=OneTimeCode.Purpose.NEW_DEVICE, sent_to=user.email)
    assert recently_expired
    OneTimeCode.objects.filter(purpose=OneTimeCode.Purpose.NEW_DEVICE).update(expires_at=timezone.now())
    live = one_time_code_issue(user=user, purpose=OneTimeCode.Purpose.SIGNATURE, sent_to=user.email)
    assert live

    assert one_time_codes_purge() == 2
    assert set(OneTimeCode.objects.values_list("purpose", flat=True)) == {
        OneTimeCode.Purpose.NEW_DEVICE,
        OneTimeCode.Purpose.SIGNATURE,
    }


def test_the_hourly_beat_job_runs_the_purge(user):
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-expired-one-time-codes"]
    assert schedule["task"] == purge_expired_one_time_codes.name
    issue(user)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(days=2))
    assert purge_expired_one_time_codes.apply().get() == 1
    assert not OneTimeCode.objects.exists()


def test_a_code_sent_to_another_address_does_not_prove_this_one(user):
    code = one_time_code_issue(user=user, purpose=PURPOSE, sent_to="new-address@example.test")
    assert not one_time_code_verify(user=user, purpose=PURPOSE, code=code, sent_to=user.email)
    assert one_time_code_verify(user=user, purpose=PURPOSE, code=code, sent_to="new-address@example.test")
