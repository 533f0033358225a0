"""*Register from file* at the registry desk: upload a document, check what its cover says on
the add form (what the parser was unsure of highlighted), register it with its file.

The upload is kept under ``MEDIA_ROOT/intake/<token>/`` and what was read in the session,
both bound to the clerk's session: the token is useless in any other. The registration goes
through ``documents.services.intake.document_register_from_file``: the document and its file
in one transaction, under the cover's own reference.
"""

import datetime
import secrets

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from documents.admin.forms import DocumentRegisterForm
from documents.intake import READABLE_SUFFIXES, UnreadableFile, parse_cover, text_from_bytes
from documents.models import Language, Procedure
from documents.references import InvalidReference, parse_document_reference
from documents.selectors.intake import awaited_references
from documents.services.intake import cover_notes, document_register_from_file, known_subject_codes
from documents.services.subject_codes import parse_subject_code_label

_SESSION = "intake:"
# Parser field names -> the add form's fields.
_FORM_FIELDS = {
    "reference": "reference", "date": "date", "place": "place",
    "original_language": "original_language", "document_type": "document_type",
    "originator": "originator", "recipients": "recipients", "subject": "subject",
    "distribution": "distribution", "procedures": "procedures",
    "subject_codes": "subject_code_labels", "cited_documents": "cites",
    "previous_documents": "cites",
}  # fmt: skip


class UploadForm(forms.Form):
    file = forms.FileField(help_text=f"{', '.join(READABLE_SUFFIXES)}: its cover page is read")
    language = forms.ChoiceField(choices=Language.choices, initial=Language.EN)

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.DOCUMENT_FILE_MAX_BYTES:
            raise ValidationError(
                f"{upload.name} is {upload.size} bytes; the limit is "
                f"{settings.DOCUMENT_FILE_MAX_BYTES}"
            )
        data = upload.read()
        upload.seek(0)
        try:
            self.text = text_from_bytes(data, upload.name or "").text
        except UnreadableFile as error:
            raise ValidationError(str(error)) from None
        return upload


