"""What ``make bench`` measures: one table of operations, each with its URL, the callers it
is measured as, how its parameters are picked from the register, and its floor.

The floor of an operation is the same answer in raw SQL: a hand-written query returning the
rows and fields the page shows (nested links included), under the visibility rule stated
independently below, plus the round trip of ``/livez`` through the same gunicorn.

When the API changes (parameters, keys, pagination), this table is what changes:

- ``url``: a path template; ``{name}`` takes the case's value of that name, URL-quoted.
- ``cases``: SQL choosing the parameters (one row per case, ``%(n)s`` of them), or a list of
  fixed cases; ``url_values`` may turn a case into URL values (e.g. an opaque cursor).
- ``floor``: SQL whose ``%(name)s`` take the case's values. ``{listed:x}`` and
  ``{readable:x}`` stand for the caller's visibility rule on the documents of alias ``x``.
  ``walk`` operations follow the page's ``next`` link; their floor continues from the last
  row of its own previous page (``{after}`` becomes the keyset condition).
- ``target``: which of the issue's targets (item 4) applies: detail, list, search, feed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.vocabulary import COMMON_WORD, RARE_WORD

PAGE = 50  # the documents list's default page size

# --- the visibility rule, stated once more in SQL (DOMAIN.md, "Who may see what") ---------

# What the public may read in full: unclassified, not WK, public or released.
_PUBLIC_READABLE = (
    "({a}.classification = 0 AND {a}.series <> 'WK' "
    "AND ({a}.distribution = 'PUBLIC' OR {a}.released_at IS NOT NULL))"
)
# What the public register lists: that, and LIMITE ST/CM/SN documents (listing only).
_PUBLIC_LISTED = (
    f"({_PUBLIC_READABLE} OR ({{a}}.classification = 0 AND {{a}}.series IN ('ST', 'CM', 'SN')))"
)
# A member state's delegate and a registry clerk, neither cleared: everything unclassified.
_UNCLASSIFIED = "({a}.classification = 0)"

CALLERS = {
    "anonymous": {"listed": _PUBLIC_LISTED, "readable": _PUBLIC_READABLE},
    "delegate": {"listed": _UNCLASSIFIED, "readable": _UNCLASSIFIED},
    "clerk": {"listed": _UNCLASSIFIED, "readable": _UNCLASSIFIED},
}


def sql_for(template: str, caller: str) -> str:
    """``template`` with ``{listed:x}`` / ``{readable:x}`` replaced by the caller's rule."""
    rules = CALLERS[caller]
    return re.sub(r"\{(listed|readable):(\w+)\}", lambda m: rules[m[1]].format(a=m[2]), template)


# --- a document as the API shows it, in SQL -----------------------------------------------


def document_columns(d: str = "d") -> str:
    """Every field of the document representation, nested links included."""
    return f"""
    {d}.id, {d}.reference, {d}.slug, {d}.series, {d}.number, {d}.year, {d}.suffix, {d}.date,
    {d}.document_type, {d}.subject, {d}.distribution, {d}.place, {d}.original_language,
    {d}.originator, {d}.recipients, {d}.classification, {d}.released_at, {d}.release_reason,
    {d}.comments_due, {d}.created_at, {d}.updated_at,
    (SELECT p.reference FROM documents_document p
      WHERE p.id = {d}.parent_id AND {{listed:p}}) AS parent,
    ARRAY(SELECT pr.reference FROM documents_documentprocedure dp
          JOIN documents_procedure pr ON pr.id = dp.procedure_id
          WHERE dp.document_id = {d}.id ORDER BY dp.id) AS procedures,
    ARRAY(SELECT sc.code || COALESCE(' ' || n.number, '') FROM documents_documentsubjectcode l
          JOIN documents_subjectcode sc ON sc.id = l.subject_code_id
          LEFT JOIN documents_subjectcodenumber n ON n.id = l.allocation_id
          WHERE l.document_id = {d}.id ORDER BY l."order", l.id) AS subject_codes,
    ARRAY(SELECT c.reference FROM documents_citation c
          LEFT JOIN documents_document cd ON cd.id = c.cited_id
          WHERE c.document_id = {d}.id AND (c.cited_id IS NULL OR {{listed:cd}})
          ORDER BY c."order", c.id) AS cites,
    ARRAY(SELECT DISTINCT ai.meeting_id FROM documents_agendaitemdocument aid
          JOIN documents_agendaitem ai ON ai.id = aid.agenda_item_id
          WHERE aid.document_id = {d}.id) AS meetings,
    ARRAY(SELECT f.language || ' ' || f.size || ' ' || f.sha256 || ' ' || f.media_type
          FROM documents_documentfile f WHERE f.document_id = {d}.id
          ORDER BY f.language) AS files"""


