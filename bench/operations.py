"""What ``make bench`` measures: one table of operations, each with its URL, the callers it
is measured as, how its parameters are picked from the register, and its floor.

The floor of an operation is the same answer in raw SQL: a hand-written query returning the
rows the page shows, each *as the API shows it* (the same JSON: links as objects with their
absolute URLs, timestamps in UTC, listing-only documents as the public register lists them),
under the visibility rule stated independently below, plus the round trip of ``/livez``
through the same gunicorn. The client compares every page with its floor, row by row and
field by field, and reports any difference.

When the API changes (parameters, keys, pagination, representations), this table is what
changes:

- ``url``: a path template; ``{name}`` takes the case's value of that name, URL-quoted.
- ``cases``: SQL choosing the parameters (one row per case, ``%(n)s`` of them), or a list of
  fixed cases; ``url_values`` may turn a case into URL values (e.g. an opaque cursor).
- ``floor``: SQL whose ``%(name)s`` take the case's values (and ``%(base)s`` the server's
  ``http://host:port``); each row has ``row`` (the JSON the API shows; for the admin's HTML
  pages, the reference each row shows). ``{listed:x}`` and ``{readable:x}`` stand for the
  caller's visibility rule on the documents of alias ``x``, ``{level:s}`` for the level
  (0, 1 listed, 2 read in full) of the change log's visibility state ``s``. ``walk``
  operations follow the page's ``next`` link; their floor continues from the last row of its
  own previous page (``{after}`` becomes the keyset condition on ``_date`` and ``_id``).
- ``compare``: how a page is compared with its floor: ``detail`` (one object, and
  ``Last-Modified``), ``list`` (``results``), ``admin`` (the references of the change list).
- ``target``: which of the issue's targets (item 4) applies: detail, list, search, feed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.vocabulary import COMMON_WORD, RARE_WORD

PAGE = 50  # the documents' and meetings' lists default page size
FEED_PAGE = 100  # a page of the changes feed, as a mirror reads it

# --- the visibility rule, stated once more in SQL (DOMAIN.md, "Who may see what") ---------
#
# Independent of documents/querysets.py (tests/bench/test_floor_rule.py holds the two equal on
# every combination of facts). The callers measured are the public, a member state's delegate
# and a registry clerk, neither cleared: for those two, everything unclassified.

# The series of the public register: the public lists their LIMITE documents (reference, date,
# type and subject only).
REGISTER_SERIES = "('CM', 'SN', 'ST')"


def _public_reading(a: str, released: str) -> str:
    """What the public may read in full: unclassified, not WK, no marking or released."""
    return (
        f"({a}.classification = 0 AND {a}.series <> 'WK' "
        f"AND ({a}.distribution = 'PUBLIC' OR {released}))"
    )


def _public_listing(a: str, released: str) -> str:
    return (
        f"({_public_reading(a, released)} "
        f"OR ({a}.classification = 0 AND {a}.series IN {REGISTER_SERIES}))"
    )


# (may see it listed, may read it in full), on documents (alias ``{a}``)...
DOCUMENT_RULES = {
    "anonymous": (
        _public_listing("{a}", "{a}.released_at IS NOT NULL"),
        _public_reading("{a}", "{a}.released_at IS NOT NULL"),
    ),
    "delegate": ("({a}.classification <= 0)", "({a}.classification <= 0)"),
    "clerk": ("({a}.classification <= 0)", "({a}.classification <= 0)"),
}
# ... and on the change log's visibility states (alias ``{a}``): a record other than a
# document (``record``) is public.
STATE_RULES = {
    "anonymous": (
        f"({{a}}.record OR {_public_listing('{a}', '{a}.released')})",
        f"({{a}}.record OR {_public_reading('{a}', '{a}.released')})",
    ),
    "delegate": ("({a}.record OR {a}.classification <= 0)",) * 2,
    "clerk": ("({a}.record OR {a}.classification <= 0)",) * 2,
}
CALLERS = tuple(DOCUMENT_RULES)


def sql_for(template: str, caller: str) -> str:
    """``template`` with ``{listed:x}``, ``{readable:x}`` and ``{level:x}`` replaced by the
    caller's rule."""
    listed, readable = DOCUMENT_RULES[caller]
    state_listed, state_readable = STATE_RULES[caller]

    def rule(match: re.Match) -> str:
        kind, alias = match[1], match[2]
        if kind == "level":
            return (
                f"(CASE WHEN {state_readable.format(a=alias)} THEN 2 "
                f"WHEN {state_listed.format(a=alias)} THEN 1 ELSE 0 END)"
            )
        return (listed if kind == "listed" else readable).format(a=alias)

    return re.sub(r"\{(listed|readable|level):(\w+)\}", rule, template)


