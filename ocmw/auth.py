"""Authentication backend: the model backend, loading with the user the ids of
their teammates (``ocmw.models.teammate_ids``) in the same query, so that scoping
a request's queries costs no query of its own."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from ocmw.models import User, teammates_of


def with_teammate_ids(users):
    """``users`` (a User queryset) annotated with ``teammate_ids``."""
    return users.annotate(
        teammate_ids=ArraySubquery(
            teammates_of(OuterRef(OuterRef("pk")), OuterRef("ocmw_id"))
            .order_by("user_id")
            .values("user_id")
            .distinct()
        )
    )


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = with_teammate_ids(User._default_manager.all()).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
