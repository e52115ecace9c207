"""Test settings: the production module with fast hashing, a private cache and tasks run inline."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-" + "x" * 20)

from .settings import *  # noqa: F401,F403,E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Certificate signing keys of this test run only (the tests generate and rotate them).
import tempfile  # noqa: E402

CERTIFICATE_KEYS_DIR = Path(tempfile.mkdtemp(prefix="saylau-test-keys-"))  # noqa: F405
CERTIFICATE_RENDER_PROCESSES = 1