# --- the API's representations, in SQL ------------------------------------------------------


def iso(value: str) -> str:
    """A timestamp as the API writes it: UTC, ``Z``, microseconds only when there are any."""
    return (
        f"(to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN mod(date_part('microseconds', {value})::bigint, 1000000) <> 0 "
        f"THEN to_char({value} AT TIME ZONE 'UTC', '.US') ELSE '' END || 'Z')"
    )


def url(path: str) -> str:
    """An absolute URL of the API (``path`` is SQL giving the part after ``/api/v1/``)."""
    return f"(%(base)s || '/api/v1/' || {path})"


def document_link(reference: str) -> str:
    """``{"reference", "url"}`` of a registered document the caller may see."""
    path = url("'documents/' || lower(replace(" + reference + ", ' ', '-')) || '/'")
    return f"jsonb_build_object('reference', {reference}, 'url', {path})"


def body_link(b: str) -> str:
    path = url(f"'bodies/' || {b}.slug || '/'")
    return f"jsonb_build_object('slug', {b}.slug, 'name', {b}.name, 'url', {path})"


def procedure_link(p: str) -> str:
    path = url(f"'procedures/' || {p}.slug || '/'")
    return f"jsonb_build_object('reference', {p}.reference, 'url', {path})"


def cover_reference(d: str) -> str:
    """``5397/24``, ``5802/3/14 REV 3``, ``WK 9107/2022 INIT``, ``CM 1234/24`` (references.py,
    ``DocumentReference.cover``, restated)."""
    return f"""(CASE WHEN {d}.series = 'ST' THEN '' ELSE {d}.series || ' ' END
        || {d}.number::text
        || CASE WHEN {d}.series <> 'WK' AND {d}.suffix ~ 'REV [0-9]+'
                THEN '/' || substring({d}.suffix from 'REV ([0-9]+)') ELSE '' END
        || '/' || CASE WHEN {d}.series <> 'WK' AND {d}.year BETWEEN 1970 AND 2069
                       THEN lpad(mod({d}.year, 100)::text, 2, '0') ELSE {d}.year::text END
        || CASE WHEN {d}.suffix <> '' THEN ' ' || {d}.suffix
                WHEN {d}.series = 'WK' THEN ' INIT' ELSE '' END)"""