DOCUMENTS = f"SELECT {document_columns()} FROM documents_document d"
NEWEST_FIRST = f"ORDER BY d.date DESC, d.id DESC LIMIT {PAGE}"
# The admin's change list: its columns, in the model's ordering (and the primary key last).
ADMIN_LIST = (
    "SELECT d.id, d.reference, d.series, d.number, d.year, d.suffix, d.date, d.document_type, "
    "d.distribution, d.classification, d.released_at, d.subject FROM documents_document d"
)
ADMIN_ORDER = "ORDER BY d.year DESC, d.series, d.number DESC, d.suffix, d.id DESC LIMIT 50"


# A page of meetings with their agendas (nested procedures and readable documents).
MEETINGS = """SELECT m.id, m.title, m.starts_at, m.ends_at, m.place, m.videoconference,
            m.status, m.outcome, m.updated_at, b.id, b.name, b.abbreviation, b.kind, b.parent_id,
            (SELECT n.reference FROM documents_document n
              WHERE n.id = m.notice_id AND {{readable:n}}) AS notice,
            ARRAY(SELECT ai."order" || ' ' || ai.title || ' ' || COALESCE((
                    SELECT string_agg(p.reference, ',' ORDER BY p.id)
                    FROM documents_agendaitemprocedure ap
                    JOIN documents_procedure p ON p.id = ap.procedure_id
                    WHERE ap.agenda_item_id = ai.id), '') || ' ' || COALESCE((
                    SELECT string_agg(x.reference, ',' ORDER BY x.id)
                    FROM documents_agendaitemdocument ad
                    JOIN documents_document x ON x.id = ad.document_id
                    WHERE ad.agenda_item_id = ai.id AND {{readable:x}}), '')
                  FROM documents_agendaitem ai WHERE ai.meeting_id = m.id
                  ORDER BY ai."order") AS agenda
            FROM documents_meeting m JOIN documents_body b ON b.id = m.body_id
            {where} ORDER BY m.starts_at DESC, m.id DESC LIMIT 50"""


@dataclass(frozen=True)
class Operation:
    name: str
    url: str
    floor: str
    cases: str | tuple[dict, ...]
    callers: tuple[str, ...] = ("anonymous", "delegate")
    target: str | None = None  # detail, list, search or feed (issue 8, item 4)
    walk: int = 1  # pages followed through `next`
    mix: int = 0  # weight in the mixed load (0: not part of it)
    url_values: Callable[[dict], dict] | None = field(default=None, compare=False)
    admin: bool = False  # a page of the admin (URL under ADMIN_URL, a clerk's session)


