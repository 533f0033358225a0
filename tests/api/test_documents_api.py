"""The read API: who sees what through every door, strict input, conditional GETs."""

import datetime
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from documents.models import Document, Meeting, UserProfile
from documents.search import documents_search
from documents.services import agenda_item_add, document_file_add
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    DocumentFactory,
    ProcedureFactory,
    SubjectCodeFactory,
    UserFactory,
)

FULL, LISTED, HIDDEN = "full", "listed", "hidden"
# What each reader gets of each document, through the API (DOMAIN.md, "Who may see what").
TABLE = {
    #               public  limite  released wk      secret  to_observer
    "anonymous":   (FULL, LISTED, FULL, HIDDEN, HIDDEN, LISTED),
    "delegate":    (FULL, FULL, FULL, FULL, HIDDEN, FULL),
    "cleared":     (FULL, FULL, FULL, FULL, FULL, FULL),
    "observer":    (FULL, LISTED, FULL, HIDDEN, HIDDEN, FULL),
    "clerk":       (FULL, FULL, FULL, FULL, HIDDEN, FULL),
}  # fmt: skip
KINDS = ("public", "limite", "released", "wk", "secret", "to_observer")
LISTING_FIELDS = {
    "url", "reference", "cover_reference", "slug", "series", "number", "year", "suffix",
    "date", "document_type", "subject", "distribution", "public",
}  # fmt: skip


def client_for(user) -> APIClient:
    client = APIClient()
    if user.is_authenticated:
        client.force_authenticate(user)
    return client


def listed(client, query: str = "") -> dict[str, dict]:
    response = client.get(f"/api/v1/documents/?page_size=500{query}")
    assert response.status_code == 200, response.content
    return {item["reference"]: item for item in response.json()["results"]}


@pytest.mark.parametrize("reader", TABLE)
def test_every_door_shows_each_reader_exactly_what_the_table_allows(register, reader):
    client = client_for(register["readers"][reader])
    expected = dict(zip(KINDS, TABLE[reader], strict=True))
    documents = register["documents"]
    in_list = listed(client)

    for kind, access in expected.items():
        document = documents[kind]
        detail = client.get(f"/api/v1/documents/{document.slug}/")
        download = client.get(f"/api/v1/documents/{document.slug}/files/en/")
        if access == HIDDEN:
            assert document.reference not in in_list, kind
            assert detail.status_code == 404, kind
            assert download.status_code == 404, kind
            continue
        assert detail.status_code == 200, kind
        shown = set(detail.json())
        assert in_list[document.reference] == detail.json(), kind
        if access == LISTED:
            assert shown == LISTING_FIELDS, kind
            assert download.status_code == 404, kind
        else:
            assert {"procedures", "subject_codes", "files", "cites", "originator"} <= shown
            if not document.classification:
                assert download.status_code == 200, kind
                assert b"".join(download.streaming_content) == b"text"
    # Nothing of a hidden or listed-only document leaks through its links elsewhere.
    meeting = client.get(f"/api/v1/meetings/{register['meeting'].key}/").json()
    # Links name only what the reader may read in full: that a LIMITE document is on an
    # agenda is no more public than its other metadata (the filters say the same).
    on_agenda = {link["reference"] for link in meeting["agenda"][0]["documents"]}
    assert on_agenda == {
        documents[k].reference for k in ("public", "limite", "wk", "secret") if expected[k] == FULL
    }
    procedure = client.get("/api/v1/procedures/2023-0452-cod/").json()
    event_document = procedure["events"][0]["document"]
    assert (event_document or {}).get("reference") == (
        documents["secret"].reference if expected["secret"] == FULL else None
    )
    by_meeting = listed(client, f"&meeting={register['meeting'].key}")
    assert set(by_meeting) == on_agenda