def document_json(d: str = "d") -> str:
    """A document as ``documents/<slug>/`` shows it to the caller: in full when the caller may
    read it, else what the public register lists."""
    detail = url(f"'documents/' || {d}.slug || '/'")
    download = url(f"'documents/' || {d}.slug || '/files/' || f.language || '/'")
    meeting = url("'meetings/' || k.key || '/'")
    public = _public_reading(d, f"{d}.released_at IS NOT NULL")
    listing = f"""jsonb_build_object(
        'url', {detail},
        'reference', {d}.reference, 'cover_reference', {cover_reference(d)}, 'slug', {d}.slug,
        'series', {d}.series, 'number', {d}.number, 'year', {d}.year,
        'suffix', CASE WHEN {d}.suffix = '' THEN 'INIT' ELSE {d}.suffix END, 'date', {d}.date,
        'document_type', {d}.document_type, 'subject', {d}.subject,
        'distribution', {d}.distribution,
        'public', {public})"""
    full = f"""jsonb_build_object(
        'place', {d}.place, 'original_language', {d}.original_language,
        'originator', {d}.originator, 'recipients', {d}.recipients,
        'classification', CASE {d}.classification WHEN 0 THEN NULL
            WHEN 1 THEN 'RESTREINT UE/EU RESTRICTED' WHEN 2 THEN 'CONFIDENTIEL UE/EU CONFIDENTIAL'
            WHEN 3 THEN 'SECRET UE/EU SECRET' ELSE 'TRES SECRET UE/EU TOP SECRET' END,
        'released_at', {iso(d + ".released_at")}, 'release_reason', {d}.release_reason,
        'comments_due', {d}.comments_due,
        'parent', (SELECT {document_link("p.reference")} FROM documents_document p
                   WHERE p.id = {d}.parent_id AND {{listed:p}}),
        'procedures', COALESCE((
            SELECT jsonb_agg({procedure_link("pr")} ORDER BY pr.year DESC, pr.number DESC)
            FROM documents_documentprocedure dp
            JOIN documents_procedure pr ON pr.id = dp.procedure_id
            WHERE dp.document_id = {d}.id), '[]'),
        'subject_codes', COALESCE((
            SELECT jsonb_agg(sc.code || COALESCE(' ' || n.number, '') ORDER BY l."order", l.id)
            FROM documents_documentsubjectcode l
            JOIN documents_subjectcode sc ON sc.id = l.subject_code_id
            LEFT JOIN documents_subjectcodenumber n ON n.id = l.allocation_id
            WHERE l.document_id = {d}.id), '[]'),
        'cites', COALESCE((
            SELECT jsonb_agg(CASE WHEN cd.id IS NULL
                                  THEN jsonb_build_object('reference', c.reference, 'url', NULL)
                                  ELSE {document_link("c.reference")} END
                             ORDER BY c."order", c.id)
            FROM documents_citation c
            LEFT JOIN documents_document cd ON cd.id = c.cited_id AND {{listed:cd}}
            WHERE c.document_id = {d}.id), '[]'),
        'meetings', COALESCE((
            SELECT jsonb_agg(jsonb_build_object('key', k.key, 'url', {meeting})
                             ORDER BY k.key COLLATE "C")
            FROM (SELECT DISTINCT m.key FROM documents_agendaitemdocument aid
                  JOIN documents_agendaitem ai ON ai.id = aid.agenda_item_id
                  JOIN documents_meeting m ON m.id = ai.meeting_id
                  WHERE aid.document_id = {d}.id) k), '[]'),
        'files', COALESCE((
            SELECT jsonb_agg(jsonb_build_object(
                'language', f.language, 'size', f.size, 'sha256', f.sha256,
                'media_type', f.media_type,
                'download_url', {download})
                ORDER BY f.language, f.id)
            FROM documents_documentfile f WHERE f.document_id = {d}.id), '[]'),
        'created_at', {iso(d + ".created_at")}, 'updated_at', {iso(d + ".updated_at")})"""
    return f"(CASE WHEN {{readable:{d}}} THEN {listing} || {full} ELSE {listing} END)"


def _readable_document(column: str) -> str:
    """The link to the document ``column`` names, if the caller may read it in full."""
    return (
        f"(SELECT {document_link('x.reference')} FROM documents_document x "
        f"WHERE x.id = {column} AND {{readable:x}})"
    )


