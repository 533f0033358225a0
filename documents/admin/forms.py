"""Admin forms. They validate input and hand it to the services; they decide no rule."""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import transaction

from documents.models import (
    Body,
    Classification,
    Document,
    DocumentFile,
    Procedure,
    ReleaseReason,
    Series,
    SubjectCode,
)
from documents.references import InvalidReference, parse_document_reference
from documents.services import document_classify, document_file_add, document_register
from documents.services.documents import EDITABLE_FIELDS
from documents.services.files import document_file_check

_CITATION_SEPARATORS = re.compile(r"\s*(?:[,;+\n]|\band\b)\s*")


def autocomplete(field_name: str, queryset, *, required: bool = False, help_text: str = ""):
    """A multiple choice of the related model, through the admin's autocomplete view."""
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        required=required,
        help_text=help_text,
        widget=AutocompleteSelectMultiple(Document._meta.get_field(field_name), admin.site),
    )


def citations_parse(text: str) -> list[str]:
    """``"9068/22 ADD 1, 10589/17 + COR 1"`` -> canonical references, strictly."""
    references: list[str] = []
    previous = None
    for piece in filter(None, _CITATION_SEPARATORS.split(text.strip())):
        try:
            if previous and re.fullmatch(r"(?i)(REV|ADD|COR|EXT|DCL)\s*\d+(\s+\w+\s*\d+)*", piece):
                value = previous.base.with_suffixes(piece)  # "+ COR 1" after "10589/17"
            else:
                value = parse_document_reference(piece)
        except InvalidReference as error:
            raise ValidationError(str(error)) from error
        previous = value
        references.append(value.canonical)
    return references


class HiddenDocumentWidget(forms.Widget):
    """Stands for a linked document the user may not see: says so, shows nothing of it."""

    def render(self, name, value, attrs=None, renderer=None):
        return "a document you may not see (kept as it is)"


class VisibleDocumentsForm(forms.ModelForm):
    """Offers and accepts only documents ``request.user`` may see. A link to a document hidden
    from them is shown as such and kept untouched when they save."""

    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Document.objects.visible_to(self.request.user)
        for name, field in self.fields.items():
            if getattr(field, "queryset", None) is None or field.queryset.model is not Document:
                continue
            current = getattr(self.instance, f"{name}_id", None)
            if current is not None and not visible.filter(pk=current).exists():
                field.disabled = True  # no input taken: the form keeps the stored value
                field.widget = HiddenDocumentWidget()
            else:
                field.queryset = field.queryset.filter(pk__in=visible)


class CitationsFormMixin:
    """Cited documents: picked from the register (autocomplete) or typed in any spelling (for
    documents not registered yet, or faster); ``cited_references()`` is their union."""

    def _add_citation_fields(self) -> None:
        self.fields["cites"] = forms.CharField(
            required=False,
            label="Cited references",
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Or type them in any spelling: 9068/22 ADD 1, 10589/17 + COR 1",
        )
        self.fields["cited_documents"] = forms.ModelMultipleChoiceField(
            queryset=Document.objects.visible_to(self.request.user),
            required=False,
            label="Cited documents",
            help_text="Search the register by reference or subject.",
            widget=AutocompleteSelectMultiple(Document._meta.get_field("parent"), admin.site),
        )

    def clean_cites(self) -> list[str]:
        return citations_parse(self.cleaned_data["cites"])

    def cited_references(self) -> list[str]:
        picked = [d.reference for d in self.cleaned_data.get("cited_documents", [])]
        return list(dict.fromkeys([*picked, *self.cleaned_data["cites"]]))


