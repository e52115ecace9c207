import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "HTTPS": "on",
    "SECRET_KEY": "a-production-like-secret-key-of-sufficient-length-and-randomness-0123456789",
    "ALLOWED_HOSTS": "saylau.example.kz",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def _manage(*args, env):
    # The browser tests allow async-unsafe calls in this process; a deployment never does.
    dropped = ("SECRET_KEY", "HTTPS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "VAR_DIR": str(tmp_path)}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_database_runs_in_wal_mode():
    from config.settings import DATABASES  # the production module, not the test overrides

    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        options = DATABASES["default"].get("OPTIONS", {})
        assert "journal_mode" not in str(options)
        return
    assert "PRAGMA journal_mode=WAL" in DATABASES["default"]["OPTIONS"]["init_command"]


def test_the_default_interface_language_is_kazakh():
    assert settings.LANGUAGE_CODE == "kk"
    assert [code for code, _name in settings.LANGUAGES] == ["kk", "ru", "en"]


def test_passwords_are_hashed_with_argon2_in_production():
    from config import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
