"""Plans held by tests: every query of every hot request reads the register through an index.

A register of some 54,000 documents (30 years of ST, WK and CM, numbered subject codes,
procedures, citations, files, meetings with agendas, the change log) is generated with SQL in
the test database and analysed; then each hot operation runs through the API or the admin as its
caller would, every statement it ran is EXPLAINed (ANALYZE), and no plan may read the
documents, their links or the change log with a sequential scan of more rows than a page's
LIMIT bounds. (A query no index serves scans at any size; at a million rows it costs seconds.)
"""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.pagination import token_encode
from documents.models import UserProfile
from documents.roles import Role, roles_set_up, user_role_set
from tests.factories import DelegationFactory, UserFactory

BIG = {
    "documents_document", "documents_change", "documents_documentsubjectcode",
    "documents_citation", "documents_documentprocedure", "documents_agendaitemdocument",
    "documents_documentfile", "documents_subjectcodenumber",
}  # fmt: skip
WORDS = [
    "regulation", "directive", "proposal", "police", "cooperation", "data", "protection",
    "fisheries", "migration", "asylum", "budget", "energy", "climate", "trade", "customs",
    "competition", "transport", "health", "cyber", "sanctions",
]  # fmt: skip

REGISTER = f"""
INSERT INTO documents_subjectcode (code, description)
SELECT 'CODE' || chr(65 + i / 26) || chr(65 + i % 26), '' FROM generate_series(0, 59) i;

INSERT INTO documents_body (name, abbreviation, kind, slug, parent_id)
SELECT 'Working Party ' || i, '', 'working-party', 'working-party-' || i, NULL
FROM generate_series(1, 150) i;

INSERT INTO documents_procedure (year, number, type, reference, slug, title, commission_proposal,
    commission_proposal_date, lead_body_id, stage, adopted_act, created_at, updated_at)
SELECT 1995 + i % 30, i, 'COD', (1995 + i % 30) || '/' || lpad(i::text, 4, '0') || '(COD)',
    (1995 + i % 30) || '-' || lpad(i::text, 4, '0') || '-cod', 'A procedure', '', NULL,
    (SELECT min(id) FROM documents_body), 'proposal', '', now(), now()
FROM generate_series(1, 2700) i;

INSERT INTO documents_document (series, number, year, suffix, reference, slug, date, place,
    original_language, document_type, originator, recipients, subject, distribution,
    classification, released_at, released_by_id, release_reason, release_note, comments_due,
    created_at, updated_at, parent_id, registered_by_id)
SELECT series, n, year, '', series || ' ' || n || ' ' || year || ' INIT',
    lower(series) || '-' || n || '-' || year || '-init',
    make_date(year, 1, 1) + (n * 7919 % 365), 'Brussels', 'en', 'NOTE', 'Presidency',
    'Delegations',
    'Note on ' || (ARRAY{WORDS!r})[1 + n % 20] || ' and ' || (ARRAY{WORDS!r})[1 + (n / 20) % 20]
        || CASE WHEN n % 997 = 0 THEN ' quasirarissimum' ELSE '' END,
    CASE WHEN n % 10 < 7 THEN 'LIMITE' ELSE 'PUBLIC' END, CASE WHEN n % 211 = 0 THEN 2 ELSE 0 END,
    NULL, NULL, '', '', CASE WHEN n % 50 = 0 THEN make_date(year, 6, 1) END, now(), now(), NULL,
    NULL
FROM unnest(ARRAY['ST', 'WK', 'CM']) series, generate_series(1995, 2024) year,
    generate_series(1, 600) n;

INSERT INTO documents_documentsubjectcode (document_id, subject_code_id, allocation_id, year,
    "order")
SELECT d.id, c.id, NULL, d.year, k
FROM documents_document d, generate_series(1, 3) k,
    LATERAL (SELECT id FROM documents_subjectcode ORDER BY id
             OFFSET (d.number * k * 13) % 60 LIMIT 1) c
ON CONFLICT DO NOTHING;

INSERT INTO documents_documentprocedure (document_id, procedure_id)
SELECT d.id, p.id FROM documents_document d
JOIN documents_procedure p ON p.number = 1 + (d.id % 2700);

INSERT INTO documents_citation (document_id, reference, cited_id, "order")
SELECT d.id, c.reference, c.id, 1 FROM documents_document d
JOIN documents_document c ON c.id = d.id - 1 WHERE d.id % 4 = 0;

INSERT INTO documents_meeting (body_id, key, title, starts_at, ends_at, place, videoconference,
    status, notice_id, outcome, outcome_document_id, created_at, updated_at)
SELECT b.id, b.slug || '-' || i, '', now() - (i || ' days')::interval, NULL, 'Brussels', false,
    'held', NULL, '', NULL, now(), now()
FROM documents_body b, generate_series(1, 10) i;

INSERT INTO documents_agendaitem (meeting_id, "order", title)
SELECT m.id, k, 'Item ' || k FROM documents_meeting m, generate_series(1, 3) k;

INSERT INTO documents_agendaitemdocument (agenda_item_id, document_id)
SELECT a.id, (SELECT min(id) FROM documents_document) + (a.id * 37 + k * 7919) % 50000
FROM documents_agendaitem a, generate_series(1, 7) k
ON CONFLICT DO NOTHING;

INSERT INTO documents_documentfile (document_id, language, file, size, sha256, media_type,
    uploaded_at, uploaded_by_id)
SELECT d.id, l, 'documents/' || d.slug || '-' || l || '.pdf', 1000, repeat('ab', 32),
    'application/pdf', now(), NULL
FROM documents_document d, unnest(ARRAY['en', 'fr']) l
WHERE d.classification = 0 AND d.id % 3 > 0;

INSERT INTO documents_subjectcodenumber (subject_code_id, year, number, series, document_number,
    allocated_at)
SELECT l.subject_code_id, d.year,
    row_number() OVER (PARTITION BY l.subject_code_id, d.year ORDER BY d.number), d.series,
    d.number, now()
FROM documents_documentsubjectcode l JOIN documents_document d ON d.id = l.document_id
WHERE d.series = 'ST';

UPDATE documents_documentsubjectcode l SET allocation_id = n.id
FROM documents_document d, documents_subjectcodenumber n
WHERE d.id = l.document_id AND d.series = 'ST' AND n.subject_code_id = l.subject_code_id
    AND n.year = d.year AND n.series = d.series AND n.document_number = d.number;

INSERT INTO documents_visibilitystate (record, series, classification, distribution, released,
    distributed)
SELECT DISTINCT false, series, classification, distribution, false, ''
FROM documents_document;

INSERT INTO documents_change (record, record_id, key, kind, scope, fields, was_id, now_id,
    link_was_id, link_now_id, link_level, position, changed_at)
SELECT 'document', d.id, d.slug, 'created', 'listing', '', NULL, s.id, NULL, NULL, NULL,
    row_number() OVER (ORDER BY d.id), now()
FROM documents_document d
JOIN documents_visibilitystate s ON s.series = d.series
    AND s.classification = d.classification AND s.distribution = d.distribution
    AND NOT s.released AND s.distributed = '';

ANALYZE;
"""


