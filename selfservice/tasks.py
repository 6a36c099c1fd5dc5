from celery import shared_task

from .services.codes import one_time_codes_purge
from .services.contracts import contract_bindings_purge
from .services.registration import unconfirmed_users_purge
from .services.sessions import user_sessions_purge


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_expired_one_time_codes() -> int:
    """Beat job (hourly): remove one-time codes nobody can use any more."""
    return one_time_codes_purge()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_unconfirmed_users() -> int:
    """Beat job (hourly): remove registrations whose e-mail stayed unconfirmed for 60 hours (seed 004)."""
    return unconfirmed_users_purge()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_stale_sessions() -> int:
    """Beat job (nightly): expired sessions leave the store and the «Сессии» list."""
    return user_sessions_purge()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def purge_contract_bindings() -> int:
    """Beat job (hourly): «Добавить договор» whose link was not followed within 24 hours is removed (F-B2)."""
    return contract_bindings_purge()
