"""Register from file at the registry desk: upload, check the pre-filled form, confirm."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document, DocumentFile, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from tests.documents.intake.covers import CLASSIFIED, NOTE, lines_layout
from tests.documents.intake.files import cover_pdf
from tests.factories import ProcedureFactory, SubjectCodeFactory, UserFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
UPLOAD = reverse("admin:documents_document_register_from_file")
CHANGELIST = reverse("admin:documents_document_changelist")
SAMPLE = "tests/fixtures/st_5397_24_limite_note.txt"


@pytest.fixture
def staff(db):
    roles_set_up()

    def make(role: Role):
        user = UserFactory()
        UserProfile.objects.create(user=user)
        user_role_set(user=user, role=role)
        return user

    return make


@pytest.fixture
def clerk(client, staff):
    client.force_login(staff(Role.CLERK), backend=MODEL_BACKEND)
    return client


@pytest.fixture
def codes(db):
    return [
        SubjectCodeFactory(code=code)
        for code in ("JAI", "ENFOPOL", "CRIMORG", "IXIM", "DATAPROTECT", "CYBER", "COPEN",
                     "FREMP", "TELECOM", "COMPET", "MI", "CONSOM", "DIGIT", "CODEC")
    ]  # fmt: skip


def upload(client, name: str, data: bytes, language: str = "en"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), "language": language})


def confirm_data(page) -> dict:
    """The pre-filled add form, posted back as the browser would."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


@pytest.mark.django_db
def test_clerk_registers_the_sample_from_its_file_with_the_form_pre_filled(clerk, codes):
    """GIVEN the sample 5397/24 as a file and its procedure registered
    WHEN a clerk uploads it, checks the pre-filled form and saves
    THEN the document is registered under its own reference with every field read from the
    cover, its subject codes keep their numbers, and the upload is its English file."""
    procedure = ProcedureFactory(year=2023, number=452)
    text = open(SAMPLE, "rb").read()  # noqa: SIM115

    response = upload(clerk, "5397-24.txt", text)

    assert response.status_code == 302
    page = clerk.get(response["Location"])
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.initial["reference"] == "5397/24"
    assert form.initial["date"] == "2024-01-17"
    assert form.initial["subject"].startswith("Case studies to illustrate")
    assert form.initial["distribution"] == "LIMITE"
    assert form.initial["procedures"] == [procedure.pk]
    assert form.initial["subject_code_labels"].startswith("JAI 64, ENFOPOL 15, CRIMORG 7")
    assert form.initial["cites"] == "9068/22 ADD 1"
    assert "Read from <strong>5397-24.txt</strong>" in page.content.decode()

    saved = clerk.post(response["Location"], confirm_data(page), follow=True)

    document = Document.objects.get(reference="ST 5397 2024 INIT")
    messages = [str(m) for m in saved.context["messages"]]
    assert messages == ["Registered ST 5397 2024 INIT (5397/24), with its en file 5397-24.txt."]
    assert (document.originator, document.recipients) == ("Presidency", "Delegations")
    assert document.distribution == "LIMITE"
    assert list(document.procedures.all()) == [procedure]
    assert [str(link) for link in document.subject_code_links.all()][:3] == [
        "JAI 64", "ENFOPOL 15", "CRIMORG 7",
    ]  # fmt: skip
    assert [c.reference for c in document.citations.all()] == ["ST 9068 2022 ADD 1"]
    stored = DocumentFile.objects.get(document=document)
    assert (stored.language, stored.size) == ("en", len(text))
    assert stored.file.read() == text
    assert document.registered_by.username == saved.wsgi_request.user.username


@pytest.mark.django_db
def test_what_the_reader_was_unsure_of_is_highlighted_on_its_field(clerk, codes):
    """GIVEN a cover whose labels are printed together, without their values in between
    THEN the form leaves From, To and Subject empty, highlights them and says why."""
    text = (
        "Council of the European Union Brussels, 17 January 2024 (OR. en) 5397/24 LIMITE "
        "JAI 64 NOTE From: To: Subject: Presidency Delegations Case studies\n\nBody."
    )

    page = clerk.get(upload(clerk, "flat.txt", text.encode())["Location"])

    form = page.context["adminform"].form
    assert "subject" not in form.initial
    assert "intake-warning" in form.fields["subject"].widget.attrs["class"]
    assert "could not be told apart" in form.fields["originator"].help_text
    html = page.content.decode()
    assert re.search(r"The reader was not sure of \d+ things", html)
    assert "printed together, without their values in between" in html


@pytest.mark.django_db
def test_a_refused_registration_keeps_the_form_and_registers_nothing(clerk, codes):
    text = open(SAMPLE, "rb").read()  # noqa: SIM115
    response = upload(clerk, "5397-24.txt", text)
    page = clerk.get(response["Location"])
    data = confirm_data(page) | {"subject_code_labels": "JAI 64, UNKNOWN 3"}

    again = clerk.post(response["Location"], data)

    assert again.status_code == 200
    errors = again.context["adminform"].form.errors
    assert "unknown subject code(s): UNKNOWN" in " ".join(errors["subject_code_labels"])
    assert not Document.objects.exists()
    assert not DocumentFile.objects.exists()


