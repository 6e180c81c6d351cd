"""REST API of the trajectory app: the same scoping and the same services as the pages.

- Every queryset starts from a model's ``visible_to(user)``: trajectories, goals,
  actions and evaluations from ``Trajectory.objects.visible_to``; contacts from
  ``Contact.objects.visible_to`` (which also says whether the summary may be
  read); needs analyses from the clients whose case the user reads; referrals
  from ``Referral.objects.visible_to``. A record outside that scope is a 404.
- A parent named in a request body (``client``, ``trajectory``, ``goal``,
  ``team``, ``counsellor``) is looked up in the same scope, and one the user
  cannot see is a 404 too, exactly as if it were named in the URL: a caller
  cannot tell another OCMW's record from one that does not exist.
- Every write goes through ``trajecten.services``. Their errors become API
  errors in ``ocmw.api.exception_handler``: ``ValidationError`` is a 400 with
  field errors, ``PermissionDenied`` a 403 (the user may read but not change),
  and a stale write (``StaleTrajectory``, an already decided referral) a 409.
- A confidential contact's summary is ``null`` for everyone but its author and
  the team lead; the list shows only that the note exists, by whom and when.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ocmw import services as core_services
from ocmw.api import UserLanguageMixin
from ocmw.models import AccessAction, Client, Team, User
from ocmw.pagination import KeysetPagination
from trajecten import analytics as team_analytics
from trajecten import services
from trajecten.models import (
    W2_DOMAINS,
    Action,
    ActionOwner,
    ClosingReason,
    Contact,
    Domain,
    Evaluation,
    Goal,
    GoalProgress,
    GoalStatus,
    Horizon,
    NeedsAnalysis,
    Phase,
    Progress,
    Readiness,
    ReadinessItem,
    Referral,
    ReferralStatus,
    Trajectory,
    TransitionKind,
    case_clients,
)

# --- scopes --------------------------------------------------------------------


def visible_trajectories(user: User) -> QuerySet[Trajectory]:
    return Trajectory.objects.visible_to(user)


def visible_goals(user: User) -> QuerySet[Goal]:
    return Goal.objects.filter(trajectory__in=visible_trajectories(user).values("pk"))


def own_ocmw_teams(user: User) -> QuerySet[Team]:
    return Team.objects.filter(ocmw_id=user.ocmw_id)


def own_ocmw_staff(user: User) -> QuerySet[User]:
    return User.objects.filter(ocmw_id=user.ocmw_id, is_active=True)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A parent named by id in the body, looked up in the user's scope.

    One the user cannot see answers 404 (as in a URL), never "exists but not
    yours". The class-level ``queryset`` only tells the schema the model.
    """

    def __init__(self, *, scope: Callable[[User], QuerySet], model, **kwargs):
        self.scope = scope
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self.get_queryset().get(pk=data)
        except ObjectDoesNotExist:
            raise exceptions.NotFound()
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)


def _log_read(request, client_id: int, what: str) -> None:
    """Reading case content through the API is a read of the client file (GDPR art. 15)."""
    core_services.access_log_record(
        user=request.user,
        client=Client(pk=client_id),
        action=AccessAction.VIEW,
        what=what,
        page=request.get_full_path(),
    )


# The lists of case content are keyset pages in the order of the client file
# (``client_id``: the file number), each file's rows newest first. PostgreSQL
# reads a page by walking the user's set of visible clients in id order into each
# table's client index, so a page costs the same for a caseload of 100 or of
# 10,000 files; an order such as "newest contact first" over every visible file
# would have to read and sort all of their rows for each page.
BY_FILE = ("client_id",)


class ScopedViewSet(UserLanguageMixin, viewsets.GenericViewSet):
    """Reads come from ``get_queryset`` (already scoped); writes call a service.
    Lists are keyset pages (``ocmw.pagination``): no count of the whole scope."""

    filter_backends = [filters.DjangoFilterBackend]
    pagination_class = KeysetPagination


# --- trajectories ----------------------------------------------------------------


class TrajectorySerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    counsellor_name = serializers.CharField(source="counsellor", read_only=True)
    phase_label = serializers.CharField(source="get_phase_display", read_only=True)
    phase_number = serializers.IntegerField(read_only=True, allow_null=True)
    days_in_phase = serializers.IntegerField(read_only=True)
    closing_reason_label = serializers.CharField(
        source="get_closing_reason_display", read_only=True
    )

    class Meta:
        model = Trajectory
        fields = [
            "id",
            "client",
            "client_name",
            "team",
            "counsellor",
            "counsellor_name",
            "phase",
            "phase_label",
            "phase_number",
            "phase_since",
            "days_in_phase",
            "version",
            "opened_on",
            "closed_on",
            "closing_reason",
            "closing_reason_label",
            "closing_note",
        ]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TransitionKind.choices)
    target = serializers.ChoiceField(choices=Phase.choices)
    needs_reason = serializers.BooleanField()
    blocked = serializers.ListField(child=serializers.CharField(), required=False)


