"""REST API of the GPMI app."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
