"""REST API of the GPMI app: the same scoping and the same services as the pages.

- ``gpmis/``: list (filters ``type``, ``status``, ``subsidy_ends_within_days``,
  ``sort``), retrieve, create (a contract type 11/9/10, or an exemption 8 with
  its reason; community-service types are refused).
- ``gpmi-versions/``: list (``gpmi``, ``status``), retrieve, create (fields left
  out are proposed from the previous version or the needs analysis, as in the
  form), partial update of a draft (``updated_at`` of the draft that was read:
  an older one is a 409), and the lifecycle as POST actions ``present``,
  ``sign``, ``end``, ``withdraw``; ``gpmi-versions/{id}/pdf/`` is the contract
  (the signed bytes exactly as stored, or a draft with its watermark).
- ``consents/``: the consent history for the electronic social report (filter
  ``client``) and recording a new choice.
- ``esr-packages/{client_id}/``: the electronic-social-report ZIP; 409 without
  consent (the refusal is access-logged).
- ``gpmi-statistics/?year=``: the statistics as JSON (team leads).

Every queryset starts from ``Gpmi.objects.visible_to`` /
``GpmiVersion.objects.visible_to`` (or the clients whose case the user reads);
anything outside it is a 404. Service errors become API errors in
``ocmw.api.exception_handler``: ``ValidationError`` → 400 with field errors,
``PermissionDenied`` → 403 (may read but not change), a stale write → 409.
"""

from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from gpmi import esr, forms, hooks, selectors, services
from gpmi.models import (
    ConsentMethod,
    ContractLanguage,
    EndReason,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionStatus,
)
from gpmi.views import LIST_SORTS, contract_bytes, contract_filename, ordered_gpmis
from ocmw import services as core_services
from ocmw.api import UserLanguageMixin
from ocmw.models import AccessAction, Client, User
from ocmw.pagination import KeysetPagination
from trajecten.api import BY_FILE
from trajecten.models import Trajectory, case_clients

# --- helpers ---------------------------------------------------------------------------------


def _log(request, client_id: int | None, action_: str, what: str) -> None:
    core_services.access_log_record(
        user=request.user,
        client=Client(pk=client_id) if client_id else None,
        action=action_,
        what=what,
        page=request.get_full_path(),
    )


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A parent named by id in the body, looked up in the user's scope: one the
    user cannot see answers 404, exactly as in a URL."""

    def __init__(self, *, scope, model, **kwargs):
        self.scope = scope
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self):
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


def _visible_gpmis(user: User):
    return Gpmi.objects.visible_to(user)


def _visible_trajectories(user: User):
    return Trajectory.objects.visible_to(user)


def _case_clients(user: User):
    return case_clients(user)


class BinaryRenderer(BaseRenderer):
    """Lets a client ask for the file type itself; errors are still JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode("utf-8")


class PdfRenderer(BinaryRenderer):
    media_type = "application/pdf"
    format = "pdf"


class ZipRenderer(BinaryRenderer):
    media_type = "application/zip"
    format = "zip"


