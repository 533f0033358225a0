"""Meetings as an iCalendar feed at a secret URL per token, for calendar clients.

Calendar clients cannot send headers, so the secret is in the URL: the token's public prefix
and an HMAC of its stored hash. The URL works as long as the token is live; revoking the
token revokes its calendar. The feed shows the meetings with their agendas as that token's
user may see them (document references through the one visibility rule).
"""

import datetime
import hashlib
import hmac
import re

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from icalendar import Calendar, Event
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import KEY_MARKER, PREFIX_LENGTH, APIToken
from documents.models import AgendaItem, Body, Document, Meeting, MeetingStatus

# How far back the feed reaches; everything ahead is in it.
PAST_DAYS = 180
# Hex digits of the HMAC kept in the URL.
MAC_LENGTH = 40
# The shape of every key calendar_key() makes: the token's prefix, a dot, the MAC. Anything
# else (a NUL byte, a stray character, a wrong length) is not found before any query runs.
KEY_PATTERN = re.compile(
    rf"{re.escape(KEY_MARKER)}[A-Za-z0-9_-]{{{PREFIX_LENGTH - len(KEY_MARKER)}}}"
    rf"\.[0-9a-f]{{{MAC_LENGTH}}}"
)


def calendar_key(token: APIToken) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"calendar:{token.key_hash}".encode(), hashlib.sha256
    )
    return f"{token.prefix}.{mac.hexdigest()[:MAC_LENGTH]}"


def _token_of(key: str) -> APIToken | None:
    if not KEY_PATTERN.fullmatch(key):
        return None
    prefix, _, _mac = key.partition(".")
    token = APIToken.objects.live().select_related("user").filter(prefix=prefix).first()
    if token is None or not token.user.is_active:
        return None
    return token if hmac.compare_digest(calendar_key(token), key) else None


class CalendarLinkView(APIView):
    """The secret calendar URLs of the caller's live tokens (one per token)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "CalendarLinks", {"calendars": serializers.ListField(child=serializers.URLField())}
        )
    )
    def get(self, request):
        tokens = APIToken.objects.live().filter(user=request.user).order_by("created_at")
        urls = [
            request.build_absolute_uri(
                reverse("api:calendar-feed", kwargs={"key": calendar_key(token)})
            )
            for token in tokens
        ]
        return Response({"calendars": urls})


class CalendarFeedView(APIView):
    """Meetings (optionally of one body) as ``text/calendar``; no headers needed."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("body", OpenApiTypes.STR, description="only this body (its slug)")
        ],
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, key: str):
        token = _token_of(key)
        if token is None:
            raise Http404("no such calendar")
        meetings = _meetings_for(token.user, body=request.query_params.get("body"))
        return HttpResponse(
            _calendar(meetings, request).to_ical(), content_type="text/calendar; charset=utf-8"
        )


def _meetings_for(user, *, body: str | None):
    readable = Document.objects.readable_by(user).only("id", "reference")
    meetings = Meeting.objects.filter(
        starts_at__gte=timezone.now() - datetime.timedelta(days=PAST_DAYS)
    )
    if body is not None:
        found = Body.objects.filter(slug=body).first()
        if found is None:
            raise ValidationError({"body": [f"no body {body!r}: use its slug, e.g. lewp-police"]})
        meetings = meetings.filter(body=found)
    return meetings.select_related("body").prefetch_related(
        Prefetch(
            "agenda_items",
            queryset=AgendaItem.objects.order_by("order").prefetch_related(
                "procedures", Prefetch("documents", queryset=readable)
            ),
        )
    )


_STATUS = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.CONFIRMED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def _calendar(meetings, request) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Council document tracker//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Council meetings")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.key}@{request.get_host()}")
        event.add("dtstamp", meeting.updated_at)
        event.add("last-modified", meeting.updated_at)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + datetime.timedelta(hours=3))
        event.add("summary", f"{meeting.body}: {meeting.title or meeting.body.name}")
        event.add("location", "Videoconference" if meeting.videoconference else meeting.place)
        event.add("status", _STATUS[meeting.status])
        lines = []
        for item in meeting.agenda_items.all():
            linked = [p.reference for p in item.procedures.all()]
            linked += [d.reference for d in item.documents.all()]
            lines.append(
                f"{item.order}. {item.title}" + (f" ({', '.join(linked)})" if linked else "")
            )
        event.add("description", "\n".join(lines))
        event.add(
            "url",
            request.build_absolute_uri(reverse("api:meeting-detail", kwargs={"key": meeting.key})),
        )
        calendar.add_component(event)
    return calendar
