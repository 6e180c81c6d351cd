from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpiConfig(AppConfig):
    name = "spi"
    verbose_name = _("Activation measures")
