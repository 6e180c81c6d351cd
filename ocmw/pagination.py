"""Keyset (cursor) pages for the API lists.

A page is "the next 50 rows after this row's sort key": an index-friendly
``WHERE`` instead of ``OFFSET``, and no ``COUNT(*)`` of the whole scoped set on
every request. At 200,000 clients a team's scope holds tens of thousands of
trajectories and hundreds of thousands of journal contacts; counting them cost
more than the page itself, and an offset page costs more the further it is.

The answer has DRF's cursor-pagination shape: ``{"next", "previous",
"results"}``, where ``next`` and ``previous`` are links (or null). The order is
the queryset's own (``order_by``, else the model's ``Meta.ordering``) with the
primary key appended when it is not already there, so every row has a unique
key. The cursor is that key, signed: a link that was tampered with or made for
another order is a 404 ("Invalid cursor"), as an unknown page number is in
DRF's page-number pagination.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

_SALT = "ocmw.pagination.keyset"


@dataclass(frozen=True)
class Column:
    """One column of the order: a field path (``client__last_name``) or an
    annotation, its direction and where its NULLs go (PostgreSQL's default:
    last going up, first going down)."""

    path: str
    descending: bool
    nulls_first: bool
    nullable: bool

    @property
    def label(self) -> str:
        return f"{'-' if self.descending else ''}{self.path}{'^' if self.nulls_first else ''}"

    def reversed(self) -> Column:
        return Column(self.path, not self.descending, not self.nulls_first, self.nullable)

    def order(self):
        # Name the NULLs' place only where it is not PostgreSQL's default, so the
        # ORDER BY still matches a plain index (scanned forwards or backwards).
        place = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        if self.nulls_first == self.descending:
            place = {}
        field = F(self.path)
        return field.desc(**place) if self.descending else field.asc(**place)

    def after(self, value: Any) -> Q:
        """Rows strictly after ``value`` in this column's order."""
        if value is None:
            # After a NULL come the values only when NULLs go first.
            return Q(**{f"{self.path}__isnull": False}) if self.nulls_first else Q(pk__in=[])
        later = Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and not self.nulls_first:
            later |= Q(**{f"{self.path}__isnull": True})
        return later

    def not_before(self, value: Any) -> Q | None:
        """A plain range on this column (``a >= x``) implied by "after the key",
        so that PostgreSQL starts its index scan there; None when NULLs make it
        something other than a range."""
        if value is None or self.nullable:
            return None
        return Q(**{f"{self.path}__{'lte' if self.descending else 'gte'}": value})

    def equal(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.path}__isnull": True})
        return Q(**{self.path: value})


def _is_nullable(model, path: str) -> bool:
    """Whether a field path may hold NULL (an annotation is assumed to)."""
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return True
        if field.null:
            return True
        if index < len(parts) - 1:
            if not field.is_relation:
                return True
            model = field.related_model
    return False


def order_columns(queryset: QuerySet) -> list[Column]:
    """The queryset's order as columns, the primary key appended as the tiebreaker."""
    query = queryset.query
    ordering = list(query.order_by) or (
        list(query.get_meta().ordering) if query.default_ordering else []
    )
    model = queryset.model
    columns: list[Column] = []
    for item in ordering:
        if isinstance(item, str):
            descending = item.startswith("-")
            path = item.lstrip("-")
            nulls_first = descending
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending = item.descending
            path = item.expression.name
            nulls_first = True if item.nulls_first else False if item.nulls_last else descending
        else:
            raise ImproperlyConfigured(f"Keyset pages need field orderings, not {item!r}.")
        if path == "id" or path == model._meta.pk.name:
            path = "pk"
        columns.append(Column(path, descending, nulls_first, _is_nullable(model, path)))
    if not columns or columns[-1].path != "pk":
        descending = columns[-1].descending if columns else False
        columns.append(Column("pk", descending, descending, False))
    return columns


def _row_value(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = getattr(value, part) if value is not None else None
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "pk"):  # a foreign key's object
        return value.pk
    return value


def beyond(columns: list[Column], key: list[Any]) -> Q:
    """Rows strictly after ``key`` in the order of ``columns``:
    (a > x) or (a = x and b > y) or (a = x and b = y and id > z) ..."""
    after = Q(pk__in=[])
    equal = Q()
    for column, value in zip(columns, key, strict=True):
        after |= equal & column.after(value)
        equal &= column.equal(value)
    start = columns[0].not_before(key[0])
    return after & start if start is not None else after


class KeysetPagination(BasePagination):
    """DRF pagination by keyset: ``?cursor=`` links, no count, constant cost per page."""

    page_size = settings.REST_FRAMEWORK.get("PAGE_SIZE") or 50
    cursor_query_param = "cursor"
    invalid_cursor_message = _("Invalid cursor")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        columns = order_columns(queryset)
        signature = [c.label for c in columns]
        direction, key = self._decode(request.query_params.get(self.cursor_query_param), signature)
        backwards = direction == "prev"
        walk = [c.reversed() for c in columns] if backwards else columns
        page_qs = queryset.order_by(*[c.order() for c in walk])
        if key is not None:
            page_qs = page_qs.filter(beyond(walk, key))
        rows = list(page_qs[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
            has_previous, has_next = more, True
        else:
            has_previous, has_next = key is not None, more
        self.next_cursor = (
            self._encode("next", rows[-1], columns, signature) if (has_next and rows) else None
        )
        self.previous_cursor = (
            self._encode("prev", rows[0], columns, signature) if (has_previous and rows) else None
        )
        return rows

    def _encode(self, direction: str, row: Any, columns: list[Column], signature) -> str:
        key = [_encode(_row_value(row, c.path)) for c in columns]
        return signing.dumps({"o": signature, "d": direction, "k": key}, salt=_SALT, compress=True)

    def _decode(self, cursor: str | None, signature: list[str]) -> tuple[str, list | None]:
        if not cursor:
            return "next", None
        try:
            data = signing.loads(cursor, salt=_SALT)
            if data["o"] != signature or data["d"] not in ("next", "prev"):
                raise ValueError(cursor)
            if not isinstance(data["k"], list) or len(data["k"]) != len(signature):
                raise ValueError(cursor)
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        return data["d"], data["k"]

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self) -> str | None:
        return self._link(self.next_cursor)

    def get_previous_link(self) -> str | None:
        return self._link(self.previous_cursor)

    def get_paginated_response(self, data) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {**link, "example": "https://example.org/api/v1/clients/?cursor=eyJv..."},
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The page after (or before) a row: from the `next` or "
                "`previous` link of the answer.",
                "schema": {"type": "string"},
            }
        ]
