"""Settings for nexlacreds, read from the environment.

Every variable is listed in the README's "Configuration" table. With DJANGO_DEBUG off (the default),
missing or malformed secrets stop start-up; with it on, they are generated once into .local/.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from nexlacreds import env

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"

DEBUG = env.read_bool("DJANGO_DEBUG", default=False)

_secret_key = env.read_secret("DJANGO_SECRET_KEY")
_field_keys = env.read_secret("FIELD_ENCRYPTION_KEY")
_fingerprint_key = env.read_secret("CREDENTIAL_FINGERPRINT_KEY")
if DEBUG and not (_secret_key and _field_keys and _fingerprint_key):
    _development = env.load_development_secrets(LOCAL_DIR / "secrets.json")
    _secret_key = _secret_key or _development["DJANGO_SECRET_KEY"]
    _field_keys = _field_keys or _development["FIELD_ENCRYPTION_KEY"]
    _fingerprint_key = _fingerprint_key or _development["CREDENTIAL_FINGERPRINT_KEY"]

for _name, _value, _hint in (
    ("DJANGO_SECRET_KEY", _secret_key, env.SECRET_KEY_HINT),
    ("FIELD_ENCRYPTION_KEY", _field_keys, env.FERNET_KEY_HINT),
    ("CREDENTIAL_FINGERPRINT_KEY", _fingerprint_key, env.FINGERPRINT_KEY_HINT),
):
    if not _value:
        raise ImproperlyConfigured(f"{_name} is not set and DJANGO_DEBUG is off. {_hint}")

SECRET_KEY = env.validate_django_secret_key(_secret_key)
# django-encrypted-model-fields accepts a list: the first key encrypts, every key decrypts.
FIELD_ENCRYPTION_KEY = env.parse_fernet_keys(_field_keys)
CREDENTIAL_FINGERPRINT_KEY = env.validate_fingerprint_key(_fingerprint_key)

ALLOWED_HOSTS = env.read_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set and DJANGO_DEBUG is off. "
        "Set it to the comma-separated host names the site is served under, e.g. creds.example.com."
    )
CSRF_TRUSTED_ORIGINS = env.read_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "nexlacreds.views.csrf_failure"
DEFAULT_EXCEPTION_REPORTER_FILTER = "nexlacreds.reporting.SecretScrubbingFilter"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "credentials",
    "flows",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nexlacreds.middleware.no_store_for_signed_in_users",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nexlacreds.urls"
WSGI_APPLICATION = "nexlacreds.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{LOCAL_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LOCAL_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait up to 20 s for another writer instead of failing at once with "database is locked". Taking
    # the write lock when a transaction starts makes concurrent writers queue for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses sign-in attempts once an account and address pair has failed too often.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.read_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.read_int("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "nexlacreds.views.sign_in_locked"
AXES_SENSITIVE_PARAMETERS = ["password"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Serve files straight from STATICFILES_DIRS too, so development and tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# Security headers. HTTPS-only settings follow DJANGO_HTTPS, on by default outside development.
HTTPS = env.read_bool("DJANGO_HTTPS", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env.read_bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env.read_int("DJANGO_SESSION_AGE", default=8 * 60 * 60, minimum=60)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}

# The OpenRouter client reads these; tests point the base URL at a server on 127.0.0.1.
OPENROUTER_BASE_URL = env.read_secret("OPENROUTER_BASE_URL") or "https://openrouter.ai/api/v1"
OPENROUTER_CONNECT_TIMEOUT = env.read_float("OPENROUTER_CONNECT_TIMEOUT", 3.05)
OPENROUTER_READ_TIMEOUT = env.read_float("OPENROUTER_READ_TIMEOUT", 10.0)
OPENROUTER_MAX_RETRIES = env.read_int("OPENROUTER_MAX_RETRIES", 2)
OPENROUTER_RETRY_AFTER_CAP = env.read_float("OPENROUTER_RETRY_AFTER_CAP", 5.0)
OPENROUTER_APP_URL = env.read_secret("OPENROUTER_APP_URL") or ""
OPENROUTER_APP_TITLE = env.read_secret("OPENROUTER_APP_TITLE") or "nexlacreds"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