def _feed_cursor(case: dict) -> dict:
    from api.feed_cursor import cursor_encode  # the server's own encryption (same SECRET_KEY)

    return {"after": cursor_encode(case["position"])}


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="document detail",
        url="/api/v1/documents/{slug}/",
        cases="SELECT d.slug FROM documents_document d WHERE {listed:d} "
        "ORDER BY md5(d.id::text) LIMIT %(n)s",
        floor=f"{DOCUMENTS} WHERE d.slug = %(slug)s AND {{listed:d}}",
        target="detail",
        mix=40,
    ),
    Operation(
        name="documents of a procedure",
        url="/api/v1/documents/?procedure={procedure}",
        cases="SELECT p.reference AS procedure FROM documents_procedure p "
        "JOIN documents_documentprocedure dp ON dp.procedure_id = p.id "
        "GROUP BY p.id ORDER BY count(*) >= 10 DESC, md5(p.id::text) LIMIT %(n)s",
        floor=f"""{DOCUMENTS} WHERE {{readable:d}} AND EXISTS (
            SELECT 1 FROM documents_documentprocedure dp
            JOIN documents_procedure p ON p.id = dp.procedure_id
            WHERE dp.document_id = d.id AND p.reference = %(procedure)s) {NEWEST_FIRST}""",
        target="list",
        mix=10,
    ),
    Operation(
        name="documents by subject code and year",
        url="/api/v1/documents/?subject_code={code}&year={year}",
        cases="SELECT sc.code, n.year FROM documents_subjectcodenumber n "
        "JOIN documents_subjectcode sc ON sc.id = n.subject_code_id "
        "GROUP BY sc.code, n.year "
        "ORDER BY count(*) >= 20 DESC, md5(sc.code || n.year) LIMIT %(n)s",
        floor=f"""{DOCUMENTS} WHERE {{readable:d}} AND d.year = %(year)s AND EXISTS (
            SELECT 1 FROM documents_documentsubjectcode l
            JOIN documents_subjectcode sc ON sc.id = l.subject_code_id
            WHERE l.document_id = d.id AND sc.code = %(code)s) {NEWEST_FIRST}""",
        target="list",
        mix=10,
    ),
    Operation(
        name="documents by date range, 20 pages",
        url="/api/v1/documents/?date_after={date_after}&date_before={date_before}"
        f"&page_size={PAGE}",
        cases="SELECT make_date(y, m, 1) AS date_after, "
        "(make_date(y, m, 1) + interval '6 months' - interval '1 day')::date AS date_before "
        "FROM (SELECT DISTINCT year AS y FROM documents_document) years, "
        "(VALUES (1), (7)) AS halves(m) ORDER BY md5(y::text || m::text) LIMIT %(n)s",
        floor=f"""{DOCUMENTS} WHERE {{listed:d}}
            AND d.date BETWEEN %(date_after)s AND %(date_before)s {{after}} {NEWEST_FIRST}""",
        target="list",
        walk=20,
        mix=10,
    ),
    Operation(
        name="full-text search, common word",
        url="/api/v1/documents/?q={q}",
        cases=({"q": COMMON_WORD},),
        floor=f"""{DOCUMENTS} WHERE {{listed:d}}
            AND to_tsvector('english'::regconfig, COALESCE(d.subject, ''))
                @@ websearch_to_tsquery('english'::regconfig, %(q)s) {NEWEST_FIRST}""",
        target="search",
        mix=5,
    ),
    Operation(
        name="full-text search, rare word",
        url="/api/v1/documents/?q={q}",
        cases=({"q": RARE_WORD},),
        floor=f"""{DOCUMENTS} WHERE {{listed:d}}
            AND to_tsvector('english'::regconfig, COALESCE(d.subject, ''))
                @@ websearch_to_tsquery('english'::regconfig, %(q)s) {NEWEST_FIRST}""",
        target="search",
        mix=5,
    ),
    Operation(
        name="changes feed, a page from the middle",
        url="/api/v1/changes/?after={after}&limit=100",
        cases="SELECT last / 2 + g * (last / (4 * %(n)s)) AS position "
        "FROM (SELECT max(position) AS last FROM documents_change) AS log, "
        "generate_series(0, %(n)s - 1) AS g",
        floor=f"""SELECT c.position, c.kind, c.document_id, c.changed_at, {document_columns()}
            FROM documents_change c
            LEFT JOIN documents_document d ON d.id = c.document_id AND {{listed:d}}
            WHERE c.position > %(position)s AND {{listed:c}}
            ORDER BY c.position LIMIT 100""",
        url_values=_feed_cursor,
        target="feed",
        mix=10,
    ),
    Operation(
        name="meetings of a body",
        url="/api/v1/meetings/?body={body}",
        cases="SELECT m.body_id AS body FROM documents_meeting m GROUP BY m.body_id "
        "ORDER BY count(*) DESC, m.body_id LIMIT %(n)s",
        floor=MEETINGS.format(where="WHERE m.body_id = %(body)s"),
        target="list",
        mix=10,
    ),
    Operation(
        name="meetings, newest first",
        url="/api/v1/meetings/",
        cases=({},),
        floor=MEETINGS.format(where=""),
        target="list",
        mix=5,
    ),
    Operation(
        name="admin search by reference",
        url="/{admin}documents/document/?q={term}",
        cases="SELECT d.number || '/' || right(d.year::text, 2) AS term, d.series, d.number, "
        "d.year FROM documents_document d WHERE d.series = 'ST' AND d.suffix = '' "
        "AND {listed:d} ORDER BY md5(d.id::text) LIMIT %(n)s",
        floor=f"""{ADMIN_LIST} WHERE {{listed:d}} AND d.series = %(series)s
            AND d.number = %(number)s AND d.year = %(year)s {ADMIN_ORDER}""",
        callers=("clerk",),
        admin=True,
    ),
    Operation(
        name="admin search by subject code",
        url="/{admin}documents/document/?q={term}",
        cases="SELECT sc.code || ' ' || n.number AS term, sc.code, n.number "
        "FROM documents_subjectcodenumber n JOIN documents_subjectcode sc "
        "ON sc.id = n.subject_code_id ORDER BY md5(n.id::text) LIMIT %(n)s",
        floor=f"""{ADMIN_LIST} WHERE {{listed:d}} AND EXISTS (
            SELECT 1 FROM documents_documentsubjectcode l
            JOIN documents_subjectcode sc ON sc.id = l.subject_code_id
            JOIN documents_subjectcodenumber n ON n.id = l.allocation_id
            WHERE l.document_id = d.id AND sc.code = %(code)s AND n.number = %(number)s)
            {ADMIN_ORDER}""",
        callers=("clerk",),
        admin=True,
    ),
)

# The keyset condition of a walk's floor after its first page (the last row's date and id).
WALK_AFTER = "AND (d.date, d.id) < (%(after_date)s, %(after_id)s)"

# Issue 8, item 4: the p95 each kind of read must stay under, in milliseconds.
P95_TARGETS = {"detail": 15.0, "list": 40.0, "search": 100.0, "feed": 40.0}
FLOOR_RATIO_TARGET = 3.0
MIXED_TARGET = {"clients": 16, "rps": 150.0, "p95_ms": 250.0}
REGISTRATIONS_TARGET = 300.0
WORKER_RSS_TARGET_MB = 200.0
