"""The Celery app. The beat schedule is static and lives in code (here)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocmw.settings")

app = Celery("ocmw")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["ocmw", "trajecten", "gpmi", "spi"])