class DocumentIntakeForm(DocumentRegisterForm):
    """The add form, filled in from a cover: subject codes as the cover numbers them, the file
    stored with the document."""

    intake = forms.CharField(widget=forms.HiddenInput)
    subject_code_labels = forms.CharField(
        required=False,
        label="Subject codes",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="As on the cover, with their numbers: JAI 64, ENFOPOL 15 (kept, not allocated).",
    )
    entry: dict = {}  # the session's record of the upload, set by the admin

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["subject_codes"]
        for name, problems in self.entry.get("warnings_by_field", {}).items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " intake-warning"
            field.help_text = "Check: " + " ".join(problems) + (
                f" ({field.help_text})" if field.help_text else ""
            )  # fmt: skip

    def clean_subject_code_labels(self) -> list[str]:
        text = self.cleaned_data["subject_code_labels"]
        labels = []
        for piece in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
            labels.append(str(parse_subject_code_label(piece)))
        return labels

    def clean(self):
        cleaned = forms.ModelForm.clean(self)
        if self.errors:
            return cleaned
        level = self.entry.get("classification_level", 0)
        if level and "classification" not in self.fields:
            raise ValidationError(
                f"The cover is marked {self.entry['cover']['classification']}: classified "
                "documents are registered by a security officer, and the register keeps no "
                "files of them."
            )
        values = {name: cleaned[name] for name in self._meta.fields if name in cleaned}
        values.setdefault("classification", level)
        if not default_storage.exists(self.entry["path"]):
            raise ValidationError("The uploaded file is gone (left too long?): upload it again.")
        try:
            with transaction.atomic(), default_storage.open(self.entry["path"]) as upload:
                upload.name = self.entry["name"]
                self.registered = document_register_from_file(
                    upload=upload,
                    language=self.entry["language"],
                    reference=cleaned["reference"] or None,
                    series=cleaned["series"],
                    procedures=list(cleaned["procedures"]),
                    bodies=list(cleaned["bodies"]),
                    subject_codes=cleaned["subject_code_labels"],
                    cites=self.cited_references(),
                    registered_by=self.request.user,
                    **values,
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                field = {"subject_codes": "subject_code_labels", "file": None}.get(field, field)
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


class RegisterFromFileMixin:
    """The *Register from file* and *Awaited documents* views of the document admin."""

    def intake_urls(self):
        return [
            path(
                "register-from-file/",
                self.admin_site.admin_view(self.register_from_file_view),
                name="documents_document_register_from_file",
            ),
            path(
                "awaited/",
                self.admin_site.admin_view(self.awaited_view),
                name="documents_document_awaited",
            ),
        ]

    def may_register_from_file(self, request) -> bool:
        """Clerks and supervisors: those who register documents and store their files."""
        return self.has_add_permission(request) and request.user.has_perm(
            "documents.add_documentfile"
        )

    def intake_entry(self, request) -> dict | None:
        token = request.GET.get("intake") or request.POST.get("intake")
        if not token:
            return None
        entry = request.session.get(_SESSION + token)
        if entry is None:
            raise PermissionDenied("This upload is not yours or has expired: upload it again.")
        return entry

    def register_from_file_view(self, request):
        if not self.may_register_from_file(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            _stale_uploads_delete()
            upload = form.cleaned_data["file"]
            cover = parse_cover(form.text, known_subject_codes=known_subject_codes())
            token = secrets.token_urlsafe(16)
            name = get_valid_filename(upload.name) or "upload"
            stored = default_storage.save(f"intake/{token}/{name}", upload)
            request.session[_SESSION + token] = _entry(cover, stored, name, form)
            return HttpResponseRedirect(
                reverse("admin:documents_document_add") + f"?intake={token}"
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Register from file",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/documents/document/register_from_file.html", context
        )

    def awaited_view(self, request):
        """Placeholders: documents cited by documents the user may see, not registered yet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Cited documents not registered yet",
            "awaited": awaited_references(request.user),
            "opts": self.model._meta,
            "can_register_from_file": self.may_register_from_file(request),
        }
        return TemplateResponse(request, "admin/documents/document/awaited.html", context)

    def intake_initial(self, entry: dict) -> dict:
        cover = entry["cover"]
        initial = {
            name: cover[key]
            for key, name in (
                ("date", "date"), ("place", "place"), ("original_language", "original_language"),
                ("document_type", "document_type"), ("from", "originator"),
                ("to", "recipients"), ("subject", "subject"),
            )
            if cover[key]
        }  # fmt: skip
        if cover["reference"]:
            reference = parse_document_reference(cover["reference"])
            initial["reference"] = reference.cover
            initial["series"] = reference.series
        initial["distribution"] = "LIMITE" if cover["distribution"] else "PUBLIC"
        initial["procedures"] = list(
            Procedure.objects.filter(reference__in=cover["procedures"]).values_list("pk", flat=True)
        )
        initial["subject_code_labels"] = ", ".join(cover["subject_codes"])
        initial["cites"] = ", ".join(_cover_form(r) for r in cover["cited_documents"])
        initial["intake"] = entry["token"]
        return initial

    def intake_context(self, entry: dict) -> dict:
        cover = entry["cover"]
        registered = set(
            Procedure.objects.filter(reference__in=cover["procedures"]).values_list(
                "reference", flat=True
            )
        )
        notes = list(entry["notes"])
        notes += [
            f"Procedure {p} is not registered: register it first, or leave it out."
            for p in cover["procedures"]
            if p not in registered
        ]
        return {"intake": {**entry, "notes": notes}}


def _cover_form(canonical: str) -> str:
    try:
        return parse_document_reference(canonical).cover
    except InvalidReference:  # never: the parser only gives valid references
        return canonical


def _entry(cover, stored: str, name: str, form: UploadForm) -> dict:
    warnings_by_field: dict[str, list[str]] = {}
    for warning in cover.warnings:
        field = _FORM_FIELDS.get(warning.field or "")
        if field:
            warnings_by_field.setdefault(field, []).append(warning.message)
    return {
        "token": stored.split("/")[1],
        "path": stored,
        "name": name,
        "language": form.cleaned_data["language"],
        "cover": cover.as_json(),
        "classification_level": cover.classification_level,
        "warnings": [str(warning) for warning in cover.warnings],
        "warnings_by_field": warnings_by_field,
        "notes": cover_notes(cover),
    }


def _stale_uploads_delete() -> None:
    """Uploads read but never registered, older than a session lives: deleted."""
    from django.conf import settings

    limit = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    try:
        folders, _files = default_storage.listdir("intake")
    except FileNotFoundError:
        return
    for folder in folders:
        _subfolders, names = default_storage.listdir(f"intake/{folder}")
        paths = [f"intake/{folder}/{name}" for name in names]
        if all(default_storage.get_modified_time(path) < limit for path in paths):
            for path in paths:
                default_storage.delete(path)


def intake_done(request, entry: dict) -> None:
    """The upload is stored as the document's file: forget it (after commit)."""
    request.session.pop(_SESSION + entry["token"], None)
    transaction.on_commit(lambda: default_storage.delete(entry["path"]))
