"""Links a machine can follow: every record another one names is an object with its public key
(a reference, a slug, a meeting key) and its absolute API URL, never a database id."""

import re
from urllib.parse import quote

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

_MARK = "zzlinkzz"
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]*\Z")  # keys and slugs: nothing to quote


def api_url(request, name: str, **kwargs) -> str:
    """The absolute URL of an API route. A page names hundreds of records: each route is
    reversed once per request, into a template its keys are filled into."""
    templates = request.__dict__.setdefault("_api_url_templates", {})
    shape = (name, tuple(sorted(kwargs)))
    template = templates.get(shape)
    if template is None:
        try:
            marked = reverse(f"api:{name}", kwargs={key: f"{_MARK}{key}" for key in kwargs})
        except NoReverseMatch:  # a route whose pattern takes no marker: reversed each time
            return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))
        template = templates[shape] = request.build_absolute_uri(marked)
    url = template
    for key, value in kwargs.items():
        value = str(value)
        url = url.replace(
            f"{_MARK}{key}", value if _URL_SAFE.match(value) else quote(value, safe="")
        )
    return url


def file_url(request, slug: str, language: str) -> str:
    """A document's file in one language: the route ``document-file``, which is the document's
    own URL followed by ``files/<language>/`` (a test holds the two equal)."""
    return api_url(request, "document-detail", slug=slug) + f"files/{language}/"


def document_slug(reference: str) -> str:
    """The slug of a canonical reference (the rule the documents table checks)."""
    return reference.lower().replace(" ", "-")


def document_link(request, reference: str, *, shown: bool = True) -> dict:
    """``reference`` as written, with the URL of the document when the caller may see it."""
    url = api_url(request, "document-detail", slug=document_slug(reference)) if shown else None
    return {"reference": reference, "url": url}


def procedure_link(request, procedure) -> dict:
    return {
        "reference": procedure.reference,
        "url": api_url(request, "procedure-detail", slug=procedure.slug),
    }


def meeting_link(request, meeting) -> dict:
    return {"key": meeting.key, "url": api_url(request, "meeting-detail", key=meeting.key)}


def body_link(request, body) -> dict | None:
    if body is None:
        return None
    return {
        "slug": body.slug,
        "name": body.name,
        "url": api_url(request, "body-detail", slug=body.slug),
    }


class DocumentLinkSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="canonical reference, e.g. ST 5397 2024 INIT")
    url = serializers.URLField(
        allow_null=True, help_text="null when the document is not registered or not yours to see"
    )


class ProcedureLinkSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="e.g. 2023/0452(COD)")
    url = serializers.URLField()


class MeetingLinkSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="stable key, e.g. lewp-police-2022-06-22")
    url = serializers.URLField()


class BodyLinkSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="stable key, e.g. lewp-police")
    name = serializers.CharField()
    url = serializers.URLField()