class TrajectoryDetailSerializer(TrajectorySerializer):
    moves = serializers.SerializerMethodField(
        help_text="The moves this user may make now; `blocked` lists the gates that still fail."
    )

    class Meta(TrajectorySerializer.Meta):
        fields = [*TrajectorySerializer.Meta.fields, "moves"]
        read_only_fields = fields

    @extend_schema_field(MoveSerializer(many=True))
    def get_moves(self, trajectory: Trajectory) -> list[dict]:
        return services.available_moves(trajectory, self.context["request"].user)


class TransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Phase.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    closing_reason = serializers.ChoiceField(
        choices=ClosingReason.choices, required=False, allow_blank=True, default=""
    )
    closing_note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version the caller last saw; a move based on an older one is a 409.",
    )


class TrajectoryFilter(filters.FilterSet):
    phase = filters.ChoiceFilter(choices=Phase.choices)
    counsellor = filters.NumberFilter(field_name="counsellor_id")

    class Meta:
        model = Trajectory
        fields = ["phase", "counsellor"]


class TrajectoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Trajectory.objects.none()  # names the model for the schema
    serializer_class = TrajectorySerializer
    filterset_class = TrajectoryFilter

    def get_queryset(self):
        return (
            visible_trajectories(self.request.user)
            .select_related("client", "counsellor", "team")
            .order_by(*BY_FILE, "-opened_on", "-id")
        )

    def get_serializer_class(self):
        return TrajectorySerializer if self.action == "list" else TrajectoryDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        trajectory = self.get_object()
        _log_read(request, trajectory.client_id, gettext_noop("trajectory (API)"))
        return Response(self.get_serializer(trajectory).data)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: TrajectoryDetailSerializer,
            400: OpenApiResponse(description="Missing reason, failed gate or move not allowed"),
            403: OpenApiResponse(description="Only the counsellor or the team lead may move it"),
            404: OpenApiResponse(description="Not a trajectory this user may read"),
            409: OpenApiResponse(description="The trajectory changed meanwhile"),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        trajectory = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        moved = services.trajectory_transition(
            actor=request.user, trajectory=trajectory, **payload.validated_data
        )
        return Response(
            TrajectoryDetailSerializer(moved, context=self.get_serializer_context()).data
        )


# --- journal (contacts) -------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    client = ScopedRelatedField(scope=case_clients, model=Client)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    staff_name = serializers.CharField(source="staff", read_only=True)
    summary = serializers.CharField(
        max_length=10000,
        allow_null=True,
        help_text="null for a confidential note this user may not read.",
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "client",
            "trajectory",
            "date",
            "type",
            "type_label",
            "duration_minutes",
            "staff",
            "staff_name",
            "summary",
            "confidential",
            "created_at",
        ]
        read_only_fields = ["trajectory", "staff", "created_at"]
        # The service and the model check the duration, so the API and the pages
        # give the same message.
        extra_kwargs = {"duration_minutes": {"min_value": None, "max_value": None}}

    def to_representation(self, instance: Contact) -> dict:
        data = super().to_representation(instance)
        # Fail closed: without the annotation from visible_to, nobody reads it.
        if not getattr(instance, "can_read_summary", False):
            data["summary"] = None
            data["confidential"] = True
        return data


class ContactFilter(filters.FilterSet):
    client = filters.NumberFilter(field_name="client_id")
    trajectory = filters.NumberFilter(field_name="trajectory_id")

    class Meta:
        model = Contact
        fields = ["client", "trajectory"]


class ContactViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Contact.objects.none()  # names the model for the schema
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def get_queryset(self):
        return (
            Contact.objects.visible_to(self.request.user)
            .select_related("staff")
            .order_by(*BY_FILE, "-date", "-id")
        )

    def retrieve(self, request, *args, **kwargs):
        contact = self.get_object()
        _log_read(request, contact.client_id, gettext_noop("contact (API)"))
        return Response(self.get_serializer(contact).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        contact = services.contact_record(actor=self.request.user, client=client, data=data)
        contact.can_read_summary = True  # the author
        serializer.instance = contact


# --- plan: goals and actions -------------------------------------------------------


class GoalSerializer(serializers.ModelSerializer):
    trajectory = ScopedRelatedField(scope=visible_trajectories, model=Trajectory)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    set_on = serializers.DateField(required=False)

    class Meta:
        model = Goal
        fields = [
            "id",
            "trajectory",
            "title",
            "description",
            "horizon",
            "domain",
            "status",
            "status_label",
            "set_on",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_by", "created_at", "updated_at"]


class GoalUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    horizon = serializers.ChoiceField(required=False, choices=Horizon.choices)
    domain = serializers.ChoiceField(required=False, choices=Domain.choices)
    status = serializers.ChoiceField(required=False, choices=GoalStatus.choices)


class GoalFilter(filters.FilterSet):
    trajectory = filters.NumberFilter(field_name="trajectory_id")
    status = filters.ChoiceFilter(choices=GoalStatus.choices)

    class Meta:
        model = Goal
        fields = ["trajectory", "status"]


class GoalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Goal.objects.none()  # names the model for the schema
    serializer_class = GoalSerializer
    filterset_class = GoalFilter

    def get_queryset(self):
        return (
            visible_goals(self.request.user)
            .select_related("trajectory", "trajectory__client")
            .order_by("trajectory_id", "status", "set_on", "id")
        )

    def retrieve(self, request, *args, **kwargs):
        goal = self.get_object()
        _log_read(request, goal.trajectory.client_id, gettext_noop("plan goal (API)"))
        return Response(self.get_serializer(goal).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        trajectory = data.pop("trajectory")
        serializer.instance = services.goal_create(
            actor=self.request.user, trajectory=trajectory, data=data
        )

    @extend_schema(request=GoalUpdateSerializer, responses={200: GoalSerializer})
    def partial_update(self, request, *args, **kwargs):
        goal = self.get_object()
        payload = GoalUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        goal = services.goal_update(actor=request.user, goal=goal, data=payload.validated_data)
        return Response(self.get_serializer(goal).data)


class ActionSerializer(serializers.ModelSerializer):
    goal = ScopedRelatedField(scope=visible_goals, model=Goal)
    owner_label = serializers.CharField(source="get_owner_display", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "goal",
            "description",
            "owner",
            "owner_label",
            "due_date",
            "done",
            "done_on",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["done", "done_on", "created_by", "created_at"]


class ActionDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()


class ActionFilter(filters.FilterSet):
    goal = filters.NumberFilter(field_name="goal_id")
    trajectory = filters.NumberFilter(field_name="goal__trajectory_id")
    done = filters.BooleanFilter()
    owner = filters.ChoiceFilter(choices=ActionOwner.choices)

    class Meta:
        model = Action
        fields = ["goal", "trajectory", "done", "owner"]


class ActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Action.objects.none()  # names the model for the schema
    serializer_class = ActionSerializer
    filterset_class = ActionFilter

    def get_queryset(self):
        return (
            Action.objects.filter(
                goal__trajectory__in=visible_trajectories(self.request.user).values("pk")
            )
            .select_related("goal__trajectory__client")
            .order_by("goal_id", "done", "due_date", "id")
        )

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        _log_read(request, item.goal.trajectory.client_id, gettext_noop("plan action (API)"))
        return Response(self.get_serializer(item).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        goal = data.pop("goal")
        serializer.instance = services.action_create(actor=self.request.user, goal=goal, data=data)

    @extend_schema(request=ActionDoneSerializer, responses={200: ActionSerializer})
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        payload = ActionDoneSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.action_set_done(
            actor=request.user, action=item, done=payload.validated_data["done"]
        )
        return Response(self.get_serializer(item).data)


# --- needs analysis --------------------------------------------------------------------


class DomainEntrySerializer(serializers.Serializer):
    situation = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    needs = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    support_needed = serializers.BooleanField(required=False, default=False)


class LanguageLevelSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=40)
    level = serializers.CharField(required=False, allow_blank=True, max_length=40)


class NeedsAnalysisSerializer(serializers.ModelSerializer):
    client = ScopedRelatedField(scope=case_clients, model=Client)
    domains = serializers.DictField(
        child=DomainEntrySerializer(),
        required=False,
        help_text=f"Keyed by W² domain: {', '.join(W2_DOMAINS)}.",
    )
    languages = LanguageLevelSerializer(many=True, required=False)

    class Meta:
        model = NeedsAnalysis
        fields = [
            "id",
            "client",
            "trajectory",
            "version",
            "date",
            "author",
            "created_at",
            "domains",
            "education",
            "work_experience",
            "languages",
            "driving_licence",
            "competences",
            "likes",
            "dislikes",
            "own_project",
            "expectations",
        ]
        read_only_fields = ["trajectory", "version", "author", "created_at"]

    def validate_domains(self, value: dict) -> dict:
        unknown = sorted(set(value) - set(W2_DOMAINS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown domain: %(domains)s.") % {"domains": ", ".join(unknown)}
            )
        return value


class NeedsAnalysisFilter(filters.FilterSet):
    client = filters.NumberFilter(field_name="client_id")

    class Meta:
        model = NeedsAnalysis
        fields = ["client"]


class NeedsAnalysisViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Each POST records a new version; earlier versions are never changed."""

    queryset = NeedsAnalysis.objects.none()  # names the model for the schema
    serializer_class = NeedsAnalysisSerializer
    filterset_class = NeedsAnalysisFilter

    def get_queryset(self):
        return NeedsAnalysis.objects.filter(
            client__in=case_clients(self.request.user).values("pk")
        ).order_by("client_id", "-version")

    def retrieve(self, request, *args, **kwargs):
        analysis = self.get_object()
        _log_read(request, analysis.client_id, gettext_noop("needs analysis (API)"))
        return Response(self.get_serializer(analysis).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.needs_analysis_record(
            actor=self.request.user, client=client, data=data
        )


# --- evaluations --------------------------------------------------------------------------


class GoalProgressSerializer(serializers.Serializer):
    # A plain id: the service refuses, with its own message, a goal of another plan.
    goal = serializers.IntegerField(source="goal_id")
    progress = serializers.ChoiceField(choices=Progress.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EvaluationSerializer(serializers.ModelSerializer):
    trajectory = ScopedRelatedField(scope=visible_trajectories, model=Trajectory)
    progress = GoalProgressSerializer(many=True, required=False)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "trajectory",
            "date",
            "in_person",
            "conclusion",
            "next_evaluation_on",
            "progress",
            "author",
            "created_at",
        ]
        read_only_fields = ["author", "created_at"]

    def validate_progress(self, rows: list[dict]) -> list[dict]:
        goals = [row["goal_id"] for row in rows]
        if len(goals) != len(set(goals)):
            raise serializers.ValidationError(_("Give the progress of each goal once."))
        return rows


class EvaluationFilter(filters.FilterSet):
    trajectory = filters.NumberFilter(field_name="trajectory_id")

    class Meta:
        model = Evaluation
        fields = ["trajectory"]


class EvaluationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Evaluation.objects.none()  # names the model for the schema
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter

    def get_queryset(self):
        return (
            Evaluation.objects.filter(
                trajectory__in=visible_trajectories(self.request.user).values("pk")
            )
            .select_related("trajectory")
            .prefetch_related(Prefetch("progress", queryset=GoalProgress.objects.order_by("id")))
            .order_by("trajectory_id", "-date", "-id")
        )

    def retrieve(self, request, *args, **kwargs):
        evaluation = self.get_object()
        _log_read(request, evaluation.trajectory.client_id, gettext_noop("evaluation (API)"))
        return Response(self.get_serializer(evaluation).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        trajectory = data.pop("trajectory")
        rows = data.pop("progress", [])
        serializer.instance = services.evaluation_record(
            actor=self.request.user,
            trajectory=trajectory,
            data=data,
            progress={row["goal_id"]: (row["progress"], row.get("note", "")) for row in rows},
        )


# --- referrals ------------------------------------------------------------------------------


class ChecklistEntrySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Readiness.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ReferralSerializer(serializers.ModelSerializer):
    client = ScopedRelatedField(scope=case_clients, model=Client)
    team = ScopedRelatedField(scope=own_ocmw_teams, model=Team)
    checklist = serializers.DictField(
        child=ChecklistEntrySerializer(),
        help_text=f"One entry for each of: {', '.join(ReadinessItem.values)}.",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "client",
            "team",
            "proposed_by",
            "proposed_at",
            "checklist",
            "motivation",
            "status",
            "status_label",
            "decided_by",
            "decided_at",
            "decline_reason",
            "trajectory",
        ]
        read_only_fields = [
            "proposed_by",
            "proposed_at",
            "status",
            "decided_by",
            "decided_at",
            "decline_reason",
            "trajectory",
        ]


class ReferralAcceptSerializer(serializers.Serializer):
    counsellor = ScopedRelatedField(scope=own_ocmw_staff, model=User)
    # Any of the seven phases; the service refuses "closed" with its own message.
    phase = serializers.ChoiceField(choices=Phase.choices, default=Phase.SCREENING)


class ReferralDeclineSerializer(serializers.Serializer):
    # Blank passes here so the service gives its own message for a missing reason.
    decline_reason = serializers.CharField(allow_blank=True, max_length=2000)


class ReferralFilter(filters.FilterSet):
    client = filters.NumberFilter(field_name="client_id")
    team = filters.NumberFilter(field_name="team_id")
    status = filters.ChoiceFilter(choices=ReferralStatus.choices)

    class Meta:
        model = Referral
        fields = ["client", "team", "status"]


_DECISION_RESPONSES = {
    400: OpenApiResponse(description="Invalid counsellor, phase or missing reason"),
    403: OpenApiResponse(description="Only a counsellor or team lead of the SPI team decides"),
    404: OpenApiResponse(description="Not a referral this user may see"),
    409: OpenApiResponse(description="The referral was already decided"),
}


class ReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Referral.objects.none()  # names the model for the schema
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_queryset(self):
        return Referral.objects.visible_to(self.request.user).order_by(
            *BY_FILE, "-proposed_at", "-id"
        )

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        _log_read(request, referral.client_id, gettext_noop("referral (API)"))
        return Response(self.get_serializer(referral).data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.referral_propose(
            actor=self.request.user,
            client=data["client"],
            team=data["team"],
            checklist=data["checklist"],
            motivation=data.get("motivation", ""),
        )

    def _decided(self, referral: Referral) -> Response:
        referral = Referral.objects.get(pk=referral.pk)
        return Response(self.get_serializer(referral).data)

    @extend_schema(
        request=ReferralAcceptSerializer,
        responses={**_DECISION_RESPONSES, 200: ReferralSerializer},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        referral = self.get_object()
        payload = ReferralAcceptSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        services.referral_accept(actor=request.user, referral=referral, **payload.validated_data)
        return self._decided(referral)

    @extend_schema(
        request=ReferralDeclineSerializer,
        responses={**_DECISION_RESPONSES, 200: ReferralSerializer},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral = self.get_object()
        payload = ReferralDeclineSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.referral_decline(
            actor=request.user, referral=referral, reason=payload.validated_data["decline_reason"]
        )
        return self._decided(referral)


# --- analytics (team leads) --------------------------------------------------------------


class AnalyticsTableSerializer(serializers.Serializer):
    caption = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    # The first cell names the row; the others are numbers, or null for "no figure".
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))


class AnalyticsSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    tables = AnalyticsTableSerializer(many=True)


class AnalyticsTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class AnalyticsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    teams = AnalyticsTeamSerializer(many=True)
    sections = AnalyticsSectionSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "team", int, description="One of the teams you lead; all of them when left out."
            ),
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="Default: 12 months before the end."
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Default: today."),
        ],
        responses={
            200: AnalyticsSerializer,
            400: OpenApiResponse(description="A reversed or absurd period, or a bad team id"),
            403: OpenApiResponse(description="Team leads only"),
            404: OpenApiResponse(description="Not a team you lead"),
        },
    )
)
class AnalyticsViewSet(UserLanguageMixin, viewsets.ViewSet):
    """The trajectory analytics of the page (``trajecten.analytics``) as tables:
    time per phase, moves between phases, endings, outcomes and retention."""

    def list(self, request):
        user = request.user
        if not team_analytics.may_see_analytics(user):
            raise exceptions.PermissionDenied()
        teams = list(team_analytics.led_teams(user))
        form, query = team_analytics.AnalyticsQuery.from_params(request.query_params, teams=teams)
        if query is None:
            raise exceptions.ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): errors
                    for field, errors in form.errors.items()
                }
            )
        sections = team_analytics.collect_sections(query.team_ids, query.start, query.end)
        data = {"start": query.start, "end": query.end, "teams": query.teams, "sections": sections}
        return Response(AnalyticsSerializer(data).data)


router = DefaultRouter()
router.register("trajectories", TrajectoryViewSet, basename="trajectory")
router.register("contacts", ContactViewSet, basename="contact")
router.register("goals", GoalViewSet, basename="goal")
router.register("actions", ActionViewSet, basename="action")
router.register("needs-analyses", NeedsAnalysisViewSet, basename="needs-analysis")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("analytics", AnalyticsViewSet, basename="analytics")