@pytest.mark.django_db
def test_a_pdf_upload_is_read_from_its_text_layer(clerk, codes):
    pdf = cover_pdf(
        header=[("Council of the", "Brussels, 17 January 2024"), ("European Union", "(OR. en)"),
                ("", "5397/24"), ("", "LIMITE"), ("", "JAI 64"), ("", "NOTE")],
        labels=[("From:", ["Presidency"]), ("To:", ["Delegations"]),
                ("Subject:", ["Case studies"])],
        body_pages=[["Delegations will find attached the case studies."]],
        footer=["5397/24 JV/ml 1", "JAI.1 LIMITE EN"],
    )  # fmt: skip

    page = clerk.get(upload(clerk, "5397-24.pdf", pdf)["Location"])
    clerk.post(page.wsgi_request.get_full_path(), confirm_data(page))

    document = Document.objects.get(reference="ST 5397 2024 INIT")
    assert document.subject == "Case studies"
    assert DocumentFile.objects.get(document=document).media_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", None, "without a text layer"),
        ("empty.pdf", b"", "The submitted file is empty"),
        ("broken.pdf", b"%PDF-1.7 garbage", "corrupt PDF"),
        ("notes.odt", b"text", "is not read here"),
    ],
)
@pytest.mark.django_db
def test_an_unreadable_upload_is_refused_on_the_upload_form(clerk, name, data, message):
    from tests.documents.intake.files import image_only_pdf

    response = upload(clerk, name, image_only_pdf() if data is None else data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(clerk, settings):
    settings.DOCUMENT_FILE_MAX_BYTES = 100

    response = upload(clerk, "big.txt", b"x" * 101)

    assert "the limit is 100" in " ".join(response.context["form"].errors["file"])


@pytest.mark.django_db
def test_a_clerk_cannot_register_a_classified_cover(clerk, db):
    SubjectCodeFactory(code="CFSP/PESC")
    SubjectCodeFactory(code="COPS")
    response = upload(clerk, "secret.txt", lines_layout(CLASSIFIED).encode())
    page = clerk.get(response["Location"])

    again = clerk.post(response["Location"], confirm_data(page))

    assert "registered by a security officer" in " ".join(
        again.context["adminform"].form.non_field_errors()
    )
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_the_upload_token_is_bound_to_the_clerks_session(clerk, client, staff, codes):
    from django.test import Client

    response = upload(clerk, "note.txt", lines_layout(NOTE).encode())
    other = Client()
    other.force_login(staff(Role.CLERK), backend=MODEL_BACKEND)

    assert other.get(response["Location"]).status_code == 403


@pytest.mark.django_db
def test_only_clerks_and_supervisors_get_the_button_and_the_view(client, staff):
    clerk = staff(Role.CLERK)
    client.force_login(clerk, backend=MODEL_BACKEND)
    assert "Register from file" in client.get(CHANGELIST).content.decode()
    officer = staff(Role.SECURITY_OFFICER)
    client.force_login(officer, backend=MODEL_BACKEND)
    assert "Register from file" not in client.get(CHANGELIST).content.decode()
    assert client.get(UPLOAD).status_code == 403


@pytest.mark.django_db
def test_awaited_documents_lists_cited_references_not_registered(clerk, codes):
    from tests.factories import DocumentFactory

    DocumentFactory(reference="5397/24", cites=["9068/22 ADD 1", "1234/23"])
    DocumentFactory(reference="1234/23")

    page = clerk.get(reverse("admin:documents_document_awaited"))

    assert [a.reference for a in page.context["awaited"]] == ["ST 9068 2022 ADD 1"]
    assert [d.reference for d in page.context["awaited"][0].citing] == ["ST 5397 2024 INIT"]


@pytest.mark.django_db
def test_an_upload_never_registered_is_deleted_once_older_than_a_session(clerk, settings):
    import os
    import time

    from django.core.files.storage import default_storage

    first = upload(clerk, "note.txt", lines_layout(NOTE).encode())
    token = first["Location"].split("intake=")[1]
    assert default_storage.listdir(f"intake/{token}")[1] == ["note.txt"]
    old = time.time() - settings.SESSION_COOKIE_AGE - 60
    os.utime(default_storage.path(f"intake/{token}/note.txt"), (old, old))

    second = upload(clerk, "other.txt", lines_layout(NOTE).encode())

    assert default_storage.listdir(f"intake/{token}")[1] == []
    fresh = second["Location"].split("intake=")[1]
    assert default_storage.listdir(f"intake/{fresh}")[1] == ["other.txt"]
