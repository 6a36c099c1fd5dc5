"""The background job really travels through the Redis broker to a worker."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.celery import app
from selfservice.models import OneTimeCode
from selfservice.services.codes import one_time_code_issue
from selfservice.tasks import purge_expired_one_time_codes
from tests.factories import UserFactory


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_purge_job_is_delivered_by_redis_to_a_worker(redis_worker):
    user = UserFactory()
    one_time_code_issue(user=user, purpose=OneTimeCode.Purpose.EMAIL_CONFIRMATION, sent_to=user.email)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(days=2))

    purge_expired_one_time_codes.delay()

    # No result backend (the settings say why): the job's effect is its answer.
    for _attempt in range(300):
        if not OneTimeCode.objects.exists():
            break
        time.sleep(0.1)
    assert app.connection().as_uri().startswith("redis://")
    assert not OneTimeCode.objects.exists()
