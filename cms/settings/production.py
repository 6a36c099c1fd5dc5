"""Production: PostgreSQL, Redis, SMTP, HTTPS behind a proxy.

Refuses to start without SECRET_KEY and ALLOWED_HOSTS, and passes
`manage.py check --deploy` without a warning.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, env

DEBUG = False

try:
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
except ImproperlyConfigured as missing:
    raise ImproperlyConfigured(f"Production settings need the environment variable: {missing}") from None
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production settings need ALLOWED_HOSTS (comma-separated host names).")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS])

# HTTPS is terminated by the reverse proxy in front of gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per log line for the collector (deploy/README.md «Логи»), unless LOG_FORMAT says otherwise.
if env("LOG_FORMAT", default="json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"

# Acquiring (F-E2): no bank until one is configured. The built-in test bank accepts test cards, so it runs in
# production only when asked for explicitly (ACQUIRING_PROVIDER=sandbox, with ACQUIRING_SANDBOX_SECRET set).
ACQUIRING_PROVIDER = env("ACQUIRING_PROVIDER", default="")