def meeting_json(m: str = "m") -> str:
    """A meeting as ``meetings/<key>/`` shows it: agendas name only documents the caller may
    read in full."""
    detail, body = url(f"'meetings/' || {m}.key || '/'"), body_link("mb")
    notice = _readable_document(m + ".notice_id")
    outcome = _readable_document(m + ".outcome_document_id")
    procedure, document = procedure_link("ap_p"), document_link("x.reference")
    return f"""jsonb_build_object(
        'url', {detail}, 'key', {m}.key,
        'body', (SELECT {body} FROM documents_body mb WHERE mb.id = {m}.body_id),
        'title', {m}.title, 'starts_at', {iso(m + ".starts_at")},
        'ends_at', {iso(m + ".ends_at")}, 'place', {m}.place,
        'videoconference', {m}.videoconference, 'status', {m}.status,
        'notice', {notice}, 'outcome', {m}.outcome, 'outcome_document', {outcome},
        'agenda', COALESCE((
            SELECT jsonb_agg(jsonb_build_object(
                'order', ai."order", 'title', ai.title,
                'procedures', COALESCE((
                    SELECT jsonb_agg({procedure} ORDER BY ap_p.year DESC, ap_p.number DESC)
                    FROM documents_agendaitemprocedure ap
                    JOIN documents_procedure ap_p ON ap_p.id = ap.procedure_id
                    WHERE ap.agenda_item_id = ai.id), '[]'),
                'documents', COALESCE((
                    SELECT jsonb_agg({document} ORDER BY x.reference COLLATE "C")
                    FROM documents_agendaitemdocument ad
                    JOIN documents_document x ON x.id = ad.document_id
                    WHERE ad.agenda_item_id = ai.id AND {{readable:x}}), '[]'))
                ORDER BY ai."order")
            FROM documents_agendaitem ai WHERE ai.meeting_id = {m}.id), '[]'),
        'created_at', {iso(m + ".created_at")}, 'updated_at', {iso(m + ".updated_at")})"""


def procedure_json(p: str = "p") -> str:
    """A procedure as ``procedures/<slug>/`` shows it: its timeline names only documents the
    caller may read in full."""
    detail, body = url(f"'procedures/' || {p}.slug || '/'"), body_link("lb")
    documents = url(f"'documents/?procedure=' || {p}.slug")
    document = _readable_document("e.document_id")
    return f"""jsonb_build_object(
        'url', {detail}, 'reference', {p}.reference,
        'slug', {p}.slug, 'year', {p}.year, 'number', {p}.number, 'type', {p}.type,
        'title', {p}.title, 'commission_proposal', {p}.commission_proposal,
        'commission_proposal_date', {p}.commission_proposal_date,
        'lead_body', (SELECT {body} FROM documents_body lb
                      WHERE lb.id = {p}.lead_body_id),
        'stage', {p}.stage, 'adopted_act', {p}.adopted_act,
        'events', COALESCE((
            SELECT jsonb_agg(jsonb_build_object(
                'date', e.date, 'title', e.title, 'stage', e.stage,
                'document', {document}) ORDER BY e.date, e."order")
            FROM documents_procedureevent e WHERE e.procedure_id = {p}.id), '[]'),
        'documents_url', {documents},
        'created_at', {iso(p + ".created_at")}, 'updated_at', {iso(p + ".updated_at")})"""


def _code_slug(code: str) -> str:
    return f"lower(replace(replace({code}, '/', '-'), ' ', '-'))"


def body_json(b: str) -> str:
    detail, parent = url(f"'bodies/' || {b}.slug || '/'"), body_link("bp")
    return f"""jsonb_build_object(
        'url', {detail}, 'slug', {b}.slug, 'name', {b}.name,
        'abbreviation', {b}.abbreviation, 'kind', {b}.kind,
        'parent', (SELECT {parent} FROM documents_body bp WHERE bp.id = {b}.parent_id))"""


def subject_code_json(s: str) -> str:
    detail = url("'subject-codes/' || " + _code_slug(s + ".code") + " || '/'")
    return f"""jsonb_build_object(
        'url', {detail}, 'code', {s}.code, 'description', {s}.description)"""