# A sequential scan that stops early (under a LIMIT) reads few rows: only one that reads more
# than this many rows of a big table is a scan of the register.
MAX_ROWS_SCANNED = 15_000


def _scans(plan: dict) -> list[str]:
    """Relations read by a sequential scan of more than MAX_ROWS_SCANNED rows in ``plan``."""
    found = []
    if plan.get("Node Type") == "Seq Scan":
        read = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        if read * plan.get("Actual Loops", 1) > MAX_ROWS_SCANNED:
            found.append(plan.get("Relation Name"))
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def _sequential_scans_of(client, url: str, **data) -> dict[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200, (url, response.content[:300])
    offending = {}
    with connection.cursor() as cursor:
        # The planner's cost of a random read on solid-state storage (the production setting):
        # at this size, with spinning-disk costs, it would scan small tables a million-row
        # register never would. A query no index serves still scans, whatever the costs.
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            if big := sorted(set(_scans(plan[0]["Plan"])) & BIG):
                offending[sql[:300]] = big
    return offending


@pytest.fixture
def register(db, django_db_blocker):
    roles_set_up()
    with connection.cursor() as cursor:
        cursor.execute(REGISTER)
    delegate = UserFactory()
    UserProfile.objects.create(user=delegate, delegation=DelegationFactory(code="BE"))
    clerk = UserFactory()
    user_role_set(user=clerk, role=Role.CLERK)
    return {"anonymous": AnonymousUser(), "delegate": delegate, "clerk": clerk}


OPERATIONS = [
    ("detail", "/api/v1/documents/st-300-2010-init/", {}),
    ("by procedure", "/api/v1/documents/", {"procedure": "2010/0015(COD)"}),
    ("by subject code and year", "/api/v1/documents/", {"subject_code": "CODEAB", "year": 2010}),
    ("by date range", "/api/v1/documents/", {"date_after": "2000-01-01",
                                              "date_before": "2010-12-31"}),
    ("full text, common word", "/api/v1/documents/", {"q": "police"}),
    ("full text, rare word", "/api/v1/documents/", {"q": "quasirarissimum"}),
    ("meetings of a body", "/api/v1/meetings/", {"body": "working-party-7"}),
]  # fmt: skip


@pytest.mark.slow
def test_hot_reads_use_indexes_never_a_scan_of_the_register(register, client):
    """GIVEN the generated register WHEN the public and a delegate read through the API (the
    operations of ``make bench``) and a clerk searches and filters at the desk THEN no statement
    reads a big table with a sequential scan. (One test: the register is built once.)"""
    offending = {}
    for caller in ("anonymous", "delegate"):
        api = APIClient()
        if caller != "anonymous":
            api.force_authenticate(register[caller])
        for name, url, data in OPERATIONS:
            scans = _sequential_scans_of(api, url, page_size=50, **data)
            offending |= {f"{caller}, {name}: {sql}": big for sql, big in scans.items()}
        # Twenty pages deep in a date range, through the cursors of the next links.
        url = "/api/v1/documents/?date_after=2000-01-01&date_before=2010-12-31&page_size=50"
        for _page in range(20):
            url = api.get(url).json()["next"]
        offending |= _sequential_scans_of(api, url)
        # The changes feed, a page from the middle.
        middle = token_encode("changes-feed-cursor", {"p": 27_000})
        offending |= _sequential_scans_of(api, "/api/v1/changes/", cursor=middle, page_size=100)
    client.force_login(register["clerk"], backend="django.contrib.auth.backends.ModelBackend")
    for term in ("5397/24", "ST 300 2010", "CODEAB", "2010/0015 (COD)", "police", '"'):
        offending |= _sequential_scans_of(client, "/admin/documents/document/", q=term)
    for filters in ({}, {"subject_code": "CODEAB"}, {"comments_due": "past"}, {"year": "2024"}):
        offending |= _sequential_scans_of(client, "/admin/documents/document/", **filters)

    assert offending == {}
