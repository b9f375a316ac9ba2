"""Start-up checks of nexlacreds.settings, each run in a fresh interpreter.

Every test starts Python in a temporary copy of the project, so BASE_DIR, and with it the
development secrets file under .local/, is inside tmp_path and the real checkout stays untouched.
"""

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).parents[1]
PROJECT_DIRS = ["nexlacreds", "credentials", "flows", "templates", "static"]
PROJECT_VARIABLE_PREFIXES = (
    "DJANGO_",
    "FIELD_ENCRYPTION_KEY",
    "CREDENTIAL_FINGERPRINT_KEY",
    "OPENROUTER_",
    "DATABASE_URL",
    "SIGN_IN_",
    "PYTHONPATH",
)

SETUP_CODE = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='nexlacreds.settings'; django.setup()"
PRINT_SETTINGS_CODE = (
    SETUP_CODE
    + "; import json; from django.conf import settings; print(json.dumps({"
    "'BASE_DIR': str(settings.BASE_DIR), "
    "'SECRET_KEY': settings.SECRET_KEY, "
    "'FIELD_ENCRYPTION_KEY': settings.FIELD_ENCRYPTION_KEY, "
    "'CREDENTIAL_FINGERPRINT_KEY': settings.CREDENTIAL_FINGERPRINT_KEY, "
    "'ALLOWED_HOSTS': settings.ALLOWED_HOSTS}))"
)


@pytest.fixture
def project(tmp_path) -> Path:
    copy = tmp_path / "project"
    copy.mkdir()
    for name in PROJECT_DIRS:
        shutil.copytree(REPO_ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO_ROOT / "manage.py", copy / "manage.py")
    return copy


def strong_secrets() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CREDENTIAL_FINGERPRINT_KEY": secrets.token_urlsafe(48),
    }


def production_env(**overrides) -> dict[str, str]:
    variables = {"DJANGO_DEBUG": "false", "DJANGO_ALLOWED_HOSTS": "example.com", **strong_secrets()}
    variables.update(overrides)
    return {name: value for name, value in variables.items() if value is not None}


def clean_environ() -> dict[str, str]:
    """Return os.environ without the project's variables, which tests/settings.py has set in this process."""
    return {name: value for name, value in os.environ.items() if not name.startswith(PROJECT_VARIABLE_PREFIXES)}