def delegation_json(g: str) -> str:
    detail = url(f"'delegations/' || {g}.code || '/'")
    return f"""jsonb_build_object(
        'url', {detail}, 'code', {g}.code, 'name', {g}.name, 'kind', {g}.kind)"""


# --- the changes feed's rule on the log, in SQL (documents/selectors/changes.py restated) ---


def _shows(c: str, state: str) -> str:
    """1 when a link at ``c.link_level`` to a document in ``state`` shows to the caller."""
    level = "COALESCE({level:" + state + "}, 0)"
    return (
        f"(CASE WHEN {c}.link_level = 1 AND {level} >= 1 THEN 1 "
        f"WHEN {c}.link_level = 2 AND {level} = 2 THEN 1 ELSE 0 END)"
    )


def _seen(c: str) -> tuple[str, str]:
    """(joins, condition): a change ``c`` the caller sees: who may see its record changed for
    them; or what everyone who lists it sees changed, and they list it; or what only its full
    readers see, and they read it; or, for a full reader, a link to a document appeared or
    went (its document's visibility crossed the level at which the link shows)."""
    joins = " ".join(
        f"LEFT JOIN documents_visibilitystate {c}_{name} ON {c}_{name}.id = {c}.{column}"
        for name, column in (("w", "was_id"), ("n", "now_id"), ("lw", "link_was_id"),
                             ("ln", "link_now_id"))
    )  # fmt: skip
    was = "COALESCE({level:" + c + "_w}, 0)"
    now = "COALESCE({level:" + c + "_n}, 0)"
    condition = f"""({was} <> {now}
        OR ({c}.scope = 'listing' AND {now} >= 1)
        OR ({c}.scope = 'full' AND {now} = 2)
        OR ({c}.scope = 'link' AND {now} = 2
            AND {_shows(c, c + "_lw")} <> {_shows(c, c + "_ln")}))"""
    return joins, condition


_SEEN_JOINS, _SEEN = _seen("c")
_LATER_JOINS, _LATER_SEEN = _seen("c2")
_FEED_URL = url(
    "CASE page.record WHEN 'document' THEN 'documents/' WHEN 'meeting' THEN 'meetings/' "
    "WHEN 'procedure' THEN 'procedures/' WHEN 'body' THEN 'bodies/' "
    "WHEN 'subject-code' THEN 'subject-codes/' ELSE 'delegations/' END || CASE "
    "WHEN page.record = 'subject-code' THEN " + _code_slug("page.key") + " ELSE page.key END "
    "|| '/'"
)
_FEED_DATA = f"""CASE WHEN page.level_now = 0 THEN NULL
        WHEN page.record = 'document' THEN {document_json("d")}
        WHEN page.record = 'meeting' THEN (SELECT {meeting_json("m")} FROM documents_meeting m
                                            WHERE m.id = page.record_id)
        WHEN page.record = 'procedure' THEN (SELECT {procedure_json("p")}
                                              FROM documents_procedure p
                                              WHERE p.id = page.record_id)
        WHEN page.record = 'body' THEN (SELECT {body_json("b")} FROM documents_body b
                                         WHERE b.id = page.record_id)
        WHEN page.record = 'subject-code' THEN (SELECT {subject_code_json("s")}
                                                 FROM documents_subjectcode s
                                                 WHERE s.id = page.record_id)
        ELSE (SELECT {delegation_json("g")} FROM documents_delegation g
              WHERE g.id = page.record_id) END"""
_CHANGED_AT = iso("page.changed_at")

