"""REST API of the core: clients. Same scoping and services as the pages."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from ocmw import insz as insz_rules
from ocmw import selectors, services
from ocmw.models import AccessAction, Client, User
from ocmw.pagination import KeysetPagination
from ocmw.services import CASE_FIELDS


def exception_handler(exc, context):
    """Django's own errors become the API's: 400 with field errors, 403, 404."""
    # A write based on a stale view (StaleEdit, the apps' own stale errors) is a
    # conflict, not bad input: every app marks those with the code "stale".
    if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "stale":
        return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (field if field != "__all__" else "non_field_errors"): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        # Ids stay numbers: DRF's ValidationError would turn them into strings.
        ids = {}
        if isinstance(exc, services.PossibleDuplicate):
            ids["possible_duplicates"] = [c.pk for c in exc.candidates]
        if isinstance(exc, services.DuplicateInsz):
            ids["existing_client"] = exc.existing.pk
        response = drf_exception_handler(exceptions.ValidationError(detail), context)
        response.data.update(ids)
        return response
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class UserLanguageMixin:
    """Answer in the user's language also for Basic-authenticated API calls."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated and request.user.language:
            translation.activate(request.user.language)


class StaffField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.case_workers(user=self.context["request"].user)


class ClientSerializer(serializers.ModelSerializer):
    insz = serializers.CharField(max_length=20)
    insz_display = serializers.CharField(read_only=True)
    responsible_social_worker = StaffField(required=False, allow_null=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    row_version = serializers.IntegerField(required=False)
    confirm_possible_duplicate = serializers.BooleanField(required=False, write_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "insz",
            "insz_display",
            "first_name",
            "last_name",
            "birth_date",
            "gender",
            "preferred_language",
            "languages_spoken",
            "phone",
            "email",
            "street",
            "postal_code",
            "city",
            "responsible_social_worker",
            "leefloon_decision_date",
            "row_version",
            "confirm_possible_duplicate",
        ]

    def validate_insz(self, value: str) -> str:
        try:
            return insz_rules.validate(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not getattr(instance, "access_case", False):
            for name in CASE_FIELDS:
                data.pop(name, None)
        return data


def _service_data(validated: dict) -> dict:
    return {
        k: v for k, v in validated.items() if k not in {"row_version", "confirm_possible_duplicate"}
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="INSZ (any formatting) or a name"),
            OpenApiParameter("responsible_social_worker", int),
            OpenApiParameter("preferred_language", str),
        ]
    )
)
class ClientViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ClientSerializer
    filter_backends: list = []
    # Keyset pages: no count of the whole scope on every request.
    pagination_class = KeysetPagination

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            query = self.request.query_params.get("search", "")
            if query:
                return selectors.client_search(user=user, query=query)
            worker = self.request.query_params.get("responsible_social_worker") or None
            try:
                worker_id = int(worker) if worker else None
            except ValueError:
                raise exceptions.ValidationError(
                    {"responsible_social_worker": [_("A number is required.")]}
                )
            # By file number: a keyset page walks the user's visible clients in id
            # order, where a name order would read and sort every one of them.
            return selectors.client_list(
                user=user,
                worker_id=worker_id,
                language=self.request.query_params.get("preferred_language", ""),
            ).order_by("pk")
        return Client.objects.visible_to(
            user, for_edit=self.action in {"update", "partial_update"}
        ).select_related("responsible_social_worker")

    def paginate_queryset(self, queryset):
        if self.request.query_params.get("search"):
            return None  # a search answers with its best matches, already limited
        return super().paginate_queryset(queryset)

    def retrieve(self, request, *args, **kwargs):
        client = self.get_object()
        services.access_log_record(
            user=request.user,
            client=client,
            action=AccessAction.VIEW,
            what=gettext_noop("client file (API)"),
            page=request.get_full_path(),
        )
        return Response(self.get_serializer(client).data)

    def perform_create(self, serializer):
        validated = serializer.validated_data
        key = self.request.headers.get("Idempotency-Key")
        try:
            submission_key = uuid.UUID(key) if key else None
        except ValueError:
            raise exceptions.ValidationError({"Idempotency-Key": [_("Must be a UUID.")]})
        serializer.instance = services.client_register(
            actor=self.request.user,
            data=_service_data(validated),
            submission_key=submission_key,
            confirm_possible_duplicate=validated.get("confirm_possible_duplicate", False),
        )
        serializer.instance.access_case = (
            self.request.user.handles_cases or self.request.user.is_team_lead
        )

    def create(self, request, *args, **kwargs):
        user: User = request.user
        if user.ocmw_id is None or not (user.is_intake or user.handles_cases or user.is_team_lead):
            raise exceptions.PermissionDenied()
        return super().create(request, *args, **kwargs)

    def perform_update(self, serializer):
        validated = serializer.validated_data
        serializer.instance = services.client_update(
            actor=self.request.user,
            client=serializer.instance,
            data=_service_data(validated),
            row_version=validated.get("row_version"),
        )


