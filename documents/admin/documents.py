"""The registry desk for documents: register, find, derive, attach files, release."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from documents.admin.base import ProtectedNamesHiddenMixin, RecordHistoryMixin
from documents.admin.forms import (
    DocumentChangeForm,
    DocumentFileForm,
    DocumentRegisterForm,
    ReleaseForm,
    UndoReleaseForm,
)
from documents.admin.intake import DocumentIntakeForm, RegisterFromFileMixin, intake_done
from documents.admin.lists import (
    CappedPaginator,
    CommentsDueFilter,
    SubjectCodeFilter,
    YearFilter,
)
from documents.models import Distribution, Document, DocumentFile
from documents.search import documents_find
from documents.selectors import HIDDEN, citations_hidden_from, document_history
from documents.services import (
    document_delete,
    document_derive,
    document_release,
    document_release_undo,
    document_update,
)
from documents.services.documents import EDITABLE_FIELDS

DERIVABLE = ("REV", "ADD", "COR", "EXT")


def _with_request(form_class, request):
    return type(form_class.__name__, (form_class,), {"request": request})


class DocumentFileInline(admin.TabularInline):
    model = DocumentFile
    form = DocumentFileForm
    extra = 0
    fields = ("language", "upload", "size", "sha256", "media_type", "uploaded_at")
    readonly_fields = ("size", "sha256", "media_type", "uploaded_at")
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _with_request(self.form, request)
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None) -> bool:
        return (
            obj is not None and obj.classification == 0 and super().has_add_permission(request, obj)
        )


@admin.register(Document)
class DocumentAdmin(
    RegisterFromFileMixin, ProtectedNamesHiddenMixin, RecordHistoryMixin, admin.ModelAdmin
):
    list_display = (
        "reference", "cover_reference", "date", "document_type", "marking", "public", "subject",
    )  # fmt: skip
    list_display_links = ("reference",)
    # Every filter offers choices known without reading the register (no DISTINCT over a
    # million documents on each page).
    list_filter = (
        "series",
        YearFilter,
        "distribution",
        "classification",
        "document_type",
        SubjectCodeFilter,
        CommentsDueFilter,
    )
    search_fields = ("subject", "reference")  # through documents_find, each by an index
    search_help_text = (
        "A reference in any spelling (5397/24, 5397-24, WK 9107/22, 9068/22 ADD 1: also finds "
        "the documents citing it), a procedure (2023/0452(COD)), a subject code (JAI 64, "
        "ENFOPOL) or words of the subject"
    )
    list_per_page = 50
    paginator = CappedPaginator
    show_full_result_count = False  # a count of everything would be a second, slow query
    actions = ("release_selected",)
    change_form_template = "admin/documents/document/change_form.html"
    change_list_template = "admin/documents/document/change_list.html"
    history_selector = staticmethod(document_history)

    # --- who sees what ------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).with_public()

    def has_release_permission(self, request) -> bool:
        return request.user.has_perm("documents.release_document")

    # --- forms --------------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = DocumentChangeForm if obj else DocumentRegisterForm
        kwargs["form"] = _with_request(form, request)
        if obj is None and (entry := self.intake_entry(request)) is not None:
            kwargs["form"] = type(
                "DocumentIntakeForm", (DocumentIntakeForm,), {"request": request, "entry": entry}
            )
        kwargs["fields"] = None  # the form's Meta decides
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            register = ["reference", "series", *EDITABLE_FIELDS, "distribution"]
            if request.user.has_perm("documents.classify_document"):
                register.append("classification")
            links = ["procedures", "bodies", "subject_codes", "cited_documents", "cites"]
            if self.intake_entry(request) is not None:
                links[2] = "subject_code_labels"
                links.append("intake")
            return [(None, {"fields": register}), ("Links", {"fields": links})]
        return [
            (None, {"fields": ["reference", "cover_reference", "extends", *EDITABLE_FIELDS]}),
            ("Markings", {"fields": ["distribution", "classification", "release"]}),
            (
                "Links",
                {
                    "fields": [
                        "procedures",
                        "bodies",
                        "subject_code_labels",
                        "cited_documents",
                        "cites",
                    ]
                },
            ),
            ("Record", {"fields": ["registered_by", "created_at", "updated_at"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fields = (
            "reference", "cover_reference", "extends", "distribution", "release",
            "subject_code_labels", "registered_by", "created_at", "updated_at",
        )  # fmt: skip
        if request.user.has_perm("documents.classify_document"):
            return fields
        return (*fields, "classification")

    def get_inlines(self, request, obj):
        return [DocumentFileInline] if obj is not None else []

    def get_changeform_initial_data(self, request):
        if (entry := self.intake_entry(request)) is not None:
            return {"series": "ST", **self.intake_initial(entry)}
        return {"series": "ST", **super().get_changeform_initial_data(request)}

    def add_view(self, request, form_url="", extra_context=None):
        if (entry := self.intake_entry(request)) is not None:
            extra_context = {**self.intake_context(entry), **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra = {"can_register_from_file": self.may_register_from_file(request)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def save_form(self, request, form, change):
        return form.instance if change else form.registered

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            return  # registered by the form, through document_register
        hidden = citations_hidden_from(obj, user=request.user)
        document_update(
            document=obj,
            updated_by=request.user,
            procedures=form.cleaned_data["procedures"],
            bodies=form.cleaned_data["bodies"],
            cites=[*form.cited_references(), *sorted(hidden)],
            **{name: form.cleaned_data[name] for name in EDITABLE_FIELDS},
        )

    def delete_model(self, request, obj) -> None:
        document_delete(document=obj, deleted_by=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def response_add(self, request, obj, post_url_continue=None):
        stored = ""
        if (entry := self.intake_entry(request)) is not None:
            intake_done(request, entry)
            if obj.files.exists():
                stored = f", with its {entry['language']} file {entry['name']}"
        self.message_user(
            request,
            f"Registered {obj.reference} ({obj.cover_reference}){stored}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:documents_document_change", args=[obj.pk]))

    # --- what the change page shows -----------------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        document = super().get_object(request, object_id, from_field)
        if document is not None and document.parent_id is not None:
            visible = Document.objects.visible_to(request.user)
            document.parent_visible = visible.filter(pk=document.parent_id).exists()
        return document

    @admin.display(description="extends")
    def extends(self, obj: Document) -> str:
        """The document this version revises, adds to, corrects or extracts, if it may be seen."""
        if obj.parent_id is None:
            return "-"
        return obj.parent.reference if getattr(obj, "parent_visible", False) else HIDDEN

    @admin.display(description="marking")
    def marking(self, obj: Document) -> str:
        """The marking on the cover (a released LIMITE document keeps it)."""
        if obj.classification:
            return obj.get_classification_display()
        if obj.distribution == Distribution.LIMITE:
            return "LIMITE (released)" if obj.released_at else "LIMITE"
        return "no marking"

    @admin.display(description="public", boolean=True)
    def public(self, obj: Document) -> bool:
        """Whether anybody may read it in full: the visibility rule's answer, nothing else."""
        return obj.public

    @admin.display(description="release")
    def release(self, obj: Document) -> str:
        public = "public" if obj.public else "not public"
        if obj.released_at is None:
            return f"not released ({public})" if obj.distribution == Distribution.LIMITE else "-"
        return (
            f"released on {timezone.localtime(obj.released_at):%d.%m.%Y %H:%M} by "
            f"{obj.released_by} ({public}): {obj.get_release_reason_display()} "
            f"{obj.release_note}".strip()
        )

    @admin.display(description="subject codes")
    def subject_code_labels(self, obj: Document) -> str:
        links = obj.subject_code_links.select_related("subject_code", "allocation")
        return ", ".join(str(link) for link in links) or "-"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self.get_object(request, object_id)
        extra = {
            "derivable": DERIVABLE if document and self.has_add_permission(request) else (),
            "can_release": bool(
                document
                and self.has_release_permission(request)
                and document.distribution == Distribution.LIMITE
                and not document.classification
            ),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    # --- search -------------------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        """By any name on a cover (``documents.search.documents_find``), never a scan."""
        return documents_find(queryset, search_term), False

    # --- derive, release, undo ----------------------------------------------------------------

    def get_urls(self):
        own = [
            *self.intake_urls(),
            path(
                "<int:pk>/derive/<str:kind>/",
                self.admin_site.admin_view(self.derive_view),
                name="documents_document_derive",
            ),
            path(
                "<int:pk>/release/",
                self.admin_site.admin_view(self.release_view),
                name="documents_document_release",
            ),
            path(
                "<int:pk>/undo-release/",
                self.admin_site.admin_view(self.undo_release_view),
                name="documents_document_undo_release",
            ),
        ]
        return own + super().get_urls()

    def _visible(self, request, pk) -> Document:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def derive_view(self, request: HttpRequest, pk: int, kind: str):
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        document = self._visible(request, pk)
        try:
            derived = document_derive(document=document, kind=kind, registered_by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))
        self.message_user(
            request,
            f"Registered {derived.reference} ({derived.cover_reference}).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:documents_document_change", args=[derived.pk]))

    def _release(self, request, documents: list[Document]):
        if not self.has_release_permission(request):
            raise PermissionDenied
        form = ReleaseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid() and len(documents) == 1:
            # One document: a refusal is shown on the form, on its field.
            try:
                document_release(
                    document=documents[0],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    released_by=request.user,
                )
            except ValidationError as error:
                fields = {"release_note": "note", "release_reason": "reason"}
                for field, problems in error.message_dict.items():
                    form.add_error(fields.get(field), problems)
            else:
                self.message_user(request, f"Released {documents[0].reference}.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:documents_document_change", args=[documents[0].pk])
                )
        elif form.is_valid():
            released, refused = [], []
            with transaction.atomic():
                for document in documents:
                    try:
                        with transaction.atomic():
                            document_release(
                                document=document,
                                reason=form.cleaned_data["reason"],
                                note=form.cleaned_data["note"],
                                released_by=request.user,
                            )
                        released.append(document.reference)
                    except ValidationError as error:
                        refused.append(f"{document.reference}: {' '.join(error.messages)}")
            if released:
                self.message_user(request, f"Released: {', '.join(released)}.", messages.SUCCESS)
            for problem in refused:
                self.message_user(request, f"Not released: {problem}", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:documents_document_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Release LIMITE documents",
            "documents": documents,
            "form": form,
            "opts": self.model._meta,
            "action": request.POST.get("action", ""),
        }
        return TemplateResponse(request, "admin/documents/document/release.html", context)

    @admin.action(description="Release selected LIMITE documents", permissions=["release"])
    def release_selected(self, request, queryset):
        return self._release(request, list(queryset))

    def release_view(self, request: HttpRequest, pk: int):
        return self._release(request, [self._visible(request, pk)])

    def undo_release_view(self, request: HttpRequest, pk: int):
        if not self.has_release_permission(request):
            raise PermissionDenied
        document = self._visible(request, pk)
        form = UndoReleaseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                document_release_undo(
                    document=document, reason=form.cleaned_data["reason"], undone_by=request.user
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"{document.reference} is LIMITE again.")
            return HttpResponseRedirect(reverse("admin:documents_document_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Undo the release of {document.reference}",
            "documents": [document],
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/documents/document/release.html", context)
