"""The test suite: whatever DATABASE_URL/REDIS_URL say, otherwise SQLite and inline tasks."""

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Tests run tasks inline; tests/test_celery_redis.py sends one through the real broker.
CELERY_TASK_ALWAYS_EAGER = True
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "energo-test"  # noqa: F405
# The test servers find static files through the finders; nothing is collected.
STATIC_ROOT = None

# The replica's connection: a second connection to the test database, as a streaming replica is a second server
# with the same rows. Tests tell which connection answered (tests/cms/test_replica.py); the router leaves it
# alone unless a test turns REPLICA_READS on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False
REPLICA_MIGRATE = True