@pytest.mark.parametrize("reader", TABLE)
@pytest.mark.parametrize(
    "query",
    ["&subject_code=JAI", "&procedure=2023/0452(COD)", "&distribution=LIMITE", "&q=compromise"],
)
def test_filters_never_match_more_than_the_reader_may_read(register, reader, query):
    """GIVEN a filter on what the public may not read of a LIMITE document (its codes, its
    procedure) THEN it matches only documents the reader may read in full."""
    client = client_for(register["readers"][reader])
    expected = dict(zip(KINDS, TABLE[reader], strict=True))
    by_reference = {d.reference: kind for kind, d in register["documents"].items()}

    found = {by_reference[reference] for reference in listed(client, query)}

    matching = {  # which documents each filter matches, before any visibility
        "&subject_code=JAI": {"limite", "released", "wk", "to_observer"},
        "&procedure=2023/0452(COD)": {"public", "limite", "wk", "secret"},
        "&distribution=LIMITE": {"limite", "released", "wk", "to_observer"},
        "&q=compromise": {"limite"},
    }[query]
    # Public fields (marking, subject) may match what the reader lists; the others only what
    # the reader may read in full.
    allowed = {FULL, LISTED} if query in ("&distribution=LIMITE", "&q=compromise") else {FULL}
    assert found == {kind for kind in matching if expected[kind] in allowed}
    if query == "&subject_code=JAI" and reader == "anonymous":
        # The public learns the codes of a released document, never of a LIMITE one.
        assert found == {"released"}


def test_citations_show_every_reference_and_link_only_what_the_reader_may_see(register):
    documents = register["documents"]
    citing = DocumentFactory(
        cites=[documents["secret"].reference, "1234/99", documents["limite"].reference]
    )
    client = client_for(register["readers"]["delegate"])

    shown = client.get(f"/api/v1/documents/{citing.slug}/").json()

    limite = documents["limite"]
    assert shown["cites"] == [
        {"reference": documents["secret"].reference, "url": None},  # hidden: no link
        {"reference": "ST 1234 1999 INIT", "url": None},  # not registered
        {
            "reference": limite.reference,
            "url": f"http://testserver/api/v1/documents/{limite.slug}/",
        },
    ]


@pytest.mark.parametrize(
    ("spelling", "slug"),
    [("5397-24", "st-5397-2024-init"), ("st-5397-2024-init", "st-5397-2024-init"),
     ("ST 5397 2024 INIT", "st-5397-2024-init")],
)  # fmt: skip
@pytest.mark.django_db
def test_detail_accepts_any_spelling_of_the_reference(spelling, slug):
    DocumentFactory(reference="5397/24")

    response = APIClient().get(f"/api/v1/documents/{spelling}/")

    assert response.json()["slug"] == slug


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("reference=5397/2", "reference"),
        ("procedure=2023/0452(XYZ)", "procedure"),
        ("series=XX", "series"),
        ("year=1800", "year"),
        ("document_type=MEMO", "document_type"),
        ("distribution=SECRET", "distribution"),
        ("subject_code=NOSUCH", "subject_code"),
        ("subject_code=JAI 0", "subject_code"),
        ("body=999999", "body"),
        ("meeting=abc", "meeting"),
        ("date_after=2024-13-01", "date_after"),
        ("date_before=yesterday", "date_before"),
        ("updated_since=not-a-time", "updated_since"),
        ("page_size=0", "page_size"),
        ("page_size=1000000000", "page_size"),
        ("page_size=-1", "page_size"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),  # base64 of "not-a-cursor"
        ("cursor=%25%25%25", "cursor"),
        ("colour=blue", "colour"),
        ("page_size=%C2%B2", "page_size"),  # "²" passes str.isdigit()
        ("ordering=reference&cursor=cD0lMDA=", "cursor"),  # a position with a NUL byte
        ("updated_since=0001-01-01T00:00:00%2B01:00", "updated_since"),
        ("procedure=2099/0001(COD)", "procedure"),
        ("ordering=updated_at", "ordering"),
        ("q=" + "x" * 2100, "query"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_a_400_naming_the_field(query, field):
    SubjectCodeFactory(code="JAI")

    response = APIClient().get(f"/api/v1/documents/?{query}")

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"]
    assert body["message"].startswith(field)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/documents/st-1-2099-init/", "/api/v1/documents/not a reference/",
     "/api/v1/procedures/2099-0001-cod/", "/api/v1/meetings/999999/", "/api/v1/nowhere/",
     "/api/v1/documents/st-1-2099-init/files/en/", "/api/v1/documents/%00/",
     "/api/v1/documents/st-5397-2024-init/files/%00/", "/api/v1/procedures/%00/",
     "/api/v1/subject-codes/%00/", "/api/v1/delegations/%00/"],
)  # fmt: skip
@pytest.mark.django_db
def test_unknown_things_are_a_json_404(path):
    response = APIClient().get(path)

    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reference=st 5397/24", {"ST 5397 2024 INIT"}),
        ("reference=wk-9107-2022-init", {"WK 9107 2022 INIT"}),
        ("procedure=2023/0452 (COD)", {"ST 5397 2024 INIT"}),
        ("series=WK", {"WK 9107 2022 INIT"}),
        ("year=2022", {"WK 9107 2022 INIT"}),
        ("document_type=MEETING DOCUMENT", {"WK 9107 2022 INIT"}),
        ("subject_code=JAI", {"ST 5397 2024 INIT", "WK 9107 2022 INIT"}),
        ("subject_code=jai 64", {"ST 5397 2024 INIT"}),
        ("subject_code=JAI 65", set()),
        ("date_after=2023-01-01", {"ST 5397 2024 INIT"}),
        ("date_before=2023-01-01", {"WK 9107 2022 INIT"}),
        ("q=case studies", {"ST 5397 2024 INIT"}),
        ("q=presentations", {"WK 9107 2022 INIT"}),
        ("q=studies -case", set()),
    ],
)
def test_filters_on_the_demo_register(demo_delegate, query, expected):
    response = demo_delegate.get(f"/api/v1/documents/?{query}")

    assert response.status_code == 200, response.content
    assert {d["reference"] for d in response.json()["results"]} == expected


