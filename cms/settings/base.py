"""Settings shared by every environment.

Everything that differs between a laptop, CI and production is read from the
environment with django-environ. With no environment at all the site runs on
SQLite under var/, Celery executes tasks inline, e-mail goes to the console and
the cache lives in process memory (F-J2).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional local overrides, never committed

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # Project apps first so their templates override Wagtail's.
    "selfservice",
    "backoffice",
    "workflows",
    "faq",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "guardian",
    "django_fsm",
    "import_export",
    "phonenumber_field",
    "axes",
    "captcha",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_guid",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first, so every later log line has the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.db_router.ReplicaReadsMiddleware",  # safe requests read the system of record from the replica, if any
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backoffice.middleware.AuditOriginMiddleware",  # where a change came from, for the audit trail
    "selfservice.middleware.IdentityGateMiddleware",  # the e-mail banner and the «Давайте познакомимся» gate
    "selfservice.signin_landing.SigninLandingMiddleware",  # after sign-in: «Новости» when there is unread news
    "django_ratelimit.middleware.RatelimitMiddleware",  # a blocked @ratelimit view answers with RATELIMIT_VIEW (429)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "selfservice.signals.SessionActivityMiddleware",  # «Сессии»: last activity, at most every few minutes
    # Last, as django-axes asks: it answers a locked-out sign-in with our own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "selfservice.context_processors.portal",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL read replica (cms/db_router.py): safe requests read the system of record from it.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
DATABASE_ROUTERS = ["cms.db_router.ReplicaRouter"]
REPLICA_READS = "replica" in DATABASES
REPLICA_MIGRATE = False
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)  # a browser that wrote reads the primary so long

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # The portal keeps working when Redis is down: a cache miss, not a 500.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
            "KEY_PREFIX": "energo",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Identity and access ----------------------------------------------------

AUTH_USER_MODEL = "selfservice.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before any password check
    "selfservice.backends.EmailOrLoginBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# The e-mail is unique except among cabinets migrated from the older system (selfservice.User), and
# EmailOrLoginBackend handles an e-mail shared by several of them.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# Nothing is ever granted to anonymous visitors, so guardian needs no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

LOGIN_URL = "selfservice:login"
LOGIN_REDIRECT_URL = "selfservice:home"
LOGOUT_REDIRECT_URL = "selfservice:login"

# «Требования к паролю» (seed 001 §13.1.3) covers length and all-digit passwords; Django's two remaining
# checks refuse a password like the e-mail or a well-known one, in Russian through Django's own translation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "selfservice.password_validation.ChecklistPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sign-in abuse (F-A4): an image captcha after SIGNIN_CAPTCHA_AFTER failures for a login or an address,
# a lockout by django-axes after AXES_FAILURE_LIMIT, lifted after AXES_COOLOFF_TIME.
SIGNIN_CAPTCHA_AFTER = 3
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
# A success clears the failures of that login only (selfservice.services.signin.signin_complete): axes' own reset
# would also wipe every failure from the IP, letting an attacker reset a victim's count with their own account.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "selfservice.services.signin.axes_username"  # «Anna@X » and «anna@x» are one login
# The visitor's address, for sign-in lockouts, rate limits, signatures and the audit trail (django-ipware through
# axes). Behind PROXY_COUNT proxies (nginx: X-Forwarded-For $proxy_add_x_forwarded_for) it is the address the
# proxies appended to X-Forwarded-For; ipware counts only the proxies listed there, and the last one is REMOTE_ADDR.
# Without a proxy the header is the visitor's to forge, so only REMOTE_ADDR counts. (Before, without ipware
# installed, every visitor behind nginx had the proxy's address: the load test's customers shared one limit.)
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = max(PROXY_COUNT - 1, 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
AXES_LOCKOUT_CALLABLE = "selfservice.views.signin.lockout_response"  # redirects to «login_locked»
AXES_VERBOSE = False
CAPTCHA_LENGTH = 5
CAPTCHA_FONT_SIZE = 32
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
# Code sending and sign-in are rate-limited per address and per IP (django-ratelimit, in the cache).
RATELIMIT_VIEW = "selfservice.views.ratelimited"
RATELIMIT_FAIL_OPEN = True  # with the cache (Redis) down, sign-in keeps working rather than refusing everyone
# An unconfirmed registration is removed after this long (F-A1, seed 004).
UNCONFIRMED_EMAIL_TTL = timedelta(hours=60)
# «Добавить договор»: the link sent to the contract's e-mail works this long, then the binding goes (F-B2).
CONTRACT_BINDING_TTL = timedelta(hours=24)
# A resend of a code is allowed once a minute («Отправить ещё раз через 0:58»).
ONE_TIME_CODE_RESEND_SECONDS = 60

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14  # «Запомнить меня» keeps the session this long
PHONENUMBER_DEFAULT_REGION = "RU"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# One-time codes (e-mail confirmation, recovery, new devices, signatures).
ONE_TIME_CODE_TTL_MINUTES = env.int("ONE_TIME_CODE_TTL_MINUTES", default=15)
ONE_TIME_CODE_MAX_ATTEMPTS = 5
# Spent and expired codes are kept this long for support questions, then purged.
ONE_TIME_CODE_RETENTION_HOURS = 24

# --- Language, time, formats ------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
# Dates DD.MM.YYYY in both languages (F-J1).
FORMAT_MODULE_PATH = ["cms.formats"]

# --- Static and media -------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Customer uploads never live under the web root; permission-checked views serve them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# Behind nginx (deploy/nginx.conf): the internal location private files are sent from after a permission check.
PRIVATE_MEDIA_ACCEL_REDIRECT = env("PRIVATE_MEDIA_ACCEL_REDIRECT", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail -----------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Энергокабинет <noreply@energokabinet.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# SMS: console:// prints, file:///dir appends to dir/sms.log, http(s)://… posts to a gateway (backoffice/sms.py).
SMS_URL = env("SMS_URL", default="console://")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
SITE_NAME = "Энергокабинет"

# --- Background work --------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: the services keep every outcome in the database, and nothing reads a task's result. With one,
# each `.delay()` also subscribed to the result in Redis, retrying for 19 s while Redis was down (the load test's
# requests that queued a task stalled 6–19 s).
CELERY_RESULT_BACKEND = None
# Without a broker tasks run inline, so the site works on one machine (F-J2).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task a killed worker held goes back to the queue once Redis's visibility timeout passes (kombu's default is an
# hour: the load test's killed PDF renders came back only then). 30 minutes is above the longest task (the billing
# run of 100 000 accounts takes about a minute) and the longest retry countdown, so nothing runs twice while alive.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 30 * 60,
    # A web request that queues a task while Redis is down gives up at once (0.05 s instead of 0.6 s, measured
    # against a closed port) and leaves the row to the beat jobs (outbox_flush, acquiring_reconcile); a worker
    # reconnects by its own loop (broker_connection_retry), which these do not limit.
    "max_retries": 1,
    "socket_connect_timeout": 2,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Queues by kind of work (deploy/compose.yaml runs a worker for each): a one-time code never waits behind an
# import, and the PDF worker is recycled every few dozen renders for WeasyPrint's memory. What is not listed
# here runs on «default». Every task is idempotent (acks_late above: a task a dead worker held runs again).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "backoffice.tasks.outbox_*": {"queue": "mail"},
    "workflows.tasks.mailing_*": {"queue": "mail"},
    "backoffice.pdf.tasks.*_render_pdf_task": {"queue": "documents"},
    "cms.tasks.manual_pdf_render_task": {"queue": "documents"},
    "backoffice.exchange.tasks.*": {"queue": "imports"},
    "backoffice.tasks.billing_run_task": {"queue": "billing"},
}
CELERY_BEAT_SCHEDULE = {
    "purge-unconfirmed-users": {
        "task": "selfservice.tasks.purge_unconfirmed_users",
        "schedule": crontab(minute=23),  # hourly: registrations unconfirmed for 60 hours go
    },
    "purge-expired-one-time-codes": {
        "task": "selfservice.tasks.purge_expired_one_time_codes",
        "schedule": crontab(minute=17),  # hourly, off the top of the hour
    },
    "outbox-flush": {
        "task": "backoffice.tasks.outbox_flush_task",
        "schedule": crontab(),  # every minute: what the broker missed is sent a minute late, not never
    },
    "publish-scheduled-pages": {
        "task": "cms.tasks.publish_scheduled_task",
        "schedule": crontab(),  # every minute: editors' «Опубликовать в» and «Снять с публикации в»
    },
    "mailings-dispatch-due": {
        "task": "workflows.tasks.mailings_dispatch_due_task",
        "schedule": crontab(),  # every minute: mailings scheduled for later, and those the broker missed
    },
    "purge-unconfirmed-contract-bindings": {
        "task": "selfservice.tasks.purge_contract_bindings",
        "schedule": crontab(minute=29),  # hourly: «Добавить договор» not confirmed in 24 hours goes
    },
    "purge-stale-sessions": {
        "task": "selfservice.tasks.purge_stale_sessions",
        "schedule": crontab(hour=4, minute=10),  # nightly: expired sessions and their «Сессии» rows
    },
    "acquiring-reconcile": {
        "task": "backoffice.acquiring.tasks.acquiring_reconcile_task",
        "schedule": crontab(minute="*/5"),  # payments «В процессе» for 5 minutes: ask the acquirer (F-E2)
    },
    "purge-old-pdf-cache": {
        "task": "backoffice.pdf.tasks.pdf_cache_purge_task",
        "schedule": crontab(hour=3, minute=40),  # nightly
    },
    "purge-expired-appeal-drafts": {
        "task": "workflows.tasks.appeal_drafts_purge_task",
        "schedule": crontab(minute=41),  # hourly: drafts kept a month, unsaved wizards a day (F-G3)
    },
    "close-resolved-appeals": {
        "task": "workflows.tasks.appeals_close_resolved_task",
        "schedule": crontab(minute=47),  # hourly: «Выполнена» closes itself once it can no longer be reopened
    },
    "reading-reminders": {
        "task": "workflows.tasks.reading_reminders_task",
        "schedule": crontab(hour=9, minute=5),  # daily, in the morning: window opens/closes, МПИ (F-C5)
    },
}

# --- Wagtail ----------------------------------------------------------------

WAGTAIL_SITE_NAME = SITE_NAME
# Acquiring (F-E2): the bank that takes card payments. "sandbox" is the built-in test bank, mounted at
# /sandbox-acquirer/ (backoffice/acquiring/sandbox); its notifications are signed with ACQUIRING_SANDBOX_SECRET,
# or, when that is empty, with a key derived from SECRET_KEY. Production has no bank until one is configured.
ACQUIRING_PROVIDER = env("ACQUIRING_PROVIDER", default="sandbox")
ACQUIRING_SANDBOX_SECRET = env("ACQUIRING_SANDBOX_SECRET", default="")

WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
# FAQ and page search (F-H4). On PostgreSQL the full-text index uses the Russian configuration, so «счета» finds
# «счёт» and «оплатить» finds «оплата»; SQLite (the embedded default) matches words as typed.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        **({"SEARCH_CONFIG": "russian"} if DATABASES["default"]["ENGINE"].endswith("postgresql") else {}),
    }
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no calls to outside services from the admin; initials avatars instead

# Logs: one line per event with the request id (django-guid), which Celery carries into the tasks a request
# queued; LOG_FORMAT=json (the production default) writes each line as a JSON object for a log collector.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",  # the proxy's id when it sends one (deploy/nginx.conf), else a new one
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "IGNORE_URLS": ["healthz", "readyz"],
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId"},
        "task": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(correlation_id)s %(celery_parent_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "correlation_id": "request_id"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "task"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
        # WeasyPrint logs every step of every render at INFO: only its warnings (a missing font, a bad image) matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
