from django.apps import AppConfig


class GpmiConfig(AppConfig):
    name = "gpmi"
