"""REST API of the SPI app: the same scoping and the same services as the pages.

- Case content follows the client: enrolments (with their work-floor visits),
  referrals to partners, outcomes and checkpoints are those of clients whose
  case the user reads (``case_clients`` / ``Trajectory.objects.visible_to``).
  Partners and measures are those of the user's OCMW; group sessions too, for
  staff who follow clients (others get a 403, as on the pages). A record outside
  the scope is a 404, also when it is named in a request body (a client, a
  measure, a partner of another OCMW): a caller cannot tell another OCMW's
  record from one that does not exist.
- Every write goes through ``spi.services``. Their errors become API errors in
  ``ocmw.api.exception_handler``: ``ValidationError`` is a 400 with field
  errors, ``PermissionDenied`` a 403 (the user may read but not change), and a
  step on an enrolment that moved meanwhile a 409.
- Reading one record of case content is logged as a read of the client file.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ocmw import services as core_services
from ocmw.models import AccessAction, Client, User
from spi import selectors, services
from spi.models import (
    Attendance,
    AttendanceStatus,
    Checkpoint,
    ContactPerson,
    ContractType,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    GroupSession,
    Measure,
    MeasureCategory,
    Outcome,
    OutcomeType,
    Partner,
    PartnerKind,
    PartnerReferral,
    PartnerReferralStatus,
)
from trajecten.api import BY_FILE, ScopedRelatedField, ScopedViewSet, visible_trajectories
from trajecten.models import Trajectory, case_clients

# --- scopes and shared pieces --------------------------------------------------------------------


def own_partners(user: User) -> QuerySet[Partner]:
    return Partner.objects.visible_to(user)


def own_measures(user: User) -> QuerySet[Measure]:
    return selectors.measures(user=user).filter(active=True)


def own_staff(user: User) -> QuerySet[User]:
    return User.objects.filter(ocmw_id=user.ocmw_id, is_active=True)


def visible_checkpoints(user: User) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.filter(
        outcome__trajectory__in=visible_trajectories(user).values("pk")
    )


def _log_read(request, client_id: int, what: str) -> None:
    core_services.access_log_record(
        user=request.user,
        client=Client(pk=client_id),
        action=AccessAction.VIEW,
        what=what,
        page=request.get_full_path(),
    )


class FollowsClients(permissions.BasePermission):
    """Group sessions name their participants: staff who follow clients only."""

    def has_permission(self, request, view) -> bool:
        return selectors.may_see_sessions(request.user)


def _service_data(validated: dict, *drop: str) -> dict:
    return {key: value for key, value in validated.items() if key not in drop}


# --- measures ------------------------------------------------------------------------------------


class MeasureSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_label",
            "phases",
            "is_employment",
            "is_art60",
            "max_duration_months",
            "active",
        ]
        read_only_fields = fields


class MeasureFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=MeasureCategory.choices)
    active = filters.BooleanFilter()

    class Meta:
        model = Measure
        fields = ["category", "active"]


class MeasureViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The OCMW's catalogue of activation measures (edited in the admin)."""

    queryset = Measure.objects.none()  # names the model for the schema
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter

    def get_queryset(self):
        return selectors.measures(user=self.request.user)


# --- partners ------------------------------------------------------------------------------------


class ContactPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactPerson
        fields = ["id", "name", "role", "phone", "email"]
        read_only_fields = fields


class PartnerSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    contacts = ContactPersonSerializer(many=True, read_only=True)
    running_enrolments = serializers.IntegerField(read_only=True)
    running_placements = serializers.IntegerField(read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "sector",
            "address",
            "phone",
            "email",
            "contacts",
            "running_enrolments",
            "running_placements",
        ]


class PartnerFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PartnerKind.choices)
    name = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Partner
        fields = ["kind", "name"]


class PartnerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Partners of the user's OCMW with their contact people. Counsellors, team
    leads and OCMW administrators add them; duplicates are merged in the admin."""

    queryset = Partner.objects.none()  # names the model for the schema
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter

    def get_queryset(self):
        return (
            selectors.partners(user=self.request.user)
            .prefetch_related(
                Prefetch("contacts", queryset=ContactPerson.objects.order_by("name", "pk"))
            )
            .order_by("name", "pk")
        )

    def perform_create(self, serializer):
        partner = services.partner_create(actor=self.request.user, data=serializer.validated_data)
        partner.running_enrolments = partner.running_placements = 0
        serializer.instance = partner


# --- enrolments and work-floor visits ------------------------------------------------------------


class FollowUpVisitSerializer(serializers.ModelSerializer):
    staff = ScopedRelatedField(scope=own_staff, model=User, required=False)
    staff_name = serializers.CharField(source="staff", read_only=True)

    class Meta:
        model = FollowUpVisit
        fields = [
            "id",
            "enrolment",
            "date",
            "staff",
            "staff_name",
            "situation",
            "problems",
            "agreements",
            "duration_minutes",
            "created_at",
        ]
        read_only_fields = ["enrolment", "created_at"]


class EnrolmentSerializer(serializers.ModelSerializer):
    client = ScopedRelatedField(scope=case_clients, model=Client)
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    measure = ScopedRelatedField(scope=own_measures, model=Measure)
    measure_name = serializers.CharField(source="measure.name", read_only=True)
    partner = ScopedRelatedField(scope=own_partners, model=Partner, required=False, allow_null=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True, default=None)
    user_organisation = ScopedRelatedField(
        scope=own_partners, model=Partner, required=False, allow_null=True
    )
    user_organisation_name = serializers.CharField(
        source="user_organisation.name", read_only=True, default=None
    )
    status = serializers.ChoiceField(
        choices=[EnrolmentStatus.PLANNED, EnrolmentStatus.RUNNING],
        required=False,
        help_text="planned (default) or running; later changes through start, complete, stop.",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    visits = FollowUpVisitSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "client",
            "client_name",
            "trajectory",
            "measure",
            "measure_name",
            "is_art60",
            "partner",
            "partner_name",
            "start_date",
            "planned_end_date",
            "actual_end_date",
            "hours_per_week",
            "status",
            "status_label",
            "stop_reason",
            "costs_covered",
            "notes",
            "user_organisation",
            "user_organisation_name",
            "job_title",
            "sector",
            "max_end_date",
            "over_max_reason",
            "next_step",
            "visits",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "trajectory",
            "is_art60",
            "actual_end_date",
            "stop_reason",
            "created_by",
            "created_at",
            "updated_at",
        ]
        # The service and the model check these, so API and pages say the same.
        extra_kwargs = {"hours_per_week": {"min_value": None, "max_value": None}}
        # No unique-together validator from the one-running-art. 60 constraint: the
        # service checks that rule and says it plainly.
        validators: list = []


class EnrolmentUpdateSerializer(serializers.Serializer):
    partner = ScopedRelatedField(scope=own_partners, model=Partner, required=False, allow_null=True)
    start_date = serializers.DateField(required=False)
    planned_end_date = serializers.DateField(required=False, allow_null=True)
    hours_per_week = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True
    )
    costs_covered = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    user_organisation = ScopedRelatedField(
        scope=own_partners, model=Partner, required=False, allow_null=True
    )
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sector = serializers.CharField(required=False, allow_blank=True, max_length=100)
    max_end_date = serializers.DateField(required=False, allow_null=True)
    over_max_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class EnrolmentStepSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text="Today when left out.")


class EnrolmentStopSerializer(EnrolmentStepSerializer):
    # Blank passes here so the service gives its own message for a missing reason.
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class EnrolmentFilter(filters.FilterSet):
    client = filters.NumberFilter(field_name="client_id")
    status = filters.ChoiceFilter(choices=EnrolmentStatus.choices)
    measure = filters.NumberFilter(field_name="measure_id")
    is_art60 = filters.BooleanFilter()

    class Meta:
        model = Enrolment
        fields = ["client", "status", "measure", "is_art60"]


_STEP_RESPONSES = {
    400: OpenApiResponse(description="Bad date, missing reason or a second art. 60 placement"),
    403: OpenApiResponse(description="The user reads this file but may not change it"),
    404: OpenApiResponse(description="Not an enrolment this user may read"),
    409: OpenApiResponse(description="The enrolment is no longer in a state for this step"),
}


class EnrolmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Enrolments and placements (art. 60§7 / TWE, IBO, courses ...) with their
    work-floor visits. Start, complete and stop are actions."""

    queryset = Enrolment.objects.none()  # names the model for the schema
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return (
            Enrolment.objects.visible_to(self.request.user)
            .select_related("client", "measure", "partner", "user_organisation")
            .prefetch_related(
                Prefetch(
                    "visits",
                    queryset=FollowUpVisit.objects.select_related("staff").order_by("-date", "-id"),
                )
            )
            .order_by(*BY_FILE, "-start_date", "-id")
        )

    def retrieve(self, request, *args, **kwargs):
        enrolment = self.get_object()
        _log_read(request, enrolment.client_id, gettext_noop("enrolment (API)"))
        return Response(self.get_serializer(enrolment).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.enrolment_create(
            actor=self.request.user, client=client, data=data
        )

    def _answer(self, enrolment: Enrolment) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=enrolment.pk)).data)

    @extend_schema(request=EnrolmentUpdateSerializer, responses={200: EnrolmentSerializer})
    def partial_update(self, request, *args, **kwargs):
        enrolment = self.get_object()
        payload = EnrolmentUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        services.enrolment_update(
            actor=request.user, enrolment=enrolment, data=payload.validated_data
        )
        return self._answer(enrolment)

    @extend_schema(
        request=EnrolmentStepSerializer, responses={**_STEP_RESPONSES, 200: EnrolmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        enrolment = self.get_object()
        payload = EnrolmentStepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.enrolment_start(
            actor=request.user, enrolment=enrolment, on=payload.validated_data.get("on")
        )
        return self._answer(enrolment)

    @extend_schema(
        request=EnrolmentStepSerializer, responses={**_STEP_RESPONSES, 200: EnrolmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        enrolment = self.get_object()
        payload = EnrolmentStepSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.enrolment_complete(
            actor=request.user, enrolment=enrolment, on=payload.validated_data.get("on")
        )
        return self._answer(enrolment)

    @extend_schema(
        request=EnrolmentStopSerializer, responses={**_STEP_RESPONSES, 200: EnrolmentSerializer}
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        enrolment = self.get_object()
        payload = EnrolmentStopSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.enrolment_stop(
            actor=request.user,
            enrolment=enrolment,
            reason=payload.validated_data["reason"],
            on=payload.validated_data.get("on"),
        )
        return self._answer(enrolment)

    @extend_schema(
        request=FollowUpVisitSerializer,
        responses={**_STEP_RESPONSES, 201: FollowUpVisitSerializer},
    )
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        enrolment = self.get_object()
        payload = FollowUpVisitSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        visit = services.followup_visit_record(
            actor=request.user, enrolment=enrolment, data=payload.validated_data
        )
        return Response(FollowUpVisitSerializer(visit).data, status=201)


# --- referrals to partners -----------------------------------------------------------------------


class PartnerReferralSerializer(serializers.ModelSerializer):
    client = ScopedRelatedField(scope=case_clients, model=Client)
    partner = ScopedRelatedField(scope=own_partners, model=Partner)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    contact_person = ScopedRelatedField(
        scope=lambda user: ContactPerson.objects.filter(partner__in=own_partners(user)),
        model=ContactPerson,
        required=False,
        allow_null=True,
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sent_on = serializers.DateField(required=False)

    class Meta:
        model = PartnerReferral
        fields = [
            "id",
            "client",
            "trajectory",
            "partner",
            "partner_name",
            "contact_person",
            "purpose",
            "handover_note",
            "status",
            "status_label",
            "sent_on",
            "accepted_on",
            "started_on",
            "ended_on",
            "result",
            "created_by",
        ]
        read_only_fields = [
            "trajectory",
            "status",
            "accepted_on",
            "started_on",
            "ended_on",
            "result",
            "created_by",
        ]


class PartnerReferralAdvanceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            PartnerReferralStatus.ACCEPTED,
            PartnerReferralStatus.STARTED,
            PartnerReferralStatus.ENDED,
            PartnerReferralStatus.REFUSED,
        ]
    )
    on = serializers.DateField(required=False, allow_null=True)
    result = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PartnerReferralFilter(filters.FilterSet):
    client = filters.NumberFilter(field_name="client_id")
    partner = filters.NumberFilter(field_name="partner_id")
    status = filters.ChoiceFilter(choices=PartnerReferralStatus.choices)

    class Meta:
        model = PartnerReferral
        fields = ["client", "partner", "status"]


class PartnerReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Referrals to partners (VDAB, Actiris, a training centre) with the handover note."""

    queryset = PartnerReferral.objects.none()  # names the model for the schema
    serializer_class = PartnerReferralSerializer
    filterset_class = PartnerReferralFilter

    def get_queryset(self):
        return (
            PartnerReferral.objects.filter(client__in=case_clients(self.request.user).values("pk"))
            .select_related("partner", "client")
            .order_by(*BY_FILE, "-sent_on", "-id")
        )

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        _log_read(request, referral.client_id, gettext_noop("referral to a partner (API)"))
        return Response(self.get_serializer(referral).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.partner_referral_create(
            actor=self.request.user, client=client, data=data
        )

    @extend_schema(
        request=PartnerReferralAdvanceSerializer,
        responses={
            200: PartnerReferralSerializer,
            400: OpenApiResponse(description="Not a next step, bad date or missing result"),
        },
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        referral = self.get_object()
        payload = PartnerReferralAdvanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        referral = services.partner_referral_advance(
            actor=request.user, referral=referral, **payload.validated_data
        )
        return Response(self.get_serializer(referral).data)


# --- group sessions ------------------------------------------------------------------------------


class AttendanceRowSerializer(serializers.ModelSerializer):
    """A participant; the name only for those whose file the user reads."""

    client = serializers.SerializerMethodField()
    client_name = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Attendance
        fields = ["client", "client_name", "status", "status_label"]
        read_only_fields = fields

    def _readable(self, row: Attendance) -> bool:
        return bool(getattr(row, "client_readable", False))

    def get_client(self, row: Attendance) -> int | None:
        return row.client_id if self._readable(row) else None

    def get_client_name(self, row: Attendance) -> str | None:
        return row.client.full_name if self._readable(row) else None


class GroupSessionSerializer(serializers.ModelSerializer):
    measure = ScopedRelatedField(scope=own_measures, model=Measure, required=False, allow_null=True)
    facilitator = ScopedRelatedField(scope=own_staff, model=User, required=False)
    facilitator_name = serializers.CharField(source="facilitator", read_only=True)
    participants = serializers.ListField(
        child=serializers.IntegerField(),
        write_only=True,
        required=False,
        help_text="Ids of clients whose file you read.",
    )
    participant_count = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = GroupSession
        fields = [
            "id",
            "title",
            "measure",
            "date",
            "start_time",
            "duration_minutes",
            "place",
            "facilitator",
            "facilitator_name",
            "participants",
            "participant_count",
            "present_count",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"duration_minutes": {"min_value": None, "max_value": None}}


class GroupSessionDetailSerializer(GroupSessionSerializer):
    attendance = AttendanceRowSerializer(many=True, read_only=True)

    class Meta(GroupSessionSerializer.Meta):
        fields = [*GroupSessionSerializer.Meta.fields, "attendance"]


class AttendanceSerializer(serializers.Serializer):
    statuses = serializers.DictField(
        child=serializers.ChoiceField(
            choices=[
                AttendanceStatus.PRESENT,
                AttendanceStatus.EXCUSED,
                AttendanceStatus.ABSENT,
            ]
        ),
        help_text="{client id: present | excused | absent} for participants of the session.",
    )

    def validate_statuses(self, value: dict) -> dict:
        try:
            return {int(key): status for key, status in value.items()}
        except (TypeError, ValueError):
            raise serializers.ValidationError(_("Name each participant by client id."))


class ParticipantsSerializer(serializers.Serializer):
    clients = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class GroupSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Job tables, information sessions and workshop modules; attendance lands in
    each participant's journal."""

    queryset = GroupSession.objects.none()  # names the model for the schema
    serializer_class = GroupSessionSerializer
    permission_classes = [permissions.IsAuthenticated, FollowsClients]

    def get_queryset(self):
        return selectors.group_sessions(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return GroupSessionDetailSerializer
        return GroupSessionSerializer

    def get_object(self):
        try:
            session = selectors.group_session_detail(
                user=self.request.user, pk=int(self.kwargs["pk"])
            )
        except (GroupSession.DoesNotExist, ValueError):
            raise exceptions.NotFound()
        self.check_object_permissions(self.request, session)
        return session

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        participants = data.pop("participants", [])
        session = services.group_session_create(
            actor=self.request.user, data=data, participants=participants
        )
        serializer.instance = selectors.group_sessions(user=self.request.user).get(pk=session.pk)

    def _detail(self, session: GroupSession) -> Response:
        session = selectors.group_session_detail(user=self.request.user, pk=session.pk)
        return Response(
            GroupSessionDetailSerializer(session, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=AttendanceSerializer,
        responses={
            200: GroupSessionDetailSerializer,
            400: OpenApiResponse(description="A client who is not a participant, or a bad status"),
            403: OpenApiResponse(description="Only counsellors and team leads record attendance"),
        },
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        payload = AttendanceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.attendance_record(
            actor=request.user, session=session, statuses=payload.validated_data["statuses"]
        )
        return self._detail(session)

    @extend_schema(request=ParticipantsSerializer, responses={200: GroupSessionDetailSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        session = self.get_object()
        payload = ParticipantsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.group_session_add_participants(
            actor=request.user, session=session, clients=payload.validated_data["clients"]
        )
        return self._detail(session)


# --- outcomes and aftercare checkpoints ----------------------------------------------------------


class CheckpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Checkpoint
        fields = [
            "id",
            "outcome",
            "months",
            "due_date",
            "done_on",
            "contact_made",
            "still_employed",
            "same_employer",
            "problems",
            "support_given",
            "done_by",
        ]
        read_only_fields = fields


class CheckpointRecordSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, help_text="Today when left out.")
    contact_made = serializers.BooleanField(allow_null=True, default=None)
    still_employed = serializers.BooleanField(required=False, allow_null=True)
    same_employer = serializers.BooleanField(required=False, allow_null=True)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    support_given = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class OutcomeSerializer(serializers.ModelSerializer):
    trajectory = ScopedRelatedField(scope=visible_trajectories, model=Trajectory)
    type = serializers.ChoiceField(choices=OutcomeType.choices)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    contract_type = serializers.ChoiceField(
        choices=ContractType.choices, required=False, default=ContractType.NONE
    )
    is_work = serializers.BooleanField(read_only=True)
    checkpoints = CheckpointSerializer(many=True, read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "id",
            "trajectory",
            "type",
            "type_label",
            "is_work",
            "start_date",
            "employer",
            "contract_type",
            "hours_per_week",
            "checkpoints",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["recorded_by", "created_at"]
        extra_kwargs = {"hours_per_week": {"min_value": None, "max_value": None}}


class OutcomeFilter(filters.FilterSet):
    trajectory = filters.NumberFilter(field_name="trajectory_id")
    client = filters.NumberFilter(field_name="trajectory__client_id")
    type = filters.ChoiceFilter(choices=OutcomeType.choices)

    class Meta:
        model = Outcome
        fields = ["trajectory", "client", "type"]


class OutcomeViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Outcomes: a start of work (which plans the aftercare checkpoints) or another
    destination."""

    queryset = Outcome.objects.none()  # names the model for the schema
    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter

    def get_queryset(self):
        return (
            Outcome.objects.filter(
                trajectory__in=visible_trajectories(self.request.user).values("pk")
            )
            .prefetch_related(
                Prefetch("checkpoints", queryset=Checkpoint.objects.order_by("months"))
            )
            .order_by("trajectory_id", "-start_date", "-id")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        trajectory = data.pop("trajectory")
        outcome = services.outcome_record(actor=self.request.user, trajectory=trajectory, data=data)
        serializer.instance = self.get_queryset().get(pk=outcome.pk)


class CheckpointFilter(filters.FilterSet):
    outcome = filters.NumberFilter(field_name="outcome_id")
    trajectory = filters.NumberFilter(field_name="outcome__trajectory_id")
    client = filters.NumberFilter(field_name="outcome__trajectory__client_id")
    done = filters.BooleanFilter(field_name="done_on", lookup_expr="isnull", exclude=True)
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Checkpoint
        fields = ["outcome", "trajectory", "client", "done", "due_before"]


class CheckpointViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Aftercare checkpoints; PATCH one to record it."""

    queryset = Checkpoint.objects.none()  # names the model for the schema
    serializer_class = CheckpointSerializer
    filterset_class = CheckpointFilter

    def get_queryset(self):
        return visible_checkpoints(self.request.user).order_by("due_date", "id")

    @extend_schema(
        request=CheckpointRecordSerializer,
        responses={
            200: CheckpointSerializer,
            400: OpenApiResponse(description="No start of work yet, or a missing answer"),
            403: OpenApiResponse(description="The user reads this file but may not change it"),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        checkpoint = self.get_object()
        payload = CheckpointRecordSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        checkpoint = services.checkpoint_record(
            actor=request.user, checkpoint=checkpoint, data=payload.validated_data
        )
        return Response(self.get_serializer(checkpoint).data)


router = DefaultRouter()
router.register("measures", MeasureViewSet, basename="measure")
router.register("partners", PartnerViewSet, basename="partner")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("partner-referrals", PartnerReferralViewSet, basename="partner-referral")
router.register("group-sessions", GroupSessionViewSet, basename="group-session")
router.register("outcomes", OutcomeViewSet, basename="outcome")
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