# Each record once, at its latest change the caller sees, after the cursor's position.
FEED = f"""
WITH page AS MATERIALIZED (
    SELECT c.position, c.record, c.record_id, c.key, c.changed_at,
           COALESCE({{level:c_n}}, 0) AS level_now
    FROM documents_change c {_SEEN_JOINS}
    WHERE c.position > %(position)s AND {_SEEN}
      AND NOT EXISTS (
          SELECT 1 FROM documents_change c2 {_LATER_JOINS}
          WHERE c2.record = c.record AND c2.record_id = c.record_id
            AND c2.position > c.position AND {_LATER_SEEN})
    ORDER BY c.position LIMIT {FEED_PAGE}
)
SELECT jsonb_build_object(
    'record', page.record, 'key', page.key,
    'action', CASE WHEN page.level_now > 0 THEN 'upsert' ELSE 'tombstone' END,
    'changed_at', CASE WHEN page.level_now > 0 AND (page.record <> 'document' OR {{readable:d}})
                       THEN {_CHANGED_AT} END,
    'url', CASE WHEN page.level_now > 0 THEN {_FEED_URL} END,
    'data', {_FEED_DATA}
) AS row
FROM page
LEFT JOIN documents_document d ON page.record = 'document' AND d.id = page.record_id
                              AND {{listed:d}}
-- A record seen at the change but hidden or gone since: its own change comes later.
WHERE NOT (page.level_now > 0 AND page.record = 'document' AND d.id IS NULL)
ORDER BY page.position"""

# The detail's Last-Modified: the last change of the document the caller sees, for a document
# the caller may read in full (none for one the caller may only list).
_LAST_MODIFIED = f"""CASE WHEN {{readable:d}} THEN (
    SELECT c.changed_at FROM documents_change c {_SEEN_JOINS}
    WHERE c.record = 'document' AND c.record_id = d.id AND {_SEEN}
    ORDER BY c.position DESC NULLS FIRST LIMIT 1) END"""


# --- pages ----------------------------------------------------------------------------------

DOCUMENTS = (
    f"SELECT {document_json()} AS row, d.date AS _date, d.id AS _id FROM documents_document d"
)
NEWEST_FIRST = f"ORDER BY d.date DESC, d.id DESC LIMIT {PAGE}"
# The admin's change list, in the model's ordering (year, series, number, suffix: unique, so
# Django adds no primary key): the columns it shows, the reference compared.
_ADMIN_COVER = cover_reference("d")
_ADMIN_PUBLIC = _public_reading("d", "d.released_at IS NOT NULL")
ADMIN_LIST = f"""SELECT d.reference AS row, {_ADMIN_COVER} AS cover_reference, d.date,
    d.document_type, d.classification, d.distribution, d.released_at,
    {_ADMIN_PUBLIC} AS public, d.subject
    FROM documents_document d"""
ADMIN_ORDER = "ORDER BY d.date DESC, d.id DESC LIMIT 50"
# A page of meetings, newest first.
MEETINGS = f"""SELECT {meeting_json()} AS row FROM documents_meeting m {{where}}
    ORDER BY m.starts_at DESC, m.id DESC LIMIT {PAGE}"""


def meetings_where(condition: str) -> str:
    return MEETINGS.replace("{where}", condition)


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
    compare: str = "list"  # detail, list or admin
    url_values: Callable[[dict], dict] | None = field(default=None, compare=False)
    admin: bool = False  # a page of the admin (URL under ADMIN_URL, a clerk's session)


