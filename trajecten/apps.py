from django.apps import AppConfig


class TrajectenConfig(AppConfig):
    verbose_name = "Trajecten"
    name = "trajecten"