class DocumentRegisterForm(CitationsFormMixin, forms.ModelForm):
    """Registers on validation (inside the admin's transaction), so that any refusal of the
    service lands on the right field and nothing is saved or allocated."""

    reference = forms.CharField(
        required=False,
        max_length=80,
        help_text="Leave empty to allocate the next number. To register an older document, "
        "type its reference in any spelling (5397/24, ST 5397 2024 INIT).",
    )
    series = forms.ChoiceField(choices=Series.choices, initial=Series.ST)
    procedures = autocomplete("procedures", Procedure.objects.all())
    bodies = autocomplete("bodies", Body.objects.all())
    subject_codes = autocomplete(
        "subject_codes",
        SubjectCode.objects.all(),
        help_text="In cover order. Numbers are allocated on save (ST and PE-CONS).",
    )

    class Meta:
        model = Document
        fields = (*EDITABLE_FIELDS, "distribution", "classification")

    request = None  # set by the admin

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_citation_fields()
        self.registered: Document | None = None
        user = self.request.user if self.request else None
        if user is None or not user.has_perm("documents.classify_document"):
            del self.fields["classification"]

    def ordered_subject_codes(self) -> list[str]:
        """The codes in the order the clerk entered them (the cover order)."""
        chosen = {str(code.pk): code.code for code in self.cleaned_data["subject_codes"]}
        posted = self.data.getlist(self.add_prefix("subject_codes"))
        return [chosen[pk] for pk in dict.fromkeys(posted) if pk in chosen]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = {name: cleaned[name] for name in self._meta.fields if name in cleaned}
        try:
            with transaction.atomic():
                self.registered = document_register(
                    reference=cleaned["reference"] or None,
                    series=cleaned["series"],
                    procedures=list(cleaned["procedures"]),
                    bodies=list(cleaned["bodies"]),
                    subject_codes=self.ordered_subject_codes(),
                    cites=self.cited_references(),
                    registered_by=self.request.user if self.request else None,
                    **values,
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class DocumentChangeForm(CitationsFormMixin, forms.ModelForm):
    procedures = autocomplete("procedures", Procedure.objects.all())
    bodies = autocomplete("bodies", Body.objects.all())

    class Meta:
        model = Document
        fields = EDITABLE_FIELDS

    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request and self.request.user.has_perm("documents.classify_document"):
            self.fields["classification"] = forms.TypedChoiceField(
                choices=Classification.choices, coerce=int, initial=self.instance.classification
            )
        self._add_citation_fields()
        if self.instance.pk:
            self.initial["procedures"] = list(self.instance.procedures.all())
            self.initial["bodies"] = list(self.instance.bodies.all())
            citations = self.instance.citations.all()
            visible = self.fields["cited_documents"].queryset
            # Registered and visible: in the autocomplete. Not registered: typed. Hidden: neither.
            self.initial["cited_documents"] = list(visible.filter(cited_by__in=citations))
            self.initial["cites"] = ", ".join(
                citations.filter(cited__isnull=True).values_list("reference", flat=True)
            )

    def clean(self):
        """A new classification is decided by the service, inside the admin's transaction."""
        cleaned = super().clean()
        if self.errors or "classification" not in self.changed_data:
            return cleaned
        try:
            with transaction.atomic():
                document_classify(
                    document=self.instance,
                    classification=cleaned["classification"],
                    classified_by=self.request.user,
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class StoredFileWidget(forms.Widget):
    def render(self, name, value, attrs=None, renderer=None):
        return "stored (never replaced in place)"


class DocumentFileForm(forms.ModelForm):
    """Upload through ``document_file_add``: size limit, allowed types, SHA-256, no classified."""

    upload = forms.FileField(label="File")

    class Meta:
        model = DocumentFile
        fields = ("language",)

    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # stored files are records: shown, never replaced in place
            self.fields["upload"].disabled = True
            self.fields["upload"].required = False
            self.fields["upload"].widget = StoredFileWidget()
            self.fields["language"].disabled = True

    def clean(self):
        """Checked here; stored by ``save`` once the whole page is valid."""
        cleaned = super().clean()
        if self.instance.pk or self.errors or not cleaned.get("upload"):
            return cleaned
        try:
            document_file_check(
                document=self.instance.document, language=cleaned["language"],
                upload=cleaned["upload"],
            )  # fmt: skip
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error("upload" if field == "file" else field, messages)
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            return self.instance  # stored files are never changed in place
        self.instance = document_file_add(
            document=self.instance.document,
            language=self.cleaned_data["language"],
            upload=self.cleaned_data["upload"],
            uploaded_by=self.request.user if self.request else None,
        )
        return self.instance


class ReleaseForm(forms.Form):
    reason = forms.ChoiceField(choices=ReleaseReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False,
        max_length=200,
        help_text="For a granted access request: its reference.",
    )


class UndoReleaseForm(forms.Form):
    reason = forms.CharField(max_length=90, help_text="Why the release is withdrawn.")