@pytest.fixture
def demo_delegate(db):
    from django.core.management import call_command

    call_command("load_demo", "--with-users", verbosity=0)
    client = APIClient()
    client.force_authenticate(UserProfile.objects.get(user__username="delegate.be").user)
    return client


def test_body_meeting_and_updated_since_filters(demo_delegate):
    meeting = Meeting.objects.get(starts_at__year=2022)  # the demo's past meeting
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()

    by_body = demo_delegate.get(f"/api/v1/documents/?body={meeting.body.slug}").json()["results"]
    by_meeting = demo_delegate.get(f"/api/v1/documents/?meeting={meeting.key}").json()["results"]
    recent = demo_delegate.get("/api/v1/documents/", {"updated_since": future}).json()["results"]

    assert {d["reference"] for d in by_body} == {"ST 5397 2024 INIT", "WK 9107 2022 INIT"}
    assert [d["reference"] for d in by_meeting] == ["WK 9107 2022 INIT"]
    assert recent == []


def test_conditional_get_answers_304_and_the_etag_follows_the_callers_view(demo_delegate):
    url = "/api/v1/documents/st-5397-2024-init/"
    first = demo_delegate.get(url)
    anonymous = APIClient().get(url)

    again = demo_delegate.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    since = demo_delegate.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    stale = demo_delegate.get(url, HTTP_IF_NONE_MATCH='"something-else"')

    assert (again.status_code, since.status_code, stale.status_code) == (304, 304, 200)
    assert anonymous["ETag"] != first["ETag"]  # the listing view is another representation