def _file_response(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class ScopedViewSet(UserLanguageMixin, viewsets.GenericViewSet):
    filter_backends: list = []
    # Keyset pages (``ocmw.pagination``): no count of the whole scope.
    pagination_class = KeysetPagination


@extend_schema_field(
    {
        "type": "string",
        "enum": VersionStatus.values,
        "description": "; ".join(f"`{v}` {label}" for v, label in VersionStatus.choices),
    },
    component_name="GpmiVersionStatus",
)
class VersionStatusField(serializers.ChoiceField):
    """The lifecycle status (an inline enum: "status" names other apps' enums too)."""

    def __init__(self, **kwargs):
        super().__init__(choices=VersionStatus.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": ["ok", "behind", "cannot_be_met", "not_applicable"]},
    component_name="GpmiComplianceStatus",
)
class ComplianceStatusField(serializers.CharField):
    pass


# --- GPMIs --------------------------------------------------------------------------------------


class ComplianceSerializer(serializers.Serializer):
    status = ComplianceStatusField()
    status_label = serializers.CharField()
    text = serializers.CharField(
        help_text="“2 of 3 evaluations in the last 12 months, 1 in person”"
    )
    last_12_months = serializers.IntegerField()
    last_12_months_in_person = serializers.IntegerField()
    required = serializers.IntegerField()
    required_in_person = serializers.IntegerField()
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    in_period = serializers.IntegerField()
    in_period_in_person = serializers.IntegerField()
    missing = serializers.IntegerField()


class CurrentVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = VersionStatusField()


class GpmiSerializer(serializers.ModelSerializer):
    """A GPMI as ``selectors.gpmi_list`` gives it (dates computed by PostgreSQL)."""

    client_name = serializers.CharField(source="client.full_name", read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    legal_deadline = serializers.DateField(read_only=True)
    days_to_deadline = serializers.IntegerField(
        read_only=True, help_text="Negative once the deadline has passed."
    )
    signed_on = serializers.DateField(read_only=True, allow_null=True)
    subsidy_start = serializers.SerializerMethodField()
    subsidy_end = serializers.DateField(read_only=True, allow_null=True)
    current_version = serializers.SerializerMethodField()
    compliance = serializers.SerializerMethodField()
    counsellor = serializers.IntegerField(source="trajectory.counsellor_id", read_only=True)
    team = serializers.IntegerField(source="trajectory.team_id", read_only=True)

    class Meta:
        model = Gpmi
        fields = [
            "id",
            "client",
            "client_name",
            "trajectory",
            "counsellor",
            "team",
            "type",
            "type_label",
            "leefloon_decision_date",
            "legal_deadline",
            "days_to_deadline",
            "signed_on",
            "subsidy_start",
            "subsidy_end",
            "exemption_reason",
            "current_version",
            "compliance",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATE)
    def get_subsidy_start(self, gpmi: Gpmi):
        return selectors.subsidy_dates(gpmi)[0]

    @extend_schema_field(CurrentVersionSerializer(allow_null=True))
    def get_current_version(self, gpmi: Gpmi):
        if not getattr(gpmi, "current_version_id", None):
            return None
        return {
            "id": gpmi.current_version_id,
            "number": gpmi.current_version_number,
            "status": gpmi.current_version_status,
        }

    @extend_schema_field(ComplianceSerializer(allow_null=True))
    def get_compliance(self, gpmi: Gpmi):
        if gpmi.is_exemption:
            return None
        found = self.context.get("compliance", {}).get(gpmi.pk)
        if found is None:
            found = selectors.compliance(gpmi, timezone.localdate())
        return {
            "status": found.status,
            "status_label": found.status_label,
            "text": found.text,
            "last_12_months": found.last_12_months,
            "last_12_months_in_person": found.last_12_months_in_person,
            "required": found.required,
            "required_in_person": found.required_in_person,
            "period_start": found.period_start,
            "period_end": found.period_end,
            "in_period": found.in_period,
            "in_period_in_person": found.in_period_in_person,
            "missing": found.missing,
        }


class GpmiCreateSerializer(serializers.Serializer):
    trajectory = ScopedRelatedField(
        scope=_visible_trajectories,
        model=Trajectory,
        required=False,
        help_text="The trajectory; or give `client` to use the client's open trajectory.",
    )
    client = ScopedRelatedField(scope=_case_clients, model=Client, required=False)
    type = serializers.IntegerField(
        help_text="11 general, 9 studies, 10 student with income from work, 8 exemption. "
        "Community-service types (12, 15, 16) are refused."
    )
    leefloon_decision_date = serializers.DateField(required=False, allow_null=True)
    exemption_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )

    def validate(self, attrs):
        trajectory = attrs.get("trajectory")
        client = attrs.get("client")
        if trajectory is None and client is None:
            raise serializers.ValidationError({"trajectory": [_("Give a trajectory or a client.")]})
        if trajectory is None:
            trajectory = (
                _visible_trajectories(self.context["request"].user)
                .open()
                .filter(client=client)
                .first()
            )
            if trajectory is None:
                raise serializers.ValidationError(
                    {"client": [_("A GPMI belongs to a trajectory: open a trajectory first.")]}
                )
        elif client is not None and trajectory.client_id != client.pk:
            raise serializers.ValidationError(
                {"client": [_("This trajectory belongs to another client.")]}
            )
        reason = hooks.start_refusal(trajectory, exemption=attrs.get("type") == GpmiType.EXEMPTION)
        if reason:
            raise serializers.ValidationError({"trajectory": [reason]})
        attrs["trajectory"] = trajectory
        return attrs


class GpmiListParams(serializers.Serializer):
    type = serializers.ChoiceField(choices=GpmiType.choices, required=False)
    status = serializers.ChoiceField(choices=[*VersionStatus.values, "none"], required=False)
    subsidy_ends_within_days = serializers.IntegerField(required=False, min_value=0, max_value=3660)
    sort = serializers.ChoiceField(
        choices=[*LIST_SORTS, *[f"-{key}" for key in LIST_SORTS]], required=False
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("type", int, description="Form B code: 11, 9, 10, 8 ..."),
            OpenApiParameter("status", str, description="Status of the current version, or `none`"),
            OpenApiParameter(
                "subsidy_ends_within_days",
                int,
                description="Subsidy period ends between today and today + N days",
            ),
            OpenApiParameter(
                "sort",
                str,
                description=", ".join(LIST_SORTS)
                + " (`-` reverses); without it, by client file, newest decision first",
            ),
        ]
    ),
    create=extend_schema(request=GpmiCreateSerializer, responses={201: GpmiSerializer}),
)
class GpmiViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    queryset = Gpmi.objects.none()  # names the model for the schema
    serializer_class = GpmiSerializer

    def get_queryset(self):
        params = {}
        if self.action == "list":
            checked = GpmiListParams(data=self.request.query_params)
            checked.is_valid(raise_exception=True)
            params = checked.validated_data
        gpmis = selectors.gpmi_list(
            user=self.request.user,
            subsidy_ends_within_days=params.get("subsidy_ends_within_days"),
            type=params.get("type"),
            status=params.get("status"),
        )
        if params.get("sort"):
            return ordered_gpmis(gpmis, params["sort"])
        # Without a sort: the order of the client files (see trajecten.api.BY_FILE),
        # which a keyset page reads without sorting every GPMI in scope.
        return gpmis.order_by(*BY_FILE, "-leefloon_decision_date", "-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = self.get_serializer_context()
        context["compliance"] = selectors.compliance_for_many(page, timezone.localdate())
        data = GpmiSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        gpmi = self.get_object()
        _log(request, gpmi.client_id, AccessAction.VIEW, gettext_noop("GPMI (API)"))
        return Response(self.get_serializer(gpmi).data)

    def create(self, request, *args, **kwargs):
        payload = GpmiCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        gpmi = services.gpmi_create(
            actor=request.user,
            trajectory=data["trajectory"],
            type=data["type"],
            leefloon_decision_date=data.get("leefloon_decision_date"),
            exemption_reason=data.get("exemption_reason", ""),
        )
        created = self.get_queryset().get(pk=gpmi.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


# --- versions -----------------------------------------------------------------------------------


def _texts() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=5000), max_length=100, required=False
    )


