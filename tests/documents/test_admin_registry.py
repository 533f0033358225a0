"""Procedure and meeting pages of the registry desk."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Classification, Meeting, UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from documents.services import agenda_item_add, procedure_event_add
from tests.factories import BodyFactory, DocumentFactory, ProcedureFactory, UserFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def clerk(db, client):
    roles_set_up()
    user = UserFactory()
    UserProfile.objects.create(user=user)
    user_role_set(user=user, role=Role.CLERK)
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def test_procedure_page_shows_its_timeline_and_the_documents_the_user_may_see(clerk):
    procedure = ProcedureFactory(year=2022, number=155)
    visible = DocumentFactory(reference="9068/22", procedures=[procedure])
    DocumentFactory(
        reference="9100/22", procedures=[procedure], classification=Classification.SECRET_UE
    )
    procedure_event_add(
        procedure=procedure, date=datetime.date(2022, 5, 11), title="Commission proposal",
        stage="proposal",
    )  # fmt: skip

    page = clerk.get(reverse("admin:documents_procedure_change", args=[procedure.pk]))

    events, documents = page.context["inline_admin_formsets"]
    assert [f.instance.title for f in events.formset.forms] == ["Commission proposal"]
    assert [f.instance.document for f in documents.formset.forms] == [visible]
    assert "9100/22" not in page.content.decode()


def procedure_post(procedure, event_title: str, *, stage: str) -> dict:
    """The procedure's change form as the browser posts it, with one new timeline event."""
    return {
        "year": str(procedure.year), "number": str(procedure.number), "type": procedure.type,
        "title": procedure.title, "commission_proposal": "", "commission_proposal_date": "",
        "lead_body": "", "stage": procedure.stage, "adopted_act": procedure.adopted_act,
        "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "0",
        "events-0-date": "2022-06-22", "events-0-order": "0", "events-0-title": event_title,
        "events-0-stage": stage, "events-0-document": "",
        "documentprocedure_set-TOTAL_FORMS": "0", "documentprocedure_set-INITIAL_FORMS": "0",
    }  # fmt: skip


def test_timeline_event_added_inline_moves_the_procedure_stage(clerk):
    procedure = ProcedureFactory(year=2022, number=155)
    data = procedure_post(procedure, "Examined by the LEWP (Police)", stage="working-party")

    response = clerk.post(reverse("admin:documents_procedure_change", args=[procedure.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    procedure.refresh_from_db()
    assert procedure.stage == "working-party"


def test_agenda_is_edited_inline_in_order_and_keeps_links_the_user_cannot_see(clerk):
    body = BodyFactory()
    meeting = Meeting.objects.create(body=body, starts_at=timezone.now())
    procedure = ProcedureFactory()
    secret = DocumentFactory(classification=Classification.SECRET_UE)
    item = agenda_item_add(meeting=meeting, title="First item", documents=[secret])
    wk = DocumentFactory(series="WK")
    data = {
        "body": str(body.pk), "title": "", "starts_at_0": "2024-03-01", "starts_at_1": "10:00:00",
        "ends_at_0": "", "ends_at_1": "", "place": "Brussels", "status": "planned",
        "notice": "", "outcome": "", "outcome_document": "",
        "agenda_items-TOTAL_FORMS": "2", "agenda_items-INITIAL_FORMS": "1",
        "agenda_items-0-id": str(item.pk), "agenda_items-0-meeting": str(meeting.pk),
        "agenda_items-0-order": "1", "agenda_items-0-title": "First item, renamed",
        "agenda_items-0-linked_documents": [str(wk.pk)],
        "agenda_items-0-linked_procedures": [str(procedure.pk)],
        "agenda_items-1-meeting": str(meeting.pk), "agenda_items-1-order": "2",
        "agenda_items-1-title": "Any other business",
    }  # fmt: skip

    response = clerk.post(reverse("admin:documents_meeting_change", args=[meeting.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    items = list(meeting.agenda_items.order_by("order"))
    assert [(i.order, i.title) for i in items] == [
        (1, "First item, renamed"),
        (2, "Any other business"),
    ]
    assert set(items[0].documents.all()) == {secret, wk}  # the secret link survives
    assert list(items[0].procedures.all()) == [procedure]
    page = clerk.get(reverse("admin:documents_meeting_change", args=[meeting.pk])).content.decode()
    assert secret.reference not in page


def history_of(page) -> str:
    return page.content.decode().split('id="record-history"')[1]


def test_procedure_and_meeting_history_is_readable_from_their_pages(clerk):
    procedure = ProcedureFactory(year=2022, number=155, title="Old title")
    procedure.title = "New title"
    procedure.save()
    DocumentFactory(reference="9068/22", procedures=[procedure])
    DocumentFactory(
        reference="9100/22", procedures=[procedure], classification=Classification.SECRET_UE
    )
    procedure_event_add(
        procedure=procedure, date=datetime.date(2022, 5, 11), title="Commission proposal",
        stage="proposal",
    )  # fmt: skip
    meeting = Meeting.objects.create(body=BodyFactory(), starts_at=timezone.now(), place="Brussels")
    agenda_item_add(meeting=meeting, title="Item", procedures=[procedure])

    procedure_page = history_of(
        clerk.get(reverse("admin:documents_procedure_change", args=[procedure.pk]))
    )
    meeting_page = history_of(
        clerk.get(reverse("admin:documents_meeting_change", args=[meeting.pk]))
    )

    assert "title: &#x27;Old title&#x27; → &#x27;New title&#x27;" in procedure_page
    assert "event added: 11.05.2022 Commission proposal" in procedure_page
    assert "document added: ST 9068 2022 INIT" in procedure_page
    assert "9100" not in procedure_page
    assert "agenda item added: 1. Item" in meeting_page
    assert "agenda procedure added: item 1: 2022/0155(COD)" in meeting_page


def test_hidden_notice_is_masked_and_kept_when_a_clerk_saves_the_meeting(clerk):
    body = BodyFactory()
    notice = DocumentFactory(series="CM", classification=Classification.SECRET_UE)
    meeting = Meeting.objects.create(body=body, starts_at=timezone.now(), notice=notice)
    meeting.place = "Luxembourg"
    meeting.save()
    url = reverse("admin:documents_meeting_change", args=[meeting.pk])
    data = {
        "body": str(body.pk), "title": "", "starts_at_0": "2024-03-01", "starts_at_1": "10:00:00",
        "ends_at_0": "", "ends_at_1": "", "place": "Brussels", "status": "planned",
        "outcome": "", "outcome_document": "",
        "agenda_items-TOTAL_FORMS": "0", "agenda_items-INITIAL_FORMS": "0",
    }  # fmt: skip

    page = clerk.get(url)
    response = clerk.post(url, data)

    assert notice.reference not in page.content.decode()
    assert "a document you may not see" in page.content.decode()
    assert response.status_code == 302, response.context and response.context["errors"]
    meeting.refresh_from_db()
    assert (meeting.notice, meeting.place) == (notice, "Brussels")


def test_timeline_that_would_unadopt_a_named_act_is_refused_on_the_form(clerk):
    procedure = ProcedureFactory(year=2021, number=1, stage="adopted", adopted_act="Regulation X")
    data = procedure_post(procedure, "Back to the working party", stage="working-party")

    response = clerk.post(reverse("admin:documents_procedure_change", args=[procedure.pk]), data)

    assert response.status_code == 200
    assert "names its adopted act" in str(
        response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    procedure.refresh_from_db()
    assert procedure.stage == "adopted"
