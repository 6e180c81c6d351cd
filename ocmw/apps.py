from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OcmwConfig(AppConfig):
    name = "ocmw"
    verbose_name = _("OCMW core")