@pytest.mark.parametrize(
    ("endpoint", "make"),
    [
        ("documents", lambda i: document_file_add(
            document=DocumentFactory(subject_codes=["JAI"], cites=[
                "1234/99",  # not registered
                DocumentFactory(subject="cited, visible").reference,
                DocumentFactory(classification=2, subject="cited, hidden").reference,
            ]), language="en", upload=ContentFile(b"text", name="t.txt")).document),
        ("procedures", lambda i: ProcedureFactory()),
        ("meetings", lambda i: agenda_item_add(
            meeting=Meeting.objects.create(body=BodyFactory(), starts_at=timezone.now()),
            title="Item", documents=[DocumentFactory()]).meeting),
        ("bodies", lambda i: BodyFactory()),
        ("subject-codes", lambda i: SubjectCodeFactory(code=f"CODE{chr(65 + i % 26)}")),
        ("delegations", lambda i: DelegationFactory()),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_list_endpoints_run_a_constant_number_of_queries(endpoint, make):
    SubjectCodeFactory(code="JAI")
    user = UserFactory()
    UserProfile.objects.create(user=user, delegation=DelegationFactory(code="BE"))
    client = client_for(user)

    def queries_for(count: int) -> int:
        for i in range(count):
            make(i)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/{endpoint}/?page_size={count}")
        assert response.status_code == 200
        assert len(response.json()["results"]) >= count
        return len(captured)

    assert queries_for(3) == queries_for(25)


@pytest.mark.django_db
def test_full_text_search_uses_the_gin_index():
    DocumentFactory(subject="Case studies")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = documents_search(Document.objects.all(), "case studies").explain()
        cursor.execute("SET enable_seqscan = on")

    assert "documents_document_subject_fts_idx" in plan


def test_reads_of_limite_documents_by_delegations_and_every_download_are_recorded(demo_delegate):
    from documents.models import DocumentRead

    demo_delegate.get("/api/v1/documents/st-5397-2024-init/", REMOTE_ADDR="192.0.2.7")
    demo_delegate.get("/api/v1/documents/?series=WK")
    demo_delegate.get("/api/v1/changes/")
    demo_delegate.get("/api/v1/documents/st-5397-2024-init/files/en/")
    APIClient().get("/api/v1/documents/")  # the public: listing only, nothing to record

    records = list(
        DocumentRead.objects.order_by("pk").values_list(
            "user__username", "delegation__code", "document__reference", "kind", "via"
        )
    )
    by_door = sorted(records, key=lambda record: (record[4], record[2]))
    assert by_door == [
        ("delegate.be", "BE", "ST 5397 2024 INIT", "read", "api-detail"),
        ("delegate.be", "BE", "ST 5397 2024 INIT", "download", "api-file"),
        ("delegate.be", "BE", "WK 9107 2022 INIT", "read", "api-list"),
        ("delegate.be", "BE", "ST 5397 2024 INIT", "read", "feed"),
        ("delegate.be", "BE", "WK 9107 2022 INIT", "read", "feed"),
    ]
    assert DocumentRead.objects.order_by("pk").first().address == "192.0.2.7"


def test_supervisors_read_the_audit_trail_in_the_admin(demo_delegate, client):
    from django.contrib.auth import get_user_model

    demo_delegate.get("/api/v1/documents/st-5397-2024-init/")
    users = get_user_model().objects
    client.force_login(
        users.get(username="supervisor"), backend="django.contrib.auth.backends.ModelBackend"
    )
    as_supervisor = client.get("/admin/documents/documentread/")
    client.force_login(
        users.get(username="clerk"), backend="django.contrib.auth.backends.ModelBackend"
    )
    as_clerk = client.get("/admin/documents/documentread/")

    assert as_supervisor.status_code == 200
    assert [str(r.document) for r in as_supervisor.context["cl"].result_list] == [
        "ST 5397 2024 INIT"
    ]
    assert as_clerk.status_code == 403


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("date", ["WK 9107 2022 INIT", "ST 5397 2024 INIT", "ST 6000 2024 INIT"]),
        ("-date", ["ST 6000 2024 INIT", "ST 5397 2024 INIT", "WK 9107 2022 INIT"]),
        ("reference", ["ST 5397 2024 INIT", "ST 6000 2024 INIT", "WK 9107 2022 INIT"]),
        ("-reference", ["WK 9107 2022 INIT", "ST 6000 2024 INIT", "ST 5397 2024 INIT"]),
    ],
)
def test_documents_are_ordered_by_date_or_reference_across_pages(demo_delegate, ordering, expected):
    DocumentFactory(reference="6000/24", date=datetime.date(2024, 3, 1))
    seen, url = [], f"/api/v1/documents/?ordering={ordering}&page_size=1"

    while url:
        page = demo_delegate.get(url).json()
        seen += [d["reference"] for d in page["results"]]
        url = page["next"]

    assert seen == expected


@pytest.mark.django_db
def test_unknown_ordering_is_a_400():
    response = APIClient().get("/api/v1/documents/?ordering=subject")

    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]


