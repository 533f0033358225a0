"""The public dump: its index and its files (``manage.py export_register``, rebuilt by beat)."""

import base64
import hashlib

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.dumps.store import MANIFEST, dump_latest
from api.serializers.links import api_url
from api.views.base import conditional_response, parameters_check

AUDIENCE = "public"  # the delegation dump is handed over by operators, never served
GZIP = "application/gzip"


class DumpFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="e.g. documents.jsonl.gz")
    resource = serializers.CharField(help_text="the list whose lines it holds, e.g. documents")
    records = serializers.IntegerField(help_text="lines (records) in the file")
    bytes = serializers.IntegerField(help_text="size of the gzip'd file")
    sha256 = serializers.CharField(help_text="hex SHA-256 of the gzip'd file")
    url = serializers.URLField()


class DumpIndexSerializer(serializers.Serializer):
    format = serializers.IntegerField(help_text="version of the dump's layout")
    api_version = serializers.CharField(help_text="version of the API whose lists the lines are")
    audience = serializers.CharField()
    id = serializers.CharField(help_text="the dump's id (when it was taken, UTC)")
    created_at = serializers.DateTimeField(help_text="when the snapshot was taken")
    cursor = serializers.CharField(help_text="the changes feed's cursor to follow on from")
    changes_url = serializers.URLField(help_text="the changes feed from that cursor")
    manifest_url = serializers.URLField()
    files = DumpFileSerializer(many=True)


def _latest():
    found = dump_latest(AUDIENCE)
    if found is None:
        raise NotFound("no dump of the register has been built yet")
    return found


class DumpIndexView(APIView):
    """The latest public dump of the register: a new mirror loads its files (gzip'd JSON Lines,
    one per list, each line as the list shows it), checks each against its SHA-256, then
    follows the changes feed from ``changes_url``."""

    @extend_schema(operation_id="dumps_index", responses=DumpIndexSerializer)
    def get(self, request):
        parameters_check(request, {"format"})
        _folder, manifest = _latest()
        files = [
            {**entry, "url": api_url(request, "dump-file", file=entry["name"])}
            for entry in manifest["files"]
        ]
        data = {
            **manifest,
            "changes_url": f"{api_url(request, 'changes')}?cursor={manifest['cursor']}",
            "manifest_url": api_url(request, "dump-file", file=MANIFEST),
            "files": files,
        }
        response = conditional_response(request, data)
        response["Cache-Control"] = "no-cache"
        return response


class DumpFileView(APIView):
    """A file of the latest public dump, with its SHA-256 in ``Repr-Digest`` / ``Digest``
    (RFC 9530: ``sha-256=:<base64>:``) and as the ``ETag``."""

    @extend_schema(
        operation_id="dumps_file",
        responses={
            (200, GZIP): OpenApiTypes.BINARY,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
        description="A gzip'd JSON Lines file (`application/gzip`, no `Content-Encoding`: the "
        "bytes are those the manifest's SHA-256 is of), or the manifest (`manifest.json`).",
    )
    def get(self, request, file: str):
        parameters_check(request, set())
        folder, manifest = _latest()
        if file == MANIFEST:
            sha256, media_type = None, "application/json"
        else:
            entry = next((e for e in manifest["files"] if e["name"] == file), None)
            if entry is None:
                raise NotFound("no such file in the dump: the index lists them")
            sha256, media_type = entry["sha256"], GZIP
        try:
            opened = (folder / file).open("rb")
        except OSError:  # removed meanwhile (two newer dumps published): start from the index
            raise NotFound("no such file in the dump: the index lists them") from None
        if sha256 is None:
            sha256 = hashlib.sha256(opened.read()).hexdigest()
            opened.seek(0)
        etag = f'"{sha256}"'
        headers = {
            "ETag": etag,
            "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:",
            "Cache-Control": "no-cache",
        }
        headers["Digest"] = headers["Repr-Digest"]
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            opened.close()
            return Response(status=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
        response = FileResponse(opened, content_type=media_type, as_attachment=True, filename=file)
        for name, value in headers.items():
            response[name] = value
        return response