def _feed_cursor(case: dict) -> dict:
    """A feed cursor at ``position``, as the server makes it (its SECRET_KEY)."""
    from api.pagination import token_encode
    from api.views.changes import PURPOSE

    return {"cursor": token_encode(PURPOSE, {"p": case["position"]})}


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="document detail",
        url="/api/v1/documents/{slug}/",
        cases="SELECT d.slug FROM documents_document d WHERE {listed:d} "
        "ORDER BY md5(d.id::text) LIMIT %(n)s",
        floor=f"""SELECT {document_json()} AS row, {_LAST_MODIFIED} AS last_modified
            FROM documents_document d WHERE d.slug = %(slug)s AND {{listed:d}}""",
        target="detail",
        compare="detail",
        mix=40,
    ),
    Operation(
        name="documents of a procedure",
        url="/api/v1/documents/?procedure={procedure}",
        cases="SELECT p.slug AS procedure FROM documents_procedure p "
        "JOIN documents_documentprocedure dp ON dp.procedure_id = p.id "
        "GROUP BY p.id ORDER BY count(*) >= 10 DESC, md5(p.id::text) LIMIT %(n)s",
        floor=f"""{DOCUMENTS} WHERE {{listed:d}} AND {{readable:d}} AND EXISTS (
            SELECT 1 FROM documents_documentprocedure dp
            JOIN documents_procedure p ON p.id = dp.procedure_id
            WHERE dp.document_id = d.id AND p.slug = %(procedure)s) {NEWEST_FIRST}""",
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
        floor=f"""{DOCUMENTS} WHERE {{listed:d}} AND {{readable:d}} AND d.year = %(year)s
            AND EXISTS (
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
        url=f"/api/v1/changes/?cursor={{cursor}}&page_size={FEED_PAGE}",
        cases="SELECT last / 2 + g * (last / (4 * %(n)s)) AS position "
        "FROM (SELECT max(position) AS last FROM documents_change) AS log, "
        "generate_series(0, %(n)s - 1) AS g",
        floor=FEED,
        url_values=_feed_cursor,
        target="feed",
        mix=10,
    ),
    Operation(
        name="meetings of a body",
        url="/api/v1/meetings/?body={body}",
        cases="SELECT b.slug AS body FROM documents_meeting m "
        "JOIN documents_body b ON b.id = m.body_id GROUP BY b.slug "
        "ORDER BY count(*) DESC, b.slug LIMIT %(n)s",
        floor=meetings_where(
            "WHERE m.body_id = (SELECT id FROM documents_body WHERE slug = %(body)s)"
        ),
        target="list",
        mix=10,
    ),
    Operation(
        name="meetings, newest first",
        url="/api/v1/meetings/",
        cases=({},),
        floor=meetings_where(""),
        target="list",
        mix=5,
    ),
    Operation(
        name="admin search by reference",
        url="/{admin}documents/document/?q={term}",
        cases="SELECT d.number || '/' || right(d.year::text, 2) AS term, d.series, d.number, "
        "d.year, d.series || ' ' || d.number || ' ' || d.year || ' INIT' AS canonical "
        "FROM documents_document d WHERE d.series = 'ST' AND d.suffix = '' "
        "AND {listed:d} ORDER BY md5(d.id::text) LIMIT %(n)s",
        # Every version of the number, and the documents citing it (documents.search).
        floor=f"""{ADMIN_LIST} WHERE {{listed:d}} AND (
            (d.series = %(series)s AND d.number = %(number)s AND d.year = %(year)s)
            OR d.id IN (SELECT c.document_id FROM documents_citation c
                        WHERE c.reference = %(canonical)s)) {ADMIN_ORDER}""",
        callers=("clerk",),
        compare="admin",
        admin=True,
    ),
    Operation(
        # A subject code with its number: the documents carrying that number of the code.
        name="admin search by subject code",
        url="/{admin}documents/document/?q={term}",
        cases="SELECT sc.code || ' ' || n.number AS term, sc.code, n.number AS number "
        "FROM documents_subjectcodenumber n JOIN documents_subjectcode sc "
        "ON sc.id = n.subject_code_id WHERE sc.code !~ '[ /]' "
        "ORDER BY md5(n.id::text) LIMIT %(n)s",
        floor=f"""{ADMIN_LIST} WHERE {{listed:d}} AND EXISTS (
            SELECT 1 FROM documents_documentsubjectcode l
            JOIN documents_subjectcodenumber n ON n.id = l.allocation_id
            JOIN documents_subjectcode sc ON sc.id = l.subject_code_id
            WHERE l.document_id = d.id AND sc.code = %(code)s AND n.number = %(number)s)
            {ADMIN_ORDER}""",
        callers=("clerk",),
        compare="admin",
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
