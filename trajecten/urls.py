from django.urls import path

from trajecten import views  # noqa: F401

urlpatterns: list = []