def run_python(project: Path, variables: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    environ = clean_environ() | variables
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def start_django(project: Path, variables: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(project, variables, "-c", SETUP_CODE)


def load_settings(project: Path, variables: dict[str, str]) -> dict:
    result = run_python(project, variables, "-c", PRINT_SETTINGS_CODE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_clean_environ_drops_project_variables():
    environ = clean_environ()

    assert "DJANGO_SECRET_KEY" not in environ
    assert "FIELD_ENCRYPTION_KEY" not in environ
    assert "CREDENTIAL_FINGERPRINT_KEY" not in environ
    assert "DJANGO_DEBUG" not in environ
    assert environ.get("PATH") == os.environ.get("PATH")
    assert environ.get("HOME") == os.environ.get("HOME")


def test_settings_load_from_project_copy(project):
    loaded = load_settings(project, production_env())

    assert Path(loaded["BASE_DIR"]) == project
    assert loaded["ALLOWED_HOSTS"] == ["example.com"]


@pytest.mark.parametrize(
    ("variable", "generator"),
    [
        ("DJANGO_SECRET_KEY", "get_random_secret_key"),
        ("FIELD_ENCRYPTION_KEY", "Fernet.generate_key"),
        ("CREDENTIAL_FINGERPRINT_KEY", "secrets.token_urlsafe"),
    ],
)
def test_missing_secret_stops_production_startup(project, variable, generator):
    variables = production_env(**{variable: None})
    del variables["DJANGO_DEBUG"]

    result = start_django(project, variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} is not set" in result.stderr
    assert generator in result.stderr


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEY", "CREDENTIAL_FINGERPRINT_KEY"])
def test_blank_secret_counts_as_missing(project, variable):
    result = start_django(project, production_env(**{variable: "   "}))

    assert result.returncode != 0
    assert f"{variable} is not set" in result.stderr


def test_malformed_fernet_key_not_echoed(project):
    result = start_django(project, production_env(FIELD_ENCRYPTION_KEY="not-a-key"))

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr
    assert "not a valid Fernet key" in result.stderr
    assert "Fernet.generate_key" in result.stderr
    assert "not-a-key" not in result.stderr
    assert "not-a-key" not in result.stdout


def test_malformed_second_key_names_position(project):
    keys = Fernet.generate_key().decode() + ",not-a-key"

    result = start_django(project, production_env(FIELD_ENCRYPTION_KEY=keys))

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY entry 2" in result.stderr
    assert "not-a-key" not in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    [
        "short-secret",
        "a" * 60,
        "django-insecure-" + secrets.token_urlsafe(50),
    ],
    ids=["too-short", "too-few-distinct-characters", "django-insecure-prefix"],
)
def test_weak_secret_key_is_rejected(project, weak_key):
    result = start_django(project, production_env(DJANGO_SECRET_KEY=weak_key))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr
    assert weak_key not in result.stderr


def test_short_fingerprint_key_is_rejected(project):
    result = start_django(project, production_env(CREDENTIAL_FINGERPRINT_KEY="x" * 31))

    assert result.returncode != 0
    assert "CREDENTIAL_FINGERPRINT_KEY is too short" in result.stderr


def test_unknown_debug_word_is_rejected(project):
    result = start_django(project, production_env(DJANGO_DEBUG="maybe"))

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr
    assert "'maybe'" in result.stderr


def test_missing_allowed_hosts_rejected(project):
    result = start_django(project, production_env(DJANGO_ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is not set" in result.stderr


def test_allowed_hosts_are_split_on_commas(project):
    loaded = load_settings(project, production_env(DJANGO_ALLOWED_HOSTS=" a.example.com , b.example.com ,"))

    assert loaded["ALLOWED_HOSTS"] == ["a.example.com", "b.example.com"]


def test_several_fernet_keys_keep_their_order(project):
    first = Fernet.generate_key().decode()
    second = Fernet.generate_key().decode()
    third = Fernet.generate_key().decode()

    loaded = load_settings(project, production_env(FIELD_ENCRYPTION_KEY=f"{first}, {second} ,{third}"))

    assert loaded["FIELD_ENCRYPTION_KEY"] == [first, second, third]
    assert loaded["FIELD_ENCRYPTION_KEY"][0] == first


def test_secret_can_be_read_from_file(project, tmp_path):
    secret_file = tmp_path / "secret_key.txt"
    secret_key = secrets.token_urlsafe(50)
    secret_file.write_text(secret_key + "\n", encoding="utf-8")
    variables = production_env(DJANGO_SECRET_KEY=None, DJANGO_SECRET_KEY_FILE=str(secret_file))

    loaded = load_settings(project, variables)

    assert loaded["SECRET_KEY"] == secret_key


def test_development_creates_private_secrets_file(project):
    variables = {"DJANGO_DEBUG": "true"}
    secrets_file = project / ".local" / "secrets.json"
    assert not secrets_file.exists()

    loaded = load_settings(project, variables)

    assert secrets_file.is_file()
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    stored = json.loads(secrets_file.read_text(encoding="utf-8"))
    assert stored["DJANGO_SECRET_KEY"] == loaded["SECRET_KEY"]
    assert [stored["FIELD_ENCRYPTION_KEY"]] == loaded["FIELD_ENCRYPTION_KEY"]
    assert stored["CREDENTIAL_FINGERPRINT_KEY"] == loaded["CREDENTIAL_FINGERPRINT_KEY"]


def test_development_reuses_secrets_on_restart(project):
    variables = {"DJANGO_DEBUG": "true"}

    first_start = load_settings(project, variables)
    second_start = load_settings(project, variables)

    assert second_start["SECRET_KEY"] == first_start["SECRET_KEY"]
    assert second_start["FIELD_ENCRYPTION_KEY"] == first_start["FIELD_ENCRYPTION_KEY"]
    assert second_start["CREDENTIAL_FINGERPRINT_KEY"] == first_start["CREDENTIAL_FINGERPRINT_KEY"]


def test_development_prefers_environment_secrets(project):
    secret_key = strong_secrets()["DJANGO_SECRET_KEY"]
    variables = {"DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": secret_key}

    loaded = load_settings(project, variables)

    assert loaded["SECRET_KEY"] == secret_key
    stored = json.loads((project / ".local" / "secrets.json").read_text(encoding="utf-8"))
    assert stored["DJANGO_SECRET_KEY"] != secret_key


def test_deploy_check_reports_no_issues(project):
    result = run_python(
        project,
        production_env(),
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