class ThirdPartySerializer(serializers.Serializer):
    party = serializers.CharField(max_length=200)
    commitment = serializers.CharField(max_length=5000)


class GpmiVersionSerializer(serializers.ModelSerializer):
    gpmi = ScopedRelatedField(scope=_visible_gpmis, model=Gpmi)
    status = VersionStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    objectives = _texts()
    commitments_client = _texts()
    commitments_ocmw = _texts()
    commitments_third_parties = ThirdPartySerializer(many=True, required=False)
    activity_domains = _texts()
    partners = _texts()
    language = serializers.ChoiceField(choices=ContractLanguage.choices, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    reflection_ends_on = serializers.DateField(read_only=True, allow_null=True)
    signed_on = serializers.DateField(read_only=True, allow_null=True)
    pdf_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        required=False,
        help_text="On update: the `updated_at` of the draft you read. "
        "If the draft changed since, nothing is saved and the answer is 409.",
    )

    class Meta:
        model = GpmiVersion
        fields = [
            "id",
            "gpmi",
            "number",
            "status",
            "status_label",
            *services.VERSION_FIELDS,
            "presented_on",
            "reflection_ends_on",
            "reflection_waived",
            "reflection_waiver_note",
            "ocmw_signatory_name",
            "ocmw_signatory_capacity",
            "counsellor",
            "client_signed_on",
            "ocmw_signed_on",
            "counsellor_signed_on",
            "partners_signed_on",
            "signed_on",
            "ended_on",
            "end_reason",
            "pdf_sha256",
            "pdf_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "presented_on",
            "reflection_waived",
            "reflection_waiver_note",
            "ocmw_signatory_name",
            "ocmw_signatory_capacity",
            "counsellor",
            "client_signed_on",
            "ocmw_signed_on",
            "counsellor_signed_on",
            "partners_signed_on",
            "ended_on",
            "end_reason",
            "pdf_sha256",
            "created_at",
        ]
        # The model and the service check these (and the one-running-version and
        # version-number constraints), so the pages and the API give the same errors.
        validators: list = []
        extra_kwargs = {
            "evaluations_per_year": {"min_value": None, "max_value": None},
            "evaluations_in_person": {"min_value": None, "max_value": None},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, version: GpmiVersion) -> str:
        request = self.context.get("request")
        path = f"/api/v1/gpmi-versions/{version.pk}/pdf/"
        return request.build_absolute_uri(path) if request else path