# --- team overview ----------------------------------------------------------------


class FigureLabelSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class TeamOverviewMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    caseload = serializers.IntegerField(
        allow_null=True, help_text="Open trajectories (null when no app counts them)."
    )
    caseload_soft_limit = serializers.IntegerField()
    caseload_hard_limit = serializers.IntegerField()
    caseload_level = serializers.ChoiceField(
        choices=["ok", "soft", "hard"],
        help_text="`soft`: above the soft limit; `hard`: above the hard limit.",
    )
    phases = serializers.DictField(
        child=serializers.IntegerField(), help_text="Open trajectories per phase."
    )
    overdue_tasks = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Open tasks past their due date, per task kind.",
    )
    figures = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="The other figures, by key (see `figures` at the top).",
    )


class TeamOverviewTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    members = TeamOverviewMemberSerializer(many=True)


class TeamOverviewSerializer(serializers.Serializer):
    date = serializers.DateField()
    phases = FigureLabelSerializer(many=True)
    task_kinds = FigureLabelSerializer(many=True)
    figures = FigureLabelSerializer(many=True)
    teams = TeamOverviewTeamSerializer(many=True)


def team_overview_data(overview: selectors.TeamOverview) -> dict:
    def member(row: selectors.MemberFigures) -> dict:
        return {
            "id": row.member.pk,
            "name": str(row.member),
            "caseload": row.caseload,
            "caseload_soft_limit": row.member.caseload_soft_limit,
            "caseload_hard_limit": row.member.caseload_hard_limit,
            "caseload_level": row.caseload_level or "ok",
            "phases": {cell.key: cell.value for cell in row.phases},
            "overdue_tasks": {cell.key: cell.value for cell in row.overdue},
            "figures": {cell.key: cell.value for cell in row.numbers},
        }

    teams = [
        {"id": s.team.pk, "name": s.team.name, "members": [member(row) for row in s.rows]}
        for s in overview.sections
    ] + [{"id": t.pk, "name": t.name, "members": []} for t in overview.teams_without_counsellors]
    labels = [
        [{"key": key, "label": label} for key, label in pairs]
        for pairs in (overview.phases, overview.task_kinds, overview.columns)
    ]
    return {
        "date": overview.today,
        "phases": labels[0],
        "task_kinds": labels[1],
        "figures": labels[2],
        "teams": sorted(teams, key=lambda team: (team["name"], team["id"])),
    }


@extend_schema_view(
    list=extend_schema(
        summary="Team overview",
        responses={
            # One object, not the list a viewset's ``list`` is assumed to give.
            200: forced_singular_serializer(TeamOverviewSerializer),
            403: OpenApiResponse(description="Team leads only"),
        },
    )
)
class TeamOverviewViewSet(UserLanguageMixin, viewsets.GenericViewSet):
    """The figures of the team overview, per counsellor of the teams the user leads:
    caseload against the limits, phases, overdue tasks by kind, and every app's
    figures. Team leads only (403 for anyone else); never another team's rows."""

    serializer_class = TeamOverviewSerializer
    filter_backends: list = []
    pagination_class = None

    def list(self, request):
        from django.utils import timezone

        user = request.user
        if not (user.ocmw_id and user.is_team_lead):
            raise exceptions.PermissionDenied()
        overview = selectors.team_overview_figures(user=user, today=timezone.localdate())
        return Response(TeamOverviewSerializer(team_overview_data(overview)).data)


router = DefaultRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("team-overview", TeamOverviewViewSet, basename="team-overview")
