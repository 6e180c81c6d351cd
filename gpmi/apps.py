from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GpmiConfig(AppConfig):
    name = "gpmi"
    verbose_name = _("GPMI contracts")
