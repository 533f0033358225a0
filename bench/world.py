"""The story of a synthetic register: who registered what, when, and what happened to it since.

``Register(scale, seed, out).tell()`` walks thirty years of Council work in time order and hands
every record it makes to ``out`` (a ``bench.loader.Tables``) through the functions of
``bench.rows``, one per table: this module decides *what happens* (how many documents, which
versions, which are LIMITE, which meetings list them, when a release comes), ``bench.rows``
decides *which columns* that makes. A model change touches ``bench.rows`` only, unless it
records something new.

Proportions (per document, at any scale):

- series: ST 60 %, WK 25 %, CM 15 %, spread over 1996-2025 with the yearly volume growing
  from 0.6x to 1.4x of the mean; numbers run from 1 in each series and year, in time order;
- versions: each number has its INIT, and REV / ADD / ADD n REV m / COR / EXT versions (about
  1.3 documents per number), each pointing at the one it revises (``parent``);
- markings: 70 % of ST numbers LIMITE (WK 95 %, CM 15 %), about 0.5 % of ST classified; LIMITE
  ST documents are released after their procedure's act is adopted (60 %) or on access
  requests (4 %) and originators' consent (1 %);
- 2 to 15 subject codes per number (median 3), numbered per code and year on ST documents as
  the numbering service allocates them, unnumbered on WK/CM;
- one procedure per 20 documents, 3 to 8 events each, with a few large ones (Pareto
  popularity); 60 % of ST and 70 % of WK documents belong to one;
- about 150 bodies; every CM notice of meeting announces a meeting of its body 5-25 days later,
  with 2-6 agenda items naming the body's recent procedures and documents;
- citations of earlier documents of the same procedure (and of older, unregistered ones),
  language files (the original language, often French, all 24 for public acts), distribution
  to observers, and the history rows the services write for all of it;
- the change log as the services write it, in time order: every record created (reference
  data, procedures, meetings, documents), files added and agenda listings (what only readers
  of the whole document see), agenda and timeline changes, releases with a link change on
  every record naming the released document (its versions, the documents citing it, agendas,
  timelines), each with the shared visibility states before and after;
- delegations (27 member states, the Commission, 4 observers), clerks, supervisors, security
  officers and two users per delegation, each with an API token and a few subscriptions
  (procedures, bodies, subject codes, now and then a saved filter); the default lead times;
  LIMITE documents kept after adoption (release reviews: most of those not released) and a few
  opt-outs.
"""

from __future__ import annotations

import base64
import bisect
import datetime
import heapq
import itertools
import math
import random
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench import rows, vocabulary

FIRST_YEAR, LAST_YEAR = 1996, 2025
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = datetime.UTC
DAY = 86_400.0
# Nothing happens after this moment (the register "now"): fixed, so runs are comparable.
END = datetime.datetime(LAST_YEAR, 12, 31, 18, 0, tzinfo=UTC).timestamp()
MAX_NUMBER = 99_999  # documents_document_number_range
# When the reference data (delegations, bodies, subject codes) was entered.
DAWN = datetime.datetime(FIRST_YEAR, 1, 2, 8, 0, tzinfo=UTC).timestamp()
# The visibility state of every record other than a document (documents.services.changes).
RECORD_FACTS = (True, "", 0, "", False, "")
# Levels of access at which a link to a document shows (documents.services.changes).
LISTED, READ = 1, 2

SERIES_SHARE = (("ST", 0.60), ("WK", 0.25), ("CM", 0.15))
LIMITE_SHARE = {"ST": 0.70, "WK": 0.95, "CM": 0.15}
LANGUAGES = (
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fi",
    "fr",
    "ga",
    "hr",
    "hu",
    "it",
    "lt",
    "lv",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "sk",
    "sl",
    "sv",
)
PROCEDURE_TYPES = (
    ("COD", 45),
    ("NLE", 25),
    ("CNS", 12),
    ("APP", 5),
    ("INI", 4),
    ("BUD", 3),
    ("DEC", 3),
    ("RSP", 2),
    ("INL", 1),
)
PASSWORD = "bench-password-not-secret"


def _weighted(pairs):
    values = [value for value, _weight in pairs]
    cumulative = list(itertools.accumulate(weight for _value, weight in pairs))
    return values, cumulative


class Picker:
    """Seeded weighted choice in O(log n)."""

    def __init__(self, rng: random.Random, pairs) -> None:
        self.rng = rng
        self.values, self.cumulative = _weighted(pairs)
        self.total = self.cumulative[-1]

    def __call__(self):
        index = bisect.bisect_right(self.cumulative, self.rng.random() * self.total)
        return self.values[min(index, len(self.values) - 1)]


