"""The registry desk: registering, finding, deriving, files, releasing, history, lockout."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import (
    Classification,
    Counter,
    Delegation,
    Distribution,
    Document,
    DocumentFile,
    UserProfile,
)
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import document_derive, document_file_add
from tests import oracle
from tests.factories import DocumentFactory, ProcedureFactory, SubjectCodeFactory, UserFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ADD = reverse("admin:documents_document_add")
CHANGELIST = reverse("admin:documents_document_changelist")


def change_url(document: Document) -> str:
    return reverse("admin:documents_document_change", args=[document.pk])


@pytest.fixture
def staff(db):
    roles_set_up()

    def make(role: Role, clearance: int = 0):
        user = UserFactory()
        UserProfile.objects.create(user=user, clearance=clearance)
        user_role_set(user=user, role=role)
        return user

    return make


@pytest.fixture
def clerk_client(client, staff):
    client.force_login(staff(Role.CLERK), backend=MODEL_BACKEND)
    return client


@pytest.fixture
def supervisor_client(client, staff):
    client.force_login(staff(Role.SUPERVISOR), backend=MODEL_BACKEND)
    return client


def register_form(**overrides) -> dict:
    data = {
        "reference": "",
        "series": "ST",
        "date": "2024-01-17",
        "place": "Brussels",
        "original_language": "en",
        "document_type": "NOTE",
        "originator": "Presidency",
        "recipients": "Delegations",
        "subject": "Case studies",
        "distribution": "LIMITE",
        "comments_due": "",
        "cites": "",
    }
    data.update(overrides)
    return data


def errors_of(response) -> dict[str, list[str]]:
    form = response.context["adminform"].form
    return {field: list(messages) for field, messages in form.errors.items()}


@pytest.mark.django_db
def test_clerk_registers_a_document_and_sees_its_allocated_reference(clerk_client):
    jai, codec = SubjectCodeFactory(code="JAI"), SubjectCodeFactory(code="CODEC")
    procedure = ProcedureFactory(year=2023, number=452)
    DocumentFactory(reference="9068/22")
    DocumentFactory(reference="9068/22 ADD 1")
    picked = DocumentFactory(reference="10589/17")
    data = register_form(
        # cover order CODEC, JAI: kept, whatever the order of the primary keys
        subject_codes=[str(codec.pk), str(jai.pk)],
        procedures=[str(procedure.pk)],
        cited_documents=[str(picked.pk)],  # picked in the autocomplete
        cites="9068/22 ADD 1, 1234/99",  # typed; the second is not registered
    )

    response = clerk_client.post(ADD, data, follow=True)

    document = Document.objects.get(subject="Case studies")
    assert document.reference == "ST 1 2024 INIT"
    assert "Registered ST 1 2024 INIT (1/24)." in [str(m) for m in response.context["messages"]]
    assert [str(link) for link in document.subject_code_links.all()] == ["CODEC 1", "JAI 1"]
    assert list(document.procedures.all()) == [procedure]
    assert [(c.reference, c.cited_id is not None) for c in document.citations.all()] == [
        ("ST 10589 2017 INIT", True),
        ("ST 9068 2022 ADD 1", True),
        ("ST 1234 1999 INIT", False),
    ]
    assert document.registered_by.username == response.wsgi_request.user.username


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reference": "5397/24"}, "reference", "ST 5397 2024 INIT is already taken"),
        ({"reference": "4000/24 REV 1"}, "reference", "ST 4000 2024 INIT is not registered"),
        ({"reference": "5397/2"}, "reference", "year"),
        ({"cites": "9068/22 ADD"}, "cites", "ADD"),
        ({"date": "17.13.2024"}, "date", "Enter a valid date"),
        ({"subject": ""}, "subject", "required"),
    ],
)
@pytest.mark.django_db
def test_bad_registration_shows_the_error_on_its_field_and_saves_nothing(
    clerk_client, overrides, field, message
):
    DocumentFactory(reference="5397/24")
    SubjectCodeFactory(code="JAI")
    counters_before = list(Counter.objects.values_list("scope", "year", "last"))

    response = clerk_client.post(ADD, register_form(**overrides))

    assert response.status_code == 200
    assert message in " ".join(errors_of(response)[field])
    assert Document.objects.count() == 1
    assert list(Counter.objects.values_list("scope", "year", "last")) == counters_before


@pytest.mark.django_db
def test_automatic_code_number_steps_over_one_registered_by_hand(clerk_client):
    DocumentFactory(reference="5397/24", subject_codes=[])
    jai = SubjectCodeFactory(code="JAI")
    DocumentFactory(reference="5000/24", subject_codes=["JAI 1"])
    # The counter is behind the hand-registered JAI 1: the next is stepped over, not doubled.
    response = clerk_client.post(ADD, register_form(subject_codes=[str(jai.pk)]), follow=True)

    created = Document.objects.get(subject="Case studies")
    assert [str(link) for link in created.subject_code_links.all()] == ["JAI 2"]
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("5397/24", {"ST 5397 2024 INIT", "ST 5397 2024 REV 1"}),
        ("ST 5397 2024 INIT", {"ST 5397 2024 INIT"}),
        ("st 5397/1/24 rev1", {"ST 5397 2024 REV 1"}),
        ("wk 9107/2022", {"WK 9107 2022 INIT"}),
        ("case studies", {"ST 5397 2024 INIT", "ST 5397 2024 REV 1"}),
        ("9999/24", set()),
    ],
)
@pytest.mark.django_db
def test_search_understands_any_reference_spelling(clerk_client, term, expected):
    DocumentFactory(reference="5397/24", subject="Case studies of the Interim Regulation")
    DocumentFactory(reference="5397/1/24 REV 1", subject="Case studies, revised")
    DocumentFactory(reference="WK 9107/2022", subject="Presentations")

    response = clerk_client.get(CHANGELIST, {"q": term})

    assert {d.reference for d in response.context["cl"].result_list} == expected


@pytest.mark.django_db
def test_changelist_needs_the_same_number_of_queries_for_any_page_size(clerk_client):
    SubjectCodeFactory(code="JAI")
    procedure = ProcedureFactory()

    def count(documents: int) -> int:
        for _ in range(documents - Document.objects.count()):
            DocumentFactory(subject_codes=["JAI"], procedures=[procedure])
        with CaptureQueriesContext(connection) as queries:
            response = clerk_client.get(CHANGELIST, {"distribution__exact": "PUBLIC"})
        assert len(response.context["cl"].result_list) == documents
        return len(queries)

    assert count(3) == count(30)


@pytest.mark.django_db
def test_classified_documents_are_hidden_from_a_clerk_everywhere(client, staff):
    secret = DocumentFactory(
        subject="Secret matter", classification=Classification.SECRET_UE, reference="6000/24"
    )
    DocumentFactory(subject="Open matter")
    clerk = staff(Role.CLERK)
    client.force_login(clerk, backend=MODEL_BACKEND)

    listed = client.get(CHANGELIST)
    searched = client.get(CHANGELIST, {"q": "6000/24"})
    detail = client.get(change_url(secret))
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "documents",
            "model_name": "meeting",
            "field_name": "notice",
            "term": "matter",
        },
    )

    assert [d.subject for d in listed.context["cl"].result_list] == ["Open matter"]
    assert list(searched.context["cl"].result_list) == []
    assert detail.status_code == 302  # "does not exist", like any unknown id
    assert [r["text"] for r in autocomplete.json()["results"]] == [
        Document.objects.get(subject="Open matter").reference
    ]
    assert "Secret matter" not in listed.content.decode()


@pytest.mark.django_db
def test_security_officer_with_clearance_sees_the_classified_document(client, staff):
    DocumentFactory(subject="Secret matter", classification=Classification.SECRET_UE)
    client.force_login(
        staff(Role.SECURITY_OFFICER, clearance=Classification.SECRET_UE), backend=MODEL_BACKEND
    )

    listed = client.get(CHANGELIST)

    assert [d.subject for d in listed.context["cl"].result_list] == ["Secret matter"]


@pytest.mark.django_db
def test_derive_action_registers_the_next_revision_and_opens_it(clerk_client):
    SubjectCodeFactory(code="JAI")
    note = DocumentFactory(reference="5802/14", subject_codes=["JAI 64"])

    response = clerk_client.post(reverse("admin:documents_document_derive", args=[note.pk, "REV"]))

    rev = Document.objects.get(reference="ST 5802 2014 REV 1")
    assert response.status_code == 302
    assert response.url == change_url(rev)
    assert rev.parent == note
    assert [str(link) for link in rev.subject_code_links.all()] == ["JAI 64"]


def file_post(document: Document, upload) -> dict:
    """The change form as the browser posts it, with one new language file."""
    data = {
        "date": document.date.isoformat(),
        "place": document.place,
        "original_language": document.original_language,
        "document_type": document.document_type,
        "originator": document.originator,
        "recipients": document.recipients,
        "subject": document.subject,
        "comments_due": "",
        "cites": "",
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
        "files-0-language": "fr",
        "files-0-upload": upload,
        "files-0-document": str(document.pk),
    }
    return data


@pytest.mark.django_db
def test_language_file_uploads_inline_with_its_digest(clerk_client):
    document = DocumentFactory()
    upload = SimpleUploadedFile("note.pdf", b"%PDF-1.7 texte", content_type="application/pdf")

    response = clerk_client.post(change_url(document), file_post(document, upload))

    assert response.status_code == 302, response.context and response.context["errors"]
    stored = DocumentFile.objects.get(document=document)
    assert (stored.language, stored.size, stored.media_type) == ("fr", 14, "application/pdf")
    assert len(stored.sha256) == 64


@pytest.mark.parametrize(
    ("name", "limit", "message"),
    [("virus.exe", None, "is not allowed"), ("big.pdf", 5, "the limit is 5")],
)
@pytest.mark.django_db
def test_refused_file_shows_its_error_on_the_file_field(
    clerk_client, settings, name, limit, message
):
    if limit:
        settings.DOCUMENT_FILE_MAX_BYTES = limit
    document = DocumentFactory()

    response = clerk_client.post(
        change_url(document), file_post(document, SimpleUploadedFile(name, b"0123456789"))
    )

    assert response.status_code == 200
    formset_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert message in " ".join(formset_errors[0]["upload"])
    assert not DocumentFile.objects.exists()


@pytest.mark.django_db
def test_classified_document_offers_no_file_upload(client, staff):
    """GIVEN a classified document
    THEN nobody gets a file upload on it: not the security officer who may see it, not even a
    system administrator who may upload files everywhere else."""
    secret = DocumentFactory(classification=Classification.RESTREINT_UE)
    open_document = DocumentFactory()
    officer = staff(Role.SECURITY_OFFICER, clearance=Classification.SECRET_UE)
    root = UserFactory(is_staff=True, is_superuser=True)
    UserProfile.objects.create(user=root, clearance=Classification.SECRET_UE)

    client.force_login(officer, backend=MODEL_BACKEND)
    as_officer = client.get(change_url(secret))
    client.force_login(root, backend=MODEL_BACKEND)
    on_secret = client.get(change_url(secret)).context["inline_admin_formsets"]
    on_open = client.get(change_url(open_document)).context["inline_admin_formsets"]

    assert as_officer.status_code == 200
    assert not any(f.has_add_permission for f in as_officer.context["inline_admin_formsets"])
    assert (on_secret[0].has_add_permission, on_open[0].has_add_permission) == (False, True)


@pytest.mark.django_db
def test_supervisor_releases_with_a_reason_and_the_history_keeps_limite(supervisor_client):
    note = DocumentFactory(distribution=Distribution.LIMITE)
    url = reverse("admin:documents_document_release", args=[note.pk])

    without_reason = supervisor_client.post(url, {"apply": "1"})
    assert "reason" in without_reason.context["form"].errors
    note.refresh_from_db()
    assert note.released_at is None

    supervisor_client.post(url, {"apply": "1", "reason": "access-request", "note": "2024/0815"})

    note.refresh_from_db()
    assert oracle.is_public(note)
    assert (note.distribution, note.release_reason, note.release_note) == (
        "LIMITE", "access-request", "2024/0815",
    )  # fmt: skip
    assert note.released_by == supervisor_client.get(CHANGELIST).wsgi_request.user
    page = supervisor_client.get(change_url(note))
    history = page.content.decode().split('id="record-history"')[1]
    assert "released: Public access request granted" in history
    assert set(note.history.values_list("distribution", flat=True)) == {"LIMITE"}
    changelist = supervisor_client.get(CHANGELIST)
    assert changelist.context["cl"].result_list[0].reference == note.reference
    assert "LIMITE (released)" in changelist.content.decode()


@pytest.mark.django_db
def test_the_desk_calls_public_only_what_the_rule_makes_public(supervisor_client):
    """A released WK document, or a WK document without a marking, is still not public: the
    desk's "public" column is the rule's answer (DOMAIN.md: any WK document, nothing)."""
    documents = {
        "wk-unmarked": DocumentFactory(series="WK", distribution=Distribution.PUBLIC),
        "wk-released": DocumentFactory(series="WK", distribution=Distribution.LIMITE),
        "st-released": DocumentFactory(distribution=Distribution.LIMITE),
        "st-limite": DocumentFactory(distribution=Distribution.LIMITE),
        "st-unmarked": DocumentFactory(),
    }
    for name in ("wk-released", "st-released"):
        supervisor_client.post(
            reverse("admin:documents_document_release", args=[documents[name].pk]),
            {"apply": "1", "reason": "act-adopted"},
        )

    shown = supervisor_client.get(CHANGELIST + "?o=1").context["cl"].result_list
    public = {d.reference: d.public for d in shown}

    for name, document in documents.items():
        document.refresh_from_db()
        assert public[document.reference] == oracle.is_public(document), name
    assert [n for n, d in documents.items() if public[d.reference]] == [
        "st-released",
        "st-unmarked",
    ]


@pytest.mark.django_db
def test_access_request_release_needs_the_request_reference(supervisor_client):
    note = DocumentFactory(distribution=Distribution.LIMITE)

    response = supervisor_client.post(
        reverse("admin:documents_document_release", args=[note.pk]),
        {"apply": "1", "reason": "access-request", "note": ""},
    )

    note.refresh_from_db()
    assert note.released_at is None
    assert "access request" in " ".join(response.context["form"].errors["note"])


@pytest.mark.django_db
def test_bulk_release_releases_limite_and_reports_the_rest(supervisor_client):
    limite = [DocumentFactory(distribution=Distribution.LIMITE) for _ in range(2)]
    public = DocumentFactory()
    selected = [str(d.pk) for d in (*limite, public)]
    assert 'value="release_selected"' in supervisor_client.get(CHANGELIST).content.decode()

    page = supervisor_client.post(
        CHANGELIST, {"action": "release_selected", "_selected_action": selected}
    )
    assert page.status_code == 200
    assert "Release LIMITE documents" in page.content.decode()
    done = supervisor_client.post(
        CHANGELIST,
        {"action": "release_selected", "_selected_action": selected, "apply": "1",
         "reason": "act-adopted"},
        follow=True,
    )  # fmt: skip

    assert all(oracle.is_public(Document.objects.get(pk=d.pk)) for d in limite)
    messages = " ".join(str(m) for m in done.context["messages"])
    assert f"Not released: {public.reference}" in messages


@pytest.mark.django_db
def test_only_a_supervisor_releases_or_undoes(clerk_client):
    note = DocumentFactory(distribution=Distribution.LIMITE)

    release = clerk_client.post(
        reverse("admin:documents_document_release", args=[note.pk]),
        {"apply": "1", "reason": "act-adopted"},
    )
    undo = clerk_client.post(
        reverse("admin:documents_document_undo_release", args=[note.pk]), {"reason": "error"}
    )
    bulk = clerk_client.post(
        CHANGELIST,
        {"action": "release_selected", "_selected_action": [str(note.pk)], "apply": "1",
         "reason": "act-adopted"},
    )  # fmt: skip
    offered = clerk_client.get(CHANGELIST).content.decode()

    assert (release.status_code, undo.status_code) == (403, 403)
    assert 'value="release_selected"' not in offered
    assert "Release LIMITE documents" not in bulk.content.decode()  # no confirmation page
    note.refresh_from_db()
    assert note.released_at is None


@pytest.mark.django_db
def test_supervisor_undoes_a_release_with_a_reason(supervisor_client):
    note = DocumentFactory(distribution=Distribution.LIMITE)
    supervisor_client.post(
        reverse("admin:documents_document_release", args=[note.pk]),
        {"apply": "1", "reason": "originator-consent"},
    )
    url = reverse("admin:documents_document_undo_release", args=[note.pk])

    refused = supervisor_client.post(url, {"reason": ""})
    supervisor_client.post(url, {"reason": "released the wrong document"})

    assert refused.status_code == 200
    note.refresh_from_db()
    assert note.released_at is None
    assert not oracle.is_public(note)
    reasons = list(note.history.values_list("history_change_reason", flat=True))
    assert "release undone: released the wrong document" in reasons
    assert "released: Originator's consent" in reasons


@pytest.mark.django_db
def test_history_shows_who_changed_what_on_the_document_and_its_links(clerk_client):
    procedure = ProcedureFactory(year=2023, number=452)
    note = DocumentFactory(subject="Old subject")
    data = file_post(note, "")
    data.update(
        {"subject": "New subject", "procedures": [str(procedure.pk)], "files-TOTAL_FORMS": "0"}
    )

    response = clerk_client.post(change_url(note), data)
    assert response.status_code == 302
    page = clerk_client.get(change_url(note)).content.decode()
    history = page.split('id="record-history"')[1]

    assert re.search(r"subject: &#x27;Old subject&#x27; → &#x27;New subject&#x27;", history)
    assert "procedure added: 2023/0452(COD)" in history
    user = response.wsgi_request.user.username
    assert history.count(user) >= 2


@pytest.mark.django_db
def test_delegation_user_cannot_enter_the_admin(client):
    delegate = UserFactory(username="delegate.be")
    UserProfile.objects.create(
        user=delegate,
        delegation=Delegation.objects.create(code="BE", name="Belgium", kind="member-state"),
    )
    client.force_login(delegate, backend=MODEL_BACKEND)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.django_db
def test_login_locks_out_after_repeated_failures(client, settings, staff):
    clerk = staff(Role.CLERK)
    login = reverse("admin:login")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": clerk.username, "password": "wrong"})
    locked = client.post(login, {"username": clerk.username, "password": "correct horse battery"})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_correct_password_logs_in_before_the_limit(client, staff):
    clerk = staff(Role.CLERK)

    client.post(reverse("admin:login"), {"username": clerk.username, "password": "wrong"})
    response = client.post(
        reverse("admin:login"),
        {"username": clerk.username, "password": "correct horse battery", "next": "/admin/"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clerk.pk)


@pytest.mark.parametrize(
    ("with_file", "level", "error"),
    [
        (False, Classification.CONFIDENTIEL_UE, None),
        (True, Classification.RESTREINT_UE, "has files"),
        (False, Classification.TRES_SECRET_UE, "above your own clearance"),
    ],
)
@pytest.mark.django_db
def test_security_officer_classifies_a_document(client, staff, with_file, level, error):
    document = DocumentFactory()
    if with_file:
        document_file_add(
            document=document, language="en", upload=SimpleUploadedFile("a.txt", b"text")
        )
    client.force_login(
        staff(Role.SECURITY_OFFICER, clearance=Classification.SECRET_UE), backend=MODEL_BACKEND
    )
    data = file_post(document, "")
    data.update({"classification": str(level), "files-TOTAL_FORMS": "0"})
    data["files-INITIAL_FORMS"] = str(document.files.count())

    response = client.post(change_url(document), data)

    document.refresh_from_db()
    if error is None:
        assert response.status_code == 302
        assert document.classification == level
        assert document.history.count() == 2  # registered, classified: the save added nothing
        assert document.history.first().history_change_reason == (
            "classification: CONFIDENTIEL UE/EU CONFIDENTIAL"
        )
    else:
        assert error in " ".join(errors_of(response)["classification"])
        assert document.classification == Classification.UNCLASSIFIED


@pytest.mark.django_db
def test_clerk_cannot_change_a_classification(clerk_client):
    document = DocumentFactory()
    data = file_post(document, "")
    data.update({"classification": str(Classification.SECRET_UE), "files-TOTAL_FORMS": "0"})

    clerk_client.post(change_url(document), data)

    document.refresh_from_db()
    assert document.classification == Classification.UNCLASSIFIED


@pytest.mark.django_db
def test_file_is_not_stored_when_the_page_has_errors(clerk_client):
    document = DocumentFactory()
    data = file_post(document, SimpleUploadedFile("note.pdf", b"%PDF-1.7"))
    data["subject"] = ""  # the main form is invalid

    response = clerk_client.post(change_url(document), data)

    assert response.status_code == 200
    assert "subject" in errors_of(response)
    assert not DocumentFile.objects.exists()


@pytest.mark.django_db
def test_version_of_a_hidden_document_is_refused_as_if_it_did_not_exist(clerk_client):
    DocumentFactory(reference="6000/24", classification=Classification.SECRET_UE)

    response = clerk_client.post(ADD, register_form(reference="6000/1/24 REV 1"))

    assert "ST 6000 2024 INIT is not registered" in " ".join(errors_of(response)["reference"])
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_citations_of_hidden_documents_are_neither_shown_nor_dropped(clerk_client):
    secret = DocumentFactory(reference="6000/24", classification=Classification.SECRET_UE)
    DocumentFactory(reference="9068/22")
    note = DocumentFactory(cites=["6000/24", "9068/22"])

    page = clerk_client.get(change_url(note))
    data = file_post(note, "")
    data.update(
        {
            "files-TOTAL_FORMS": "0",
            "cites": page.context["adminform"].form.initial["cites"],
            "cited_documents": [
                str(d.pk) for d in page.context["adminform"].form.initial["cited_documents"]
            ],
        }
    )
    clerk_client.post(change_url(note), data)

    assert "6000" not in page.content.decode()
    assert set(note.citations.values_list("cited", flat=True)) == {
        secret.pk,
        Document.objects.get(reference="ST 9068 2022 INIT").pk,
    }


@pytest.mark.django_db
def test_delete_page_does_not_name_what_points_at_a_document(client, staff):
    note = DocumentFactory(reference="8000/24")
    DocumentFactory(reference="8000/24 ADD 1", classification=Classification.SECRET_UE)
    client.force_login(staff(Role.SUPERVISOR), backend=MODEL_BACKEND)

    page = client.get(reverse("admin:documents_document_delete", args=[note.pk]))

    assert page.context["protected"] == ["1 other record(s) of the register point at it"]
    assert "ADD 1" not in page.content.decode()


@pytest.mark.django_db
def test_security_officer_cannot_raise_a_clearance_above_their_own(client, staff):
    officer = staff(Role.SECURITY_OFFICER, clearance=Classification.SECRET_UE)
    someone = UserProfile.objects.create(user=UserFactory())
    client.force_login(officer, backend=MODEL_BACKEND)

    own = client.get(reverse("admin:documents_userprofile_change", args=[officer.profile.pk]))
    too_high = client.post(
        reverse("admin:documents_userprofile_change", args=[someone.pk]),
        {"delegation": "", "clearance": str(Classification.TRES_SECRET_UE)},
    )
    granted = client.post(
        reverse("admin:documents_userprofile_change", args=[someone.pk]),
        {"delegation": "", "clearance": str(Classification.SECRET_UE)},
    )

    assert own.status_code == 302  # their own profile is not theirs to edit
    assert "above your own clearance" in " ".join(errors_of(too_high)["clearance"])
    assert granted.status_code == 302
    someone.refresh_from_db()
    assert someone.clearance == Classification.SECRET_UE


@pytest.mark.django_db
def test_a_hidden_parent_is_not_named_on_its_versions_page(clerk_client):
    secret = DocumentFactory(reference="6000/24", classification=Classification.SECRET_UE)
    extract = document_derive(
        document=secret, kind="EXT", classification=Classification.UNCLASSIFIED
    )
    visible_parent = DocumentFactory(reference="7000/24")
    revision = document_derive(document=visible_parent, kind="REV")

    hidden_page = clerk_client.get(change_url(extract)).content.decode()
    visible_page = clerk_client.get(change_url(revision)).content.decode()

    assert "ST 6000 2024 INIT" not in hidden_page
    assert "a document you may not see" in hidden_page
    assert "ST 7000 2024 INIT" in visible_page


@pytest.mark.django_db
def test_saving_a_document_keeps_its_stored_files(clerk_client):
    document = DocumentFactory()
    stored = document_file_add(
        document=document, language="en", upload=SimpleUploadedFile("a.txt", b"text")
    )
    data = file_post(document, "")
    data.update(
        {
            "subject": "Corrected subject",
            "files-INITIAL_FORMS": "1",
            "files-0-id": str(stored.pk),
            "files-0-language": "fr",  # disabled: ignored
        }
    )

    response = clerk_client.post(change_url(document), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(document.files.values_list("language", "sha256")) == [("en", stored.sha256)]
    document.refresh_from_db()
    assert document.subject == "Corrected subject"
