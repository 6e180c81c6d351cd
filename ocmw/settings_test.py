"""Settings for the test suite: the real settings with test-only speed-ups."""

from ocmw.settings import *  # noqa: F403
from ocmw.settings import STORAGES

# Templates find static files through the finders; no collectstatic manifest needed.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Hashing demo passwords slowly only slows the tests down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests assert on the English message ids, so they do not change whenever a
# translation is improved. Tests about the catalogues themselves (and the
# browser tests, which look at the real Dutch and French pages) switch them on
# with the `real_translations` fixture.
REAL_LOCALE_PATHS = LOCALE_PATHS  # noqa: F405
LOCALE_PATHS = []