def work_time(year: int, fraction: float, days: list[datetime.date]) -> float:
    """A moment of ``year``'s working time (08:30-17:30 Brussels on weekdays), ``fraction``
    of the way through it: increasing with ``fraction``, so numbers follow time."""
    position = min(max(fraction, 0.0), 0.999_999) * len(days)
    day = days[int(position)]
    minutes = 510 + (position - int(position)) * 540
    moment = datetime.datetime(
        day.year,
        day.month,
        day.day,
        int(minutes // 60),
        int(minutes % 60),
        int((minutes * 60) % 60),
        tzinfo=BRUSSELS,
    )
    return moment.timestamp()


def weekdays(year: int) -> list[datetime.date]:
    day, days = datetime.date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def local_date(moment: float) -> datetime.date:
    return datetime.datetime.fromtimestamp(moment, BRUSSELS).date()


# --- what the story is made of ------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Body:
    id: int
    name: str
    abbreviation: str
    kind: str
    area: str
    slug: str
    parent_id: int | None = None
    # The body's recent work, which its meetings' agendas name.
    recent_documents: deque = field(default_factory=lambda: deque(maxlen=24))
    recent_procedures: deque = field(default_factory=lambda: deque(maxlen=8))


@dataclass(slots=True)
class Delegation:
    id: int
    code: str
    name: str
    kind: str


@dataclass(slots=True)
class User:
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    is_staff: bool
    role: str | None  # documents.roles.Role value
    delegation_id: int | None
    clearance: int
    joined: float


@dataclass(slots=True)
class Token:
    id: int
    user_id: int
    name: str
    key: str
    created: float
    revoked: float | None


@dataclass(slots=True)
class SubjectCode:
    id: int
    code: str
    description: str


@dataclass(slots=True, eq=False)
class Procedure:
    id: int
    year: int
    number: int
    type: str
    title: str
    act: str
    commission_proposal: str
    start: float
    end: float
    lead_body_id: int
    area: str
    code_ids: list[int]
    weight: float
    stage: str = "proposal"
    adopted_act: str = ""
    updated: float = 0.0
    document_ids: list[int] = field(default_factory=list)
    recent: deque = field(default_factory=lambda: deque(maxlen=5))  # (reference, id)
    plan: list = field(default_factory=list)  # the timeline's (at, title, stage), told later
    days_used: dict = field(default_factory=dict)  # events per day (their order)

    @property
    def reference(self) -> str:
        return f"{self.year}/{self.number:04d}({self.type})"

    @property
    def slug(self) -> str:
        return self.reference.replace("/", "-").replace("(", "-").replace(")", "").lower()


@dataclass(slots=True)
class Event:
    id: int
    procedure_id: int
    date: datetime.date
    order: int
    title: str
    stage: str
    document_id: int | None
    at: float


@dataclass(slots=True, eq=False)
class Cover:
    """What every version of one document number shares (derive copies the cover)."""

    series: str
    number: int
    year: int
    document_type: str
    originator: str
    recipients: str
    subject: str
    place: str
    language: str
    distribution: str
    classification: int
    procedure_id: int | None
    body_ids: list[int]
    codes: list[tuple[int, int | None]]  # (subject code id, SubjectCodeNumber id)
    distributed_to: list[int]
    release_at: float | None = None
    release_reason: str = ""
    release_note: str = ""
    released_by: int | None = None
    comments_due_days: int | None = None
    kept_at: float | None = None  # a supervisor keeps it LIMITE after adoption (release review)
    kept_by: int | None = None

    @property
    def distributed(self) -> str:
        """``",3,17,"``: the explicit distribution as a visibility state keeps it."""
        ids = sorted(self.distributed_to)
        return f",{','.join(map(str, ids))}," if ids else ""


@dataclass(slots=True, eq=False)
class Document:
    id: int
    cover: Cover
    suffix: str
    parent_id: int | None
    created: float
    registered_by: int
    distribution: str
    classification: int
    released_at: float | None
    files: list[tuple[str, float]]  # (language, uploaded at)
    citations: list[tuple[str, int | None]]
    updated: float = 0.0
    released_now: bool = False  # its release has been told (released_at is the plan)

    @property
    def reference(self) -> str:
        c = self.cover
        return f"{c.series} {c.number} {c.year} {self.suffix or 'INIT'}"

    @property
    def slug(self) -> str:
        return self.reference.lower().replace(" ", "-")

    def facts(self) -> tuple[bool, str, int, str, bool, str]:
        """Who may see it, now: the columns of its ``VisibilityState``."""
        c = self.cover
        return (
            False, c.series, self.classification, self.distribution, self.released_now,
            c.distributed,
        )  # fmt: skip


@dataclass(slots=True)
class Meeting:
    id: int
    key: str
    body_id: int
    title: str
    starts_at: float
    ends_at: float | None
    place: str
    videoconference: bool
    status: str
    notice_id: int
    outcome: str
    created: float
    updated: float


@dataclass(slots=True)
class AgendaItem:
    id: int
    meeting_id: int
    order: int
    title: str


@dataclass(slots=True)
class Subscription:
    id: int
    key: str
    user_id: int
    kind: str
    procedure_id: int | None
    body_id: int | None
    subject_code_id: int | None
    filter_query: str
    created: float


# --- the story ----------------------------------------------------------------------------


class Register:
    def __init__(self, *, scale: int, seed: int, out, groups: dict[str, int]) -> None:
        self.scale, self.out, self.groups = scale, out, groups
        self.rng = random.Random(seed)
        self.ids: dict[str, itertools.count] = {}
        self.bodies: list[Body] = []
        self.delegations: list[Delegation] = []
        self.users: list[User] = []
        self.codes: list[SubjectCode] = []
        self.procedures: list[Procedure] = []
        self.pending: list = []  # heap of (at, sequence, action, arguments): later events
        self.sequence = itertools.count()
        self.counters: dict[tuple[str, int], int] = {}
        self.info: dict = {}
        # Visibility states (shared, one per distinct combination of facts) and their ids.
        self.states: dict[tuple, int] = {}
        # Records naming each document whose release is planned, and so get a link change
        # when it comes: {document id: {(record, id, key, level): Document or None}}.
        self.naming: dict[int, dict[tuple[str, int, str, int], Document | None]] = {}
        self.meeting_keys: set[str] = set()

    def next_id(self, kind: str) -> int:
        return next(self.ids.setdefault(kind, itertools.count(1)))

    def tell(self) -> dict:
        """Write the whole register; return what the benchmark needs to know of it."""
        self.tell_delegations()
        self.tell_users()
        self.tell_bodies()
        self.tell_subject_codes()
        self.tell_lead_times()
        self.plan_procedures()
        yearly = self.yearly_volumes()
        for year in YEARS:
            self.tell_year(year, yearly[year])
        self.run_pending(until=math.inf)
        for procedure in self.procedures:
            self.out.add(rows.procedure(procedure))
        self.tell_counters()
        self.tell_follows()
        return self.info

    # --- the change log, as documents.services.changes writes it ---------------------------

    def state(self, facts: tuple) -> int:
        """The id of the visibility state of ``facts`` (created the first time it is needed)."""
        found = self.states.get(facts)
        if found is None:
            found = self.states[facts] = self.next_id("visibility_state")
            self.out.add(rows.visibility_state(found, facts))
        return found

    def log(self, record: str, record_id: int, key: str, kind: str, scope: str, at: float, *,
            was: int | None, now: int | None, fields: str = "", link_was: int | None = None,
            link_now: int | None = None, link_level: int | None = None) -> None:  # fmt: skip
        """One change, committed and sequenced (its position is its id: every change of the
        story was committed in the order it was written)."""
        change_id = self.next_id("change")
        self.out.add(
            rows.change(
                id=change_id, record=record, record_id=record_id, key=key, kind=kind,
                scope=scope, fields=fields, was=was, now=now, link_was=link_was,
                link_now=link_now, link_level=link_level, position=change_id, at=at,
            )
        )  # fmt: skip

    def record_changed(self, record: str, record_id: int, key: str, at: float, *,
                       kind: str = "updated", fields: str = "") -> None:  # fmt: skip
        """``record_changed``: a public record created or changed."""
        public = self.state(RECORD_FACTS)
        self.log(
            record, record_id, key, kind, "listing", at, fields=fields,
            was=None if kind == "created" else public, now=public,
        )  # fmt: skip

    def document_changed(self, document: Document, at: float, fields: str) -> None:
        """``document_changed`` of fields only readers of the whole document see (files,
        meetings): its state before and after are the same."""
        state = self.state(document.facts())
        self.log("document", document.id, document.slug, "updated", "full", at, fields=fields,
                 was=state, now=state)  # fmt: skip

    def names(self, document_id: int | None, record: str, record_id: int, key: str,
              level: int, naming_document: Document | None = None) -> None:  # fmt: skip
        """A record now names a document whose release is planned (for its link change)."""
        if document_id is not None and document_id in self.naming:
            self.naming[document_id][(record, record_id, key, level)] = naming_document

    # --- reference data and people --------------------------------------------------------

    def tell_delegations(self) -> None:
        kinds = (
            (vocabulary.MEMBER_STATES, "member-state"),
            (vocabulary.INSTITUTIONS, "institution"),
            (vocabulary.OBSERVERS, "observer"),
        )
        for names, kind in kinds:
            for code, name in names.items():
                delegation = Delegation(self.next_id("delegation"), code, name, kind)
                self.delegations.append(delegation)
                self.out.add(rows.delegation(delegation))
                self.record_changed("delegation", delegation.id, code, DAWN, kind="created")
        self.observers = [d.id for d in self.delegations if d.kind == "observer"]

    def tell_users(self) -> None:
        joined = datetime.datetime(FIRST_YEAR, 1, 2, 9, tzinfo=UTC).timestamp()
        staff = (
            ("clerk", "Registry clerk", 30, 0),
            ("supervisor", "Registry supervisor", 6, 0),
            ("officer", "Security officer", 3, 3),
        )
        for prefix, role, count, clearance in staff:
            for n in range(1, count + 1):
                self._user(f"{prefix}.{n:03d}", role, None, clearance, joined, staff=True)
        for delegation in self.delegations:
            for n in (1, 2):
                # The second user of each delegation is cleared for RESTREINT UE.
                self._user(
                    f"delegate.{delegation.code.lower()}.{n}",
                    None,
                    delegation.id,
                    n - 1,
                    joined,
                    staff=False,
                )
        self.clerks = [u.id for u in self.users if u.role == "Registry clerk"]
        self.supervisors = [u.id for u in self.users if u.role == "Registry supervisor"]
        registrars = self.clerks + self.supervisors
        self.registrar = lambda: registrars[int(self.rng.random() ** 2 * len(registrars))]
        created = END - 200 * DAY
        for user in self.users:
            if user.delegation_id is None:
                continue
            raw = self.rng.getrandbits(256).to_bytes(32, "big")
            key = "ctk_" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
            revoked = END - 10 * DAY if self.rng.random() < 0.05 else None
            if user.username == "delegate.be.1":
                revoked = None
                self.info["delegate"] = {"username": user.username, "token": key}
            token = Token(
                self.next_id("token"), user.id, f"{user.username} mirror", key, created, revoked
            )
            self.out.add(rows.api_token(token))
        self.info["clerk"] = {"username": "clerk.001", "password": PASSWORD}

    def _user(self, username, role, delegation_id, clearance, joined, *, staff) -> None:
        first, _, last = username.partition(".")
        user = User(
            self.next_id("user"),
            username,
            first.title(),
            last.title(),
            f"{username}@example.eu",
            staff,
            role,
            delegation_id,
            clearance,
            joined,
        )
        self.users.append(user)
        self.out.add(rows.user(user, password=self.out.password_hash))
        self.out.add(rows.user_profile(user, profile_id=user.id))
        if role is not None:
            self.out.add(rows.user_group(user, group_id=self.groups[role], link_id=user.id))

    def tell_bodies(self) -> None:
        slugs: set[str] = set()

        def add(name, abbreviation, kind, area, parent_id=None) -> Body:
            slug = rows.unique_key(abbreviation or name, slugs)
            body = Body(self.next_id("body"), name, abbreviation, kind, area, slug, parent_id)
            self.bodies.append(body)
            self.out.add(rows.body(body))
            self.record_changed("body", body.id, body.slug, DAWN, kind="created")
            return body

        councils = {
            area: add(name, abbr, "council", area)
            for name, abbr, area in vocabulary.COUNCIL_CONFIGURATIONS
        }
        gac = councils["institutional"]
        coreper1 = add(*vocabulary.COREPER[0], "coreper", "market", gac.id)
        coreper2 = add(*vocabulary.COREPER[1], "coreper", "jha", gac.id)
        # Part 2 prepares JHA, external relations, economic and institutional files.
        coreper_of = {
            "jha": coreper2,
            "external": coreper2,
            "economy": coreper2,
            "institutional": coreper2,
        }
        for name, abbreviation, area in vocabulary.COMMITTEES:
            add(name, abbreviation, "committee", area, coreper_of.get(area, coreper1).id)
        for name, abbreviation, area in vocabulary.WORKING_PARTIES:
            add(name, abbreviation, "working-party", area, coreper_of.get(area, coreper1).id)
        areas = list(vocabulary.SUBJECT_CODE_AREAS)
        # Further working parties, up to about 150 bodies in all.
        extra = vocabulary.EXTRA_WORKING_PARTY_TOPICS[: max(0, 150 - len(self.bodies))]
        for n, topic in enumerate(extra):
            area = areas[n % len(areas)]
            add(
                f"Working Party on {topic}",
                "",
                "working-party",
                area,
                coreper_of.get(area, coreper1).id,
            )
        self.working = [b for b in self.bodies if b.kind in ("working-party", "committee")]
        # Some working parties meet and write far more than others.
        self.body_pick = Picker(
            self.rng,
            [
                (b, 1 + 30 / (n + 1))
                for n, b in enumerate(self.rng.sample(self.working, len(self.working)))
            ],
        )
        self.body_by_area = {
            area: Picker(
                self.rng,
                [
                    (b, 1 + 10 / (n + 1))
                    for n, b in enumerate([b for b in self.working if b.area == area])
                ],
            )
            for area in areas
        }
        self.area_of_council = {b.id: b.area for b in councils.values()}

    def tell_subject_codes(self) -> None:
        seen: dict[str, SubjectCode] = {}
        self.codes_by_area: dict[str, list[SubjectCode]] = {}
        for area, codes in vocabulary.SUBJECT_CODE_AREAS.items():
            for code in codes:
                if code not in seen:
                    seen[code] = SubjectCode(self.next_id("subject_code"), code, area)
                    self.codes.append(seen[code])
                    self.out.add(rows.subject_code(seen[code]))
                    self.record_changed("subject-code", seen[code].id, code, DAWN, kind="created")
                self.codes_by_area.setdefault(area, []).append(seen[code])
        self.codec = seen["CODEC"]
        self.code_names = {c.id: c.code for c in self.codes}
        # Codes of every area are used across areas too, the big ones most.
        self.code_pick = Picker(self.rng, [(c, 1 + 40 / (n + 1)) for n, c in enumerate(self.codes)])
        self.info["common_codes"] = [c.code for c in self.codes[:8]]

    def tell_lead_times(self) -> None:
        """The lead times migration 0007 creates (clerks edit them later), in its order."""
        for rule, days in (("meeting", (7, 1)), ("comment-deadline", (3, 1))):
            for day in days:
                self.out.add(rows.lead_time(self.next_id("lead_time"), rule, day))

    # --- procedures -----------------------------------------------------------------------

    def yearly_volumes(self) -> dict[int, int]:
        weights = {year: 0.6 + 0.8 * n / (len(YEARS) - 1) for n, year in enumerate(YEARS)}
        total = sum(weights.values())
        volumes = {year: int(self.scale * weight / total) for year, weight in weights.items()}
        volumes[LAST_YEAR] += self.scale - sum(volumes.values())
        return volumes

    def plan_procedures(self) -> None:
        rng = self.rng
        count = max(30, self.scale // 20)
        years = Picker(rng, [(y, 0.6 + 0.8 * n / (len(YEARS) - 1)) for n, y in enumerate(YEARS)])
        types = Picker(rng, PROCEDURE_TYPES)
        starts = sorted(
            (datetime.datetime(y, 1, 1, tzinfo=UTC).timestamp() + rng.random() * 365 * DAY, y)
            for y in (years() for _ in range(count))
        )
        numbers: dict[int, int] = {}
        for start, year in starts:
            numbers[year] = numbers.get(year, 0) + 1
            kind = types()
            area = rng.choice(list(vocabulary.SUBJECT_CODE_AREAS))
            topic = self._topic()
            act = rng.choices(("Regulation", "Directive", "Decision"), (55, 35, 10))[0]
            title = self._procedure_title(kind, act, topic)
            lead = self.body_by_area[area]()
            codes = rng.sample(
                self.codes_by_area[area], min(len(self.codes_by_area[area]), rng.randint(1, 3))
            )
            code_ids = list(dict.fromkeys(c.id for c in codes))
            if kind == "COD" and self.codec.id not in code_ids:
                code_ids.append(self.codec.id)
            proposal = (
                f"COM({year}) {rng.randint(1, 900)} final" if kind in ("COD", "CNS", "NLE") else ""
            )
            procedure = Procedure(
                id=self.next_id("procedure"),
                year=year,
                number=numbers[year],
                type=kind,
                title=title,
                act=act if kind != "NLE" else "Decision",
                commission_proposal=proposal,
                start=start,
                end=start + rng.lognormvariate(6.4, 0.6) * DAY,
                lead_body_id=lead.id,
                area=area,
                code_ids=code_ids,
                weight=min(rng.paretovariate(1.3), 200.0),
            )
            self.procedures.append(procedure)
            self.later(start, self.procedure_created, procedure)
        # The procedures open in each month, with cumulative weights for a quick pick (from
        # the month after the proposal: a document never names a procedure not created yet).
        months = len(YEARS) * 12
        open_in: list[list[Procedure]] = [[] for _ in range(months)]
        for procedure in self.procedures:
            first, last = self._month(procedure.start) + 1, self._month(min(procedure.end, END))
            for month in range(max(first, 0), min(last, months - 1) + 1):
                open_in[month].append(procedure)
        self.open_procedures = [
            (group, list(itertools.accumulate(p.weight for p in group))) for group in open_in
        ]

    @staticmethod
    def _month(moment: float) -> int:
        day = datetime.datetime.fromtimestamp(moment, UTC)
        return (day.year - FIRST_YEAR) * 12 + day.month - 1

    def _topic(self) -> str:
        rng = self.rng
        noun = rng.choice(vocabulary.NOUNS)
        return f"{rng.choice(vocabulary.ADJECTIVES)} {noun}" if rng.random() < 0.4 else noun

    def _procedure_title(self, kind: str, act: str, topic: str) -> str:
        rng = self.rng
        if kind == "COD":
            verb = rng.choice(
                (
                    "on",
                    "laying down rules on",
                    "amending Regulation (EU) "
                    f"{rng.randint(2010, 2022)}/{rng.randint(100, 2400)} as regards",
                    "establishing a framework for",
                )
            )
            return (
                f"Proposal for a {act} of the European Parliament and of the Council {verb} {topic}"
            )
        if kind == "NLE":
            country = rng.choice(vocabulary.COUNTRIES)
            return (
                "Proposal for a Council Decision on the signing, on behalf of the European Union, "
                f"of the Agreement between the European Union and {country} on {topic}"
            )
        if kind == "CNS":
            return f"Proposal for a Council {act} on {topic}"
        return f"{topic[0].upper()}{topic[1:]}: report of the European Parliament"

    def _procedure_at(self, moment: float) -> Procedure | None:
        month = self._month(moment)
        if not 0 <= month < len(self.open_procedures):
            return None
        group, cumulative = self.open_procedures[month]
        if not group:
            return None
        index = bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])
        return group[min(index, len(group) - 1)]

    # --- one year of documents ------------------------------------------------------------

    def tell_year(self, year: int, volume: int) -> None:
        rng, days = self.rng, weekdays(year)
        registrations = []  # (at, cover, suffix, parent index in the chain)
        for series, share in SERIES_SHARE:
            wanted = round(volume * share) if series != "CM" else None
            if wanted is None:
                wanted = volume - sum(round(volume * s) for x, s in SERIES_SHARE if x != "CM")
            chains, total = [], 0
            while total < wanted:
                chain = self._versions(series)[: wanted - total]
                chains.append(chain)
                total += len(chain)
            if len(chains) > MAX_NUMBER:
                raise OverflowError(
                    f"{len(chains)} {series} numbers in {year}: more than {MAX_NUMBER}; "
                    "SCALE is too large for the register's number range"
                )
            for number, chain in enumerate(chains, start=1):
                start = (number - 0.5) / len(chains)
                cover = Cover(series, number, year, "", "", "", "", "", "", "", 0, None, [], [], [])
                offset = start
                for suffix, parent in chain:
                    if suffix:
                        offset = min(offset + rng.expovariate(1 / 0.06), 0.999_99)
                    registrations.append(
                        (work_time(year, offset, days), number, suffix, parent, cover)
                    )
        registrations.sort(key=lambda r: r[0])
        chains_made: dict[int, list[int]] = {}
        allocations: dict[tuple[str, int], list[tuple[int, int | None]]] = {}
        for at, _number, suffix, parent, cover in registrations:
            self.run_pending(until=at)
            key = id(cover)
            if not suffix:
                self._cover(cover, at, allocations)
                chains_made[key] = []
            made = chains_made[key]
            parent_id = made[parent] if parent is not None else None
            document = self.register(cover, suffix, parent_id, at)
            made.append(document.id)
        self.counters_of_year(year, registrations)

    def _versions(self, series: str) -> list[tuple[str, int | None]]:
        """The suffix chain of one number's versions, each with the index of its parent."""
        rng = self.rng
        chain: list[tuple[str, int | None]] = [("", None)]
        p_rev, p_add = {"ST": (0.15, 0.10), "WK": (0.10, 0.0), "CM": (0.05, 0.0)}[series]
        revision, last = 0, 0
        while rng.random() < (p_rev if revision == 0 else 0.35) and revision < 6:
            revision += 1
            chain.append((f"REV {revision}", last))
            last = len(chain) - 1
        if rng.random() < p_add:
            for add in range(1, 1 + (1 if rng.random() < 0.7 else rng.randint(2, 4))):
                chain.append((f"ADD {add}", 0))
                if rng.random() < 0.2:
                    chain.append((f"ADD {add} REV 1", len(chain) - 1))
        if series != "WK" and rng.random() < 0.03:
            chain.append(("COR 1", 0))
        return chain

    def _cover(self, cover: Cover, at: float, allocations) -> None:
        """Decide what the number's cover says (at the INIT's registration)."""
        rng, series = self.rng, cover.series
        cover.document_type = _pick(rng, vocabulary.DOCUMENT_TYPES[series])
        procedure = None
        if series in ("ST", "WK") and rng.random() < (0.6 if series == "ST" else 0.7):
            procedure = self._procedure_at(at)
        if procedure is not None:
            cover.procedure_id = procedure.id
            body = self.bodies[procedure.lead_body_id - 1]
            if rng.random() < 0.2:
                body = self.body_by_area[procedure.area]()
            phase = rng.choice(vocabulary.PHASES)
            cover.subject = f"{procedure.title} - {phase}"
        else:
            body = self.body_pick()
            if series == "CM" and cover.document_type.startswith("NOTICE"):
                cover.subject = f"Notice of meeting of the {body.name}"
            elif rng.random() < max(2e-5, 8 / self.scale):
                cover.subject = vocabulary.RARE_SUBJECT
            else:
                cover.subject = rng.choice(vocabulary.STANDALONE_SUBJECTS).format(
                    topic=self._topic()
                )
        cover.body_ids = [body.id]
        if rng.random() < 0.08:
            other = self.body_pick()
            if other.id != body.id:
                cover.body_ids.append(other.id)
        originator = _pick(rng, vocabulary.ORIGINATORS)
        if originator == "delegation":
            originator = f"{rng.choice(self.delegations[:28]).name} delegation"
        cover.originator = originator
        recipients = _pick(rng, vocabulary.RECIPIENTS)
        cover.recipients = body.name if recipients == "body" else recipients
        cover.place = "Luxembourg" if rng.random() < 0.05 else "Brussels"
        cover.language = "en" if rng.random() < 0.9 else rng.choice(("fr", "de"))
        cover.distribution = "LIMITE" if rng.random() < LIMITE_SHARE[series] else "PUBLIC"
        if series in ("ST", "WK"):
            level = rng.random()
            cover.classification = 1 if level < 0.004 else 2 if level < 0.005 else 0
        if cover.document_type in ("NOTE", "MEETING DOCUMENT") and rng.random() < 0.06:
            cover.comments_due_days = rng.randint(7, 21)
        if cover.distribution == "LIMITE" and rng.random() < 0.01:
            cover.distributed_to = rng.sample(self.observers, rng.randint(1, 2))
        self._codes(cover, body, procedure, at, allocations)
        if series == "ST" and cover.distribution == "LIMITE" and not cover.classification:
            self._release_plan(cover, procedure, at)
        body.recent_procedures.extend([procedure] if procedure else [])

    def _codes(self, cover: Cover, body: Body, procedure, at, allocations) -> None:
        rng = self.rng
        wanted = 2 + min(13, int(rng.expovariate(1 / 1.6)))
        chosen: list[int] = list(procedure.code_ids) if procedure else []
        area = self.codes_by_area[body.area]
        while len(chosen) < wanted:
            code = rng.choice(area) if rng.random() < 0.6 else self.code_pick()
            if code.id not in chosen:
                chosen.append(code.id)
        chosen = chosen[:15]
        if cover.series != "ST":
            cover.codes = [(code_id, None) for code_id in chosen]
            return
        # Numbered as the service allocates them: each code's next number of the year.
        numbered = []
        for code_id in chosen:
            scope = (f"subject-code:{self.code_names[code_id]}", cover.year)
            last = self.counters.get(scope, 0) + 1
            self.counters[scope] = last
            allocation = self.next_id("subject_code_number")
            self.out.add(
                rows.subject_code_number(
                    id=allocation,
                    subject_code_id=code_id,
                    year=cover.year,
                    number=last,
                    series=cover.series,
                    document_number=cover.number,
                    at=at,
                )
            )
            numbered.append((code_id, allocation))
        cover.codes = numbered

    def _release_plan(self, cover: Cover, procedure, at: float) -> None:
        rng = self.rng
        draw = rng.random()
        adopted = procedure is not None and procedure.end < END
        if adopted and draw < 0.6:
            when, reason = procedure.end + rng.uniform(30, 400) * DAY, "act-adopted"
        elif draw < 0.64:
            when, reason = at + rng.uniform(60, 2000) * DAY, "access-request"
            cover.release_note = f"ACC {local_date(when).year}/{rng.randint(1, 4000)}"
        elif draw < 0.65:
            when, reason = at + rng.uniform(30, 700) * DAY, "originator-consent"
        else:
            # Not released: once the act is adopted, the weekly release review names it until
            # a supervisor keeps it LIMITE with a reason (release_review_keep), which most are
            # within months; the review lists the rest, and those adopted lately.
            if adopted and rng.random() < 0.9:
                kept = procedure.end + rng.uniform(7, 200) * DAY
                if kept < END:
                    cover.kept_at, cover.kept_by = kept, rng.choice(self.supervisors)
            return
        if when < END:
            cover.release_at, cover.release_reason = when, reason
            cover.released_by = rng.choice(self.supervisors)

    # --- one registration, and what follows it --------------------------------------------

    def register(self, cover: Cover, suffix: str, parent_id: int | None, at: float) -> Document:
        rng = self.rng
        distribution, classification = cover.distribution, cover.classification
        if suffix.startswith("EXT"):
            distribution, classification = "PUBLIC", 0
        released = (
            cover.release_at
            if (cover.release_at and at < cover.release_at and distribution == "LIMITE")
            else None
        )
        document = Document(
            id=self.next_id("document"),
            cover=cover,
            suffix=suffix,
            parent_id=parent_id,
            created=at,
            registered_by=self.registrar(),
            distribution=distribution,
            classification=classification,
            released_at=released,
            files=[],
            citations=[],
        )
        if not classification:
            languages = [cover.language]
            if cover.language != "fr" and rng.random() < 0.25:
                languages.append("fr")
            public = distribution == "PUBLIC" and cover.series != "WK"
            if public and cover.document_type.startswith(("LEGISLATIVE", "PROPOSAL")):
                languages = list(LANGUAGES)
            moment = at
            for language in languages:
                moment += rng.uniform(60, 2 * DAY if len(languages) < 3 else 20 * DAY)
                document.files.append((language, min(moment, END)))
        if not suffix:
            document.citations = self._citations(cover)
        document.updated = max([at, released or 0.0, *(t for _l, t in document.files)])
        self.write_document(document)
        # What happens later, in time order with everything else.
        for language, moment in document.files:
            self.later(moment, self.file_added, document, language)
        if released:
            self.naming[document.id] = {}
            self.later(released, self.released, document)
        kept = cover.kept_at
        if kept and distribution == "LIMITE" and not classification and at < kept:
            self.out.add(
                rows.release_review(
                    self.next_id("release_review"), document.id, cover.kept_by, kept
                )
            )
        procedure = self.procedures[cover.procedure_id - 1] if cover.procedure_id else None
        if procedure is not None:
            procedure.recent.append((document.reference, document.id))
            if len(procedure.document_ids) < 8:
                procedure.document_ids.append(document.id)
        for body_id in cover.body_ids:
            self.bodies[body_id - 1].recent_documents.append(document)
        if cover.series == "CM" and not suffix and cover.document_type.startswith("NOTICE"):
            # The clerk schedules the meeting the notice announces once it is registered.
            self.later(at + rng.uniform(120, 1800), self.meeting, document)
        return document

    def _citations(self, cover: Cover) -> list[tuple[str, int | None]]:
        rng, cited = self.rng, []
        if cover.procedure_id and rng.random() < 0.55:
            recent = list(self.procedures[cover.procedure_id - 1].recent)
            cited = rng.sample(recent, min(len(recent), rng.randint(1, 2)))
        if rng.random() < 0.12:  # an older document, from before the register's time
            year = rng.randint(1985, FIRST_YEAR - 1)
            cited.append((f"ST {rng.randint(1, 15000)} {year} INIT", None))
        return list(dict(cited).items())

    def write_document(self, document: Document) -> None:
        """``documents_register``: the document, its links and their history rows, and the
        change log's ``created`` (from nobody to its state)."""
        out, cover, at = self.out, document.cover, document.created
        by = document.registered_by
        row = rows.document(document)
        out.add(row)
        out.history(rows.document_as_registered(row), at=at, kind="+", user=by)
        for procedure_link in [cover.procedure_id] if cover.procedure_id else []:
            link = rows.document_procedure(
                self.next_id("document_procedure"), document.id, procedure_link
            )
            out.add(link)
            out.history(link, at=at, kind="+", user=by)
        for body_id in cover.body_ids:
            link = rows.document_body(self.next_id("document_body"), document.id, body_id)
            out.add(link)
            out.history(link, at=at, kind="+", user=by)
        for delegation_id in cover.distributed_to:
            link = rows.document_distribution(
                self.next_id("document_distribution"), document.id, delegation_id
            )
            out.add(link)
            out.history(link, at=at, kind="+", user=by)
        for order, (code_id, allocation) in enumerate(cover.codes, start=1):
            link = rows.document_subject_code(
                self.next_id("document_subject_code"), document.id, code_id, allocation, order,
                document.cover.year,
            )  # fmt: skip
            out.add(link)
            out.history(link, at=at, kind="+", user=by)
        for order, (reference, cited_id) in enumerate(document.citations, start=1):
            link = rows.citation(self.next_id("citation"), document.id, reference, cited_id, order)
            out.add(link)
            out.history(link, at=at, kind="+", user=by)
            self.names(cited_id, "document", document.id, document.slug, LISTED, document)
        self.names(document.parent_id, "document", document.id, document.slug, LISTED, document)
        self.log("document", document.id, document.slug, "created", "listing", at,
                 was=None, now=self.state(document.facts()))  # fmt: skip

    def later(self, at: float, action, *arguments) -> None:
        heapq.heappush(self.pending, (at, next(self.sequence), action, arguments))

    def run_pending(self, *, until: float) -> None:
        while self.pending and self.pending[0][0] <= until:
            at, _sequence, action, arguments = heapq.heappop(self.pending)
            action(at, *arguments)

    def file_added(self, at: float, document: Document, language: str) -> None:
        """document_file_add: the file row, the document's updated_at, a change of its files
        (seen by those who read it in full)."""
        stored = rows.document_file(
            self.next_id("document_file"),
            document,
            language,
            at,
            sha256=f"{self.rng.getrandbits(256):064x}",
            size=self.rng.randint(20_000, 3_000_000),
        )
        self.out.add(stored)
        self.out.history(stored, at=at, kind="+", user=document.registered_by)
        self.out.history(
            rows.document_at(document, at), at=at, kind="~", user=document.registered_by
        )
        self.document_changed(document, at, "files")

    def released(self, at: float, document: Document) -> None:
        """document_release: the history row; the change of who may see it (from its state
        before to its state after); a link change on every record naming it
        (``links_changed``: its versions and the documents citing it at level 1, agendas and
        timelines at level 2)."""
        cover = document.cover
        reason = {
            "act-adopted": "Act adopted (Rules of Procedure, Annex II, Art. 11(6))",
            "access-request": "Public access request granted",
            "originator-consent": "Originator's consent",
        }[cover.release_reason]
        self.out.history(
            rows.document_at(document, at),
            at=at,
            kind="~",
            user=cover.released_by,
            reason=f"released: {reason}"[:100],
        )
        was = self.state(document.facts())
        document.released_now = True
        now = self.state(document.facts())
        self.log("document", document.id, document.slug, "released", "listing", at,
                 fields="released_at", was=was, now=now)  # fmt: skip
        public = self.state(RECORD_FACTS)
        naming = self.naming.pop(document.id, {})
        for record, record_id, key, level in sorted(naming):
            named_by = naming[(record, record_id, key, level)]
            own = self.state(named_by.facts()) if named_by is not None else public
            self.log(record, record_id, key, "updated", "link", at, was=own, now=own,
                     link_was=was, link_now=now, link_level=level)  # fmt: skip

    # --- meetings ---------------------------------------------------------------------------

    def meeting(self, at: float, notice: Document) -> None:
        """The meeting a CM notice announces (meeting_create), then its agenda items, one by
        one (agenda_item_add), each a few minutes after the one before."""
        rng = self.rng
        body = self.bodies[notice.cover.body_ids[0] - 1]
        day = local_date(at) + datetime.timedelta(days=rng.randint(5, 25))
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        hour = rng.choice((9, 10, 10, 14))
        starts = datetime.datetime(
            day.year, day.month, day.day, hour, 30 if hour == 9 else 0, tzinfo=BRUSSELS
        ).timestamp()
        draw = rng.random()
        status = (
            "cancelled"
            if draw < 0.03
            else "held"
            if starts < END
            else "confirmed"
            if draw < 0.5
            else "planned"
        )
        video = rng.random() < 0.05
        meeting = Meeting(
            id=self.next_id("meeting"),
            key=rows.unique_key(f"{body.slug} {day.isoformat()}", self.meeting_keys),
            body_id=body.id,
            title="",
            starts_at=starts,
            ends_at=starts + rng.choice((3, 6, 7)) * 3600 if rng.random() < 0.8 else None,
            place="" if video else ("Luxembourg" if rng.random() < 0.1 else "Brussels"),
            videoconference=video,
            status=status,
            notice_id=notice.id,
            outcome="The meeting examined the items on its agenda." if status == "held" else "",
            created=at,
            updated=at,
        )
        self.out.history(
            rows.meeting_at(meeting, meeting.created),
            at=meeting.created,
            kind="+",
            user=notice.registered_by,
        )
        self.record_changed("meeting", meeting.id, meeting.key, at, kind="created")
        documents = [d for d in body.recent_documents if d.id != notice.id]
        procedures = list(dict.fromkeys(body.recent_procedures))
        count = rng.randint(2, 6)
        moment = at
        for order in range(1, count + 1):
            moment += rng.uniform(30, 600)
            item = AgendaItem(self.next_id("agenda_item"), meeting.id, order, "")
            listed_procedures, listed_documents = [], []
            if order == 1:
                item.title = "Adoption of the agenda"
            elif procedures and rng.random() < 0.7:
                procedure = rng.choice(procedures)
                listed_procedures = [procedure.id]
                item.title = f"{procedure.title[:400]} ({procedure.reference})"
                mine = [d for d in documents if d.cover.procedure_id == procedure.id]
                listed_documents = rng.sample(mine, min(len(mine), rng.randint(1, 3)))
            elif documents and rng.random() < 0.6:
                listed_documents = rng.sample(documents, min(len(documents), rng.randint(1, 2)))
                item.title = listed_documents[0].cover.subject[:500]
            else:
                item.title = "Any other business"
            last = order == count
            self.later(
                moment, self.agenda_item_added, meeting, item, listed_procedures,
                listed_documents, last,
            )  # fmt: skip

    def agenda_item_added(self, at, meeting, item, procedure_ids, documents, last) -> None:
        """agenda_item_add: the item and its links with their history rows; a change of each
        listed document's meetings (seen by its full readers); the meeting's updated_at and a
        change of its agenda (seen by everyone)."""
        self.out.add(rows.agenda_item(item))
        self.out.history(rows.agenda_item(item), at=at, kind="+", user=None)
        for procedure_id in procedure_ids:
            link = rows.agenda_item_procedure(
                self.next_id("agenda_item_procedure"), item.id, procedure_id
            )
            self.out.add(link)
            self.out.history(link, at=at, kind="+", user=None)
        for document in documents:
            link = rows.agenda_item_document(
                self.next_id("agenda_item_document"), item.id, document.id
            )
            self.out.add(link)
            self.out.history(link, at=at, kind="+", user=None)
            self.names(document.id, "meeting", meeting.id, meeting.key, READ)
        for document in sorted(documents, key=lambda d: d.id):
            self.document_changed(document, at, "meetings")
        meeting.updated = at
        self.record_changed("meeting", meeting.id, meeting.key, at, fields="agenda")
        if last:
            self.out.add(rows.meeting(meeting))

    # --- procedures --------------------------------------------------------------------------

    def procedure_created(self, at: float, procedure: Procedure) -> None:
        """procedure_create, then its timeline planned: each event is told when it happens."""
        rng = self.rng
        self.out.history(
            rows.procedure_at(procedure, at, "proposal", ""), at=at, kind="+", user=None
        )
        self.record_changed("procedure", procedure.id, procedure.slug, at, kind="created")
        steps = (
            ("Commission proposal", "proposal"),
            ("Examination in working party", "working-party"),
            ("Coreper mandate", "coreper-mandate"),
            ("Trilogue", "trilogues"),
            ("General approach", "general-approach"),
        )
        last = min(procedure.end, END)
        plan = list(steps[: rng.randint(2, len(steps))])
        if procedure.end < END:
            if rng.random() < 0.1:
                plan.append(("Withdrawn by the Commission", "withdrawn"))
            else:
                plan += [
                    ("Act adopted", "adopted"),
                    ("Published in the Official Journal", "published"),
                ]
        procedure.plan = [
            (procedure.start + (last - procedure.start) * n / max(1, len(plan) - 1), *step)
            for n, step in enumerate(plan)
        ]
        self.later(procedure.plan[0][0], self.procedure_event, procedure, 0)

    def procedure_event(self, at: float, procedure: Procedure, n: int) -> None:
        """procedure_event_add: the event (naming one of the procedure's recent documents, now
        and then), the procedure saved with the stage it moves to, a change of its events."""
        rng = self.rng
        _at, title, step = procedure.plan[n]
        day = local_date(at)
        order = procedure.days_used[day] = procedure.days_used.get(day, -1) + 1
        recent = list(procedure.recent)
        document_id = rng.choice(recent)[1] if recent and rng.random() < 0.7 else None
        event = Event(
            self.next_id("procedure_event"), procedure.id, day, order, title, step,
            document_id, at,
        )  # fmt: skip
        link = rows.procedure_event(event)
        self.out.add(link)
        self.out.history(link, at=at, kind="+", user=None)
        self.names(document_id, "procedure", procedure.id, procedure.slug, READ)
        procedure.stage = step
        if step == "adopted":
            procedure.adopted_act = f"{procedure.act} (EU) {day.year}/{rng.randint(1, 2800)}"
        self.out.history(
            rows.procedure_at(procedure, at, procedure.stage, procedure.adopted_act),
            at=at,
            kind="~",
            user=None,
        )
        procedure.updated = at
        self.record_changed("procedure", procedure.id, procedure.slug, at, fields="events")
        if n + 1 < len(procedure.plan):
            self.later(procedure.plan[n + 1][0], self.procedure_event, procedure, n + 1)

    # --- who follows what ---------------------------------------------------------------------

    def tell_follows(self) -> None:
        """What delegates follow (subscription_follow): one to three bodies, up to three
        procedures still open, one or two subject codes, now and then a saved filter of the
        document list; a few opt-outs of the digest and of the release review."""
        rng = self.rng
        recent = [p for p in self.procedures if p.end >= END - 365 * DAY] or self.procedures
        for user in self.users:
            if user.delegation_id is None:
                continue
            follows: list[tuple[str, int | None, int | None, int | None, str]] = []
            bodies = list(dict.fromkeys(self.body_pick().id for _ in range(rng.randint(1, 3))))
            follows += [("body", None, body_id, None, "") for body_id in bodies]
            procedures = rng.sample(recent, min(len(recent), rng.randint(0, 3)))
            follows += [("procedure", p.id, None, None, "") for p in procedures]
            codes = list(dict.fromkeys(self.code_pick().id for _ in range(rng.randint(1, 2))))
            follows += [("subject-code", None, None, code_id, "") for code_id in codes]
            if rng.random() < 0.1:
                code = self.code_names[self.code_pick().id]
                query = urlencode({"series": "ST", "subject_code": code})
                follows.append(("filter", None, None, None, query))
            for kind, procedure_id, body_id, code_id, query in follows:
                key = base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()
                subscription = Subscription(
                    self.next_id("subscription"), key, user.id, kind, procedure_id, body_id,
                    code_id, query, END - rng.uniform(10, 400) * DAY,
                )  # fmt: skip
                self.out.add(rows.subscription(subscription))
            if rng.random() < 0.05:
                self.out.add(
                    rows.reminder_opt_out(self.next_id("opt_out"), user.id, "digest", END - DAY)
                )
        for supervisor in self.supervisors[:1]:
            self.out.add(
                rows.reminder_opt_out(
                    self.next_id("opt_out"), supervisor, "release-review", END - 30 * DAY
                )
            )

    def counters_of_year(self, year: int, registrations) -> None:
        for series, _share in SERIES_SHARE:
            numbers = [
                n
                for _at, n, suffix, _p, cover in registrations
                if cover.series == series and not suffix
            ]
            if numbers:
                self.counters[(f"document:{series}", year)] = max(numbers)

    def tell_counters(self) -> None:
        for (scope, year), last in sorted(self.counters.items()):
            self.out.add(rows.counter(self.next_id("counter"), scope, year, last))


def _pick(rng: random.Random, pairs) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]