class GpmiVersionUpdateSerializer(GpmiVersionSerializer):
    gpmi = serializers.PrimaryKeyRelatedField(read_only=True)


class PresentSerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text="The day it was presented (default today; not in the future)."
    )


class SignSerializer(serializers.Serializer):
    ocmw_signatory_name = serializers.CharField(max_length=200)
    ocmw_signatory_capacity = serializers.CharField(max_length=200)
    client_signed_on = serializers.DateField()
    ocmw_signed_on = serializers.DateField()
    counsellor_signed_on = serializers.DateField()
    partners_signed_on = serializers.DateField(required=False, allow_null=True)
    reflection_waived = serializers.BooleanField(required=False, default=False)
    reflection_waiver_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class EndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[(v, label) for v, label in EndReason.choices if v != EndReason.REPLACED]
    )
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


LIFECYCLE_RESPONSES = {
    400: OpenApiResponse(description="Not allowed now (reflection period, no needs analysis …)"),
    403: OpenApiResponse(description="The user may read but not change this GPMI"),
    404: OpenApiResponse(description="Not a GPMI version this user may read"),
    409: OpenApiResponse(description="The version changed meanwhile"),
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("gpmi", int),
            OpenApiParameter("status", str, enum=VersionStatus.values),
        ]
    ),
    partial_update=extend_schema(request=GpmiVersionUpdateSerializer),
)
class GpmiVersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    queryset = GpmiVersion.objects.none()  # names the model for the schema
    serializer_class = GpmiVersionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = GpmiVersion.objects.visible_to(self.request.user).select_related(
            "gpmi__client", "gpmi__trajectory"
        )
        if self.action == "list":
            params = self.request.query_params
            if params.get("gpmi"):
                try:
                    qs = qs.filter(gpmi_id=int(params["gpmi"]))
                except ValueError:
                    raise exceptions.ValidationError({"gpmi": [_("A number is required.")]})
            if params.get("status"):
                if params["status"] not in VersionStatus.values:
                    raise exceptions.ValidationError(
                        {"status": [_("Unknown status: %(value)s.") % {"value": params["status"]}]}
                    )
                qs = qs.filter(status=params["status"])
            qs = qs.order_by("gpmi_id", "-number")
        return qs

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return GpmiVersionUpdateSerializer
        return GpmiVersionSerializer

    def retrieve(self, request, *args, **kwargs):
        version = self.get_object()
        _log(request, version.gpmi.client_id, AccessAction.VIEW, gettext_noop("GPMI (API)"))
        return Response(self.get_serializer(version).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        gpmi = data.pop("gpmi")
        data.pop("updated_at", None)
        proposal = services.version_prefill(gpmi=gpmi)
        version = services.version_create(
            actor=request.user, gpmi=gpmi, data={**proposal, **_plain(data)}
        )
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        version = self.get_object()
        serializer = self.get_serializer(version, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        updated_at = data.pop("updated_at", None)
        saved = services.version_update(
            actor=request.user, version=version, data=_plain(data), updated_at=updated_at
        )
        return Response(self.get_serializer(saved).data)

    def _answer(self, version: GpmiVersion) -> Response:
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(GpmiVersionSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=PresentSerializer,
        responses={200: GpmiVersionSerializer, **LIFECYCLE_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def present(self, request, pk=None):
        version = self.get_object()
        payload = PresentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.version_present(
            actor=request.user, version=version, on=payload.validated_data.get("on")
        )
        return self._answer(version)

    @extend_schema(
        request=SignSerializer,
        responses={200: GpmiVersionSerializer, **LIFECYCLE_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        version = self.get_object()
        payload = SignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.version_sign(actor=request.user, version=version, **payload.validated_data)
        return self._answer(version)

    @extend_schema(
        request=EndSerializer,
        responses={200: GpmiVersionSerializer, **LIFECYCLE_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        version = self.get_object()
        payload = EndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.version_end(
            actor=request.user,
            version=version,
            reason=data["reason"],
            on=data.get("on"),
            note=data.get("note", ""),
        )
        return self._answer(version)

    @extend_schema(
        request=WithdrawSerializer,
        responses={200: GpmiVersionSerializer, **LIFECYCLE_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        version = self.get_object()
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.version_withdraw(
            actor=request.user, version=version, reason=payload.validated_data["reason"]
        )
        return self._answer(version)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not a GPMI version this user may read"),
            409: OpenApiResponse(description="The stored signed PDF is missing"),
        },
        description="The signed contract exactly as stored at signing (see `pdf_sha256`), "
        "or a version not signed yet rendered with the DRAFT watermark. Access-logged.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        version = self.get_object()
        try:
            data = contract_bytes(version)
        except FileNotFoundError:
            return Response(
                {"detail": _("The stored PDF of this signed contract cannot be found.")},
                status=status.HTTP_409_CONFLICT,
            )
        _log(
            request,
            version.gpmi.client_id,
            AccessAction.EXPORT,
            gettext_noop("GPMI contract PDF (API)"),
        )
        return _file_response(
            data, content_type="application/pdf", filename=contract_filename(version)
        )


def _plain(data: dict) -> dict:
    """Serializer output → the service's plain values (third parties as dicts)."""
    if "commitments_third_parties" in data:
        data["commitments_third_parties"] = [dict(row) for row in data["commitments_third_parties"]]
    return data


# --- consent and the electronic social report ---------------------------------------------------


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    client = ScopedRelatedField(scope=_case_clients, model=Client)
    given = serializers.BooleanField()
    date = serializers.DateField()
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    recorded_by = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("client", int)]))
class ConsentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Consent to include the GPMI in the electronic social report; the newest row
    is the client's current choice and rows are never changed."""

    serializer_class = ConsentSerializer

    def get_queryset(self):
        from gpmi.models import Consent

        qs = Consent.objects.filter(
            client__in=case_clients(self.request.user).values("pk")
        ).select_related("recorded_by")
        client = self.request.query_params.get("client")
        if client:
            try:
                qs = qs.filter(client_id=int(client))
            except ValueError:
                raise exceptions.ValidationError({"client": [_("A number is required.")]})
        return qs.order_by(*BY_FILE, "-date", "-recorded_at", "-id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.consent_record(actor=self.request.user, **data)


@extend_schema_view(
    retrieve=extend_schema(
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not a client whose case this user reads"),
            409: OpenApiResponse(description="No consent, or no signed contract"),
        },
        description="ZIP with the last signed contract PDF and gpmi.json. Without the "
        "client's consent the answer is 409; downloads and refusals are access-logged.",
    )
)
class EsrPackageViewSet(ScopedViewSet):
    lookup_url_kwarg = "client_id"
    lookup_value_regex = r"\d+"
    renderer_classes = [JSONRenderer, ZipRenderer]

    def retrieve(self, request, client_id=None):
        client = case_clients(request.user).filter(pk=client_id).first()
        if client is None:
            raise exceptions.NotFound()
        try:
            filename, data = esr.build_package(
                user=request.user, client=client, page=request.get_full_path()
            )
        except (esr.ConsentMissing, esr.NoSignedContract) as exc:
            return Response(
                {"detail": exc.messages[0], "code": exc.code}, status=status.HTTP_409_CONFLICT
            )
        return _file_response(data, content_type="application/zip", filename=filename)


# --- statistics -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)],
        responses={
            200: inline_serializer(
                "GpmiStatistics",
                fields={
                    "year": serializers.IntegerField(),
                    "reference_date": serializers.DateField(),
                    "scope": serializers.DictField(),
                    "columns": serializers.ListField(child=serializers.DictField()),
                    "total": serializers.DictField(),
                    "breakdowns": serializers.ListField(child=serializers.DictField()),
                },
            ),
            400: OpenApiResponse(description="Not a year the statistics can show"),
            403: OpenApiResponse(description="Team leads only"),
        },
    )
)
class GpmiStatisticsViewSet(ScopedViewSet):
    """The figures of the statistics page, broken down by type, age group, gender and team."""

    def list(self, request):
        user = request.user
        if not (user.ocmw_id and user.is_team_lead):
            raise exceptions.PermissionDenied()
        year_form = forms.YearForm({"year": request.query_params.get("year")})
        if not year_form.is_valid():
            raise exceptions.ValidationError(
                {"year": year_form.errors.get("year") or [_("Give a year.")]}
            )
        try:
            data = selectors.statistics(user=user, year=year_form.cleaned_data["year"])
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"year": exc.messages})
        return Response(data)


router = DefaultRouter()
router.register("gpmis", GpmiViewSet, basename="gpmi")
router.register("gpmi-versions", GpmiVersionViewSet, basename="gpmi-version")
router.register("consents", ConsentViewSet, basename="consent")
router.register("esr-packages", EsrPackageViewSet, basename="esr-package")
router.register("gpmi-statistics", GpmiStatisticsViewSet, basename="gpmi-statistics")
