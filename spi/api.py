"""REST API of the SPI app."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