def test_when_a_limite_document_changed_is_not_public(demo_delegate):
    url = "/api/v1/documents/st-5397-2024-init/"
    long_ago = "2000-01-01T00:00:00Z"

    anonymous = APIClient().get(url)
    delegate = demo_delegate.get(url)
    public_since = APIClient().get("/api/v1/documents/", {"updated_since": long_ago})

    assert "Last-Modified" not in anonymous
    assert "Last-Modified" in delegate
    assert public_since.json()["results"] == []


def test_an_agenda_change_makes_conditional_gets_stale(demo_delegate):
    document_url = "/api/v1/documents/wk-9107-2022-init/"
    meeting = Meeting.objects.get(starts_at__year=2022)  # the demo's past meeting
    meeting_url = f"/api/v1/meetings/{meeting.key}/"
    before = {url: demo_delegate.get(url) for url in (document_url, meeting_url)}
    later = Meeting.objects.create(
        body=meeting.body, starts_at=timezone.now() + datetime.timedelta(days=1)
    )

    time.sleep(1.1)  # Last-Modified has a resolution of one second
    agenda_item_add(
        meeting=later, title="Follow-up", documents=[Document.objects.get(slug="wk-9107-2022-init")]
    )
    agenda_item_add(meeting=meeting, title="Any other business")

    for url, response in before.items():
        again = demo_delegate.get(
            url,
            HTTP_IF_MODIFIED_SINCE=response["Last-Modified"],
        )
        assert again.status_code == 200, url
        assert demo_delegate.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["-date", "date", "reference"])
def test_paging_through_many_documents_of_one_date_returns_each_exactly_once(ordering):
    """GIVEN 1,100 documents of the same date (DRF's cursor offset within a tie stops at 1,000)
    WHEN they are paged 100 at a time
    THEN every document comes exactly once."""
    Document.objects.bulk_create(
        Document(
            series="ST", number=n, year=2024, date=datetime.date(2024, 5, 6),
            document_type="NOTE", originator="Presidency", recipients="Delegations",
            subject=f"Document {n}", reference=f"ST {n} 2024 INIT", slug=f"st-{n}-2024-init",
        )
        for n in range(1, 1101)
    )  # fmt: skip
    client, seen = APIClient(), []
    url = f"/api/v1/documents/?page_size=100&ordering={ordering}"

    while url:
        page = client.get(url).json()
        seen += [d["reference"] for d in page["results"]]
        url = page["next"]

    assert len(seen) == len(set(seen)) == 1100


@pytest.mark.django_db
def test_a_cursor_position_of_the_wrong_type_is_a_400():
    # base64 of "p=xyz": procedures page on their integer id
    response = APIClient().get("/api/v1/procedures/?cursor=cD14eXo=")

    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_a_read_of_a_document_deleted_meanwhile_never_fails_the_reader(caplog):
    """GIVEN a page of documents served to a delegate, one of which is deleted before the
    audit insert commits THEN the other reads are recorded and the caller gets no error."""
    from documents.models import Delegation, DocumentRead
    from documents.services.audit import reads_record

    user = UserFactory()
    delegation = Delegation.objects.create(code="BE", name="Belgium", kind="member-state")
    UserProfile.objects.create(user=user, delegation=delegation)
    kept, gone = DocumentFactory(distribution="LIMITE"), DocumentFactory(distribution="LIMITE")
    served = list(Document.objects.filter(pk__in=[kept.pk, gone.pk]))
    Document.objects.filter(pk=gone.pk).delete()

    reads_record(user=user, documents=served, via="api-list", address="192.0.2.1")

    assert list(DocumentRead.objects.values_list("document_id", flat=True)) == [kept.pk]
    assert "1 deleted document" in caplog.text


@pytest.mark.django_db
def test_a_file_url_is_the_route_of_the_file():
    from django.urls import reverse
    from rest_framework.test import APIRequestFactory

    from api.serializers.links import file_url

    request = APIRequestFactory().get("/")
    path = reverse("api:document-file", kwargs={"slug": "st-5397-2024-add-1", "language": "fr"})

    assert file_url(request, "st-5397-2024-add-1", "fr") == f"http://testserver{path}"
