"""REST API of the trajectory app."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
