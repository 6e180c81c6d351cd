from django.apps import AppConfig


class SpiConfig(AppConfig):
    name = "spi"
