"""Registering documents, one or many at a time, with gap-free numbers.

``documents_register`` registers a batch in one transaction with a fixed number of statements
(bulk inserts), whatever its size; ``document_register`` is a batch of one. The shape of both:

1. everything that can be checked is checked first (references, subject codes, procedures,
   citations, the versions' parents, references already taken), before any counter is
   touched: bad input takes no number;
2. the counters are locked in one fixed order (document counters sorted by series and year,
   then subject-code counters sorted by code and year), each taking all the numbers the batch
   needs at once, so two registrations never deadlock and a rollback gives every number back;
3. documents, subject-code numbers, links, history rows and the change log are written in
   bulk, and the transaction commits.

Numbers registered by hand (older documents entered under their own reference) are *taken*:
automatic numbering steps over them (used, not skipped) and does not move past them.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from documents.models import (
    Body,
    Change,
    ChangeKind,
    ChangeScope,
    Citation,
    Classification,
    Counter,
    Delegation,
    Distribution,
    Document,
    DocumentBody,
    DocumentDistribution,
    DocumentProcedure,
    DocumentSubjectCode,
    Language,
    Procedure,
    RecordKind,
    Series,
    SubjectCode,
    SubjectCodeNumber,
)
from documents.models.choices import NUMBERED_SUBJECT_CODE_SERIES
from documents.references import (
    DocumentReference,
    InvalidReference,
    parse_document_reference,
    parse_procedure_reference,
    parse_suffix_chain,
)
from documents.services.changes import LISTED, _delegation_list, _state_ids, document_states
from documents.services.numbering import document_scope, subject_code_scope
from documents.services.subject_codes import parse_subject_code_label


class RegistrationError(ValidationError):
    """A registration refused; ``index`` is its place in the batch."""

    def __init__(self, error: ValidationError, index: int) -> None:
        super().__init__(error.error_dict if hasattr(error, "error_dict") else error.messages)
        self.index = index


@dataclass
class _Entry:
    index: int
    document: Document  # not saved; number None until one is allocated
    codes: list[tuple[SubjectCode, int | None]]
    procedures: list[Procedure]
    bodies: list[Body]
    distributed_to: list[Delegation]
    citations: list[str]
    labels: list = field(default_factory=list)  # subject-code labels as given, parsed
    fresh: bool = False  # numbered by this batch: a number never used before
    parent_in_batch: int | None = None  # index of the entry this version extends
    allocations: dict[int, SubjectCodeNumber | None] = field(default_factory=dict)

    @property
    def auto(self) -> bool:
        return self.document.number is None


def document_register(*, registered_by=None, change_reason=None, **registration) -> Document:
    """Register one document, allocating its number and its subject-code numbers when not
    given. See ``documents_register`` for what each registration holds and what is refused."""
    try:
        return documents_register(
            [registration], registered_by=registered_by, change_reason=change_reason
        )[0]
    except RegistrationError as error:
        raise ValidationError(error.error_dict) from None


@transaction.atomic
def documents_register(
    registrations: Sequence[dict], *, registered_by=None, change_reason: str | None = None
) -> list[Document]:
    """Register documents, in the order given, in one transaction.

    Each registration is a dict of: ``date``, ``document_type``, ``originator``,
    ``recipients``, ``subject`` (required); ``reference`` (any spelling, e.g. ``"5397/24"``:
    registers an older document under its own number) or ``series`` (default ST), ``number``,
    ``year`` (default: the year of ``date``) and ``suffix``; ``parent``; ``place``,
    ``original_language``, ``distribution``, ``classification``, ``comments_due``;
    ``procedures`` (references or Procedure), ``bodies``, ``distributed_to``,
    ``subject_codes`` (labels: ``"JAI"`` numbered now on ST documents, ``"JAI 64"`` the
    number it has already) and ``cites`` (references, registered or not).

    Refuses, naming the field (``RegistrationError``, whose ``index`` says which
    registration): a bad or taken reference, a version whose document is not registered, an
    unknown code or procedure, a number given to a code twice; on any error nothing is written
    and no number is used. A version registered by hand is never less classified than what it
    extends.
    """
    entries = [
        _checked(index, dict(registration), registered_by)
        for index, registration in enumerate(registrations)
    ]
    if not entries:
        return []
    _resolve(entries, registered_by)
    # Facts of who may see each new document, known before anything is locked.
    states = _state_ids(_facts(entry) for entry in entries)
    _numbers_allocate(entries)
    documents = _documents_insert(entries, registered_by, change_reason)
    _subject_codes_allocate(entries)
    _links_insert(entries, registered_by)
    waiting = _waiting_citations_link(documents, registered_by)
    _log(entries, states, waiting)
    return documents


# --- 1. everything checked before a number is taken -----------------------------------------


def _reference_from(
    *, reference, series, number, year, suffix, date
) -> tuple[str, int | None, int, str]:
    """(series, number or None, year, canonical suffix) from either spelling of the input."""
    if reference:
        if number is not None or suffix:
            raise ValidationError({"reference": "give either a reference or number and suffix"})
        try:
            value = parse_document_reference(reference)
        except InvalidReference as error:
            raise ValidationError({"reference": str(error)}) from error
        return value.series, value.number, value.year, value.suffix
    try:
        canonical_suffix = "".join(f" {kind} {n}" for kind, n in parse_suffix_chain(suffix)).strip()
    except InvalidReference as error:
        raise ValidationError({"suffix": str(error)}) from error
    if series not in Series.values:
        raise ValidationError({"series": f"unknown series {series!r}"})
    if canonical_suffix and number is None:
        raise ValidationError(
            {
                "suffix": f"{canonical_suffix} belongs to an existing number: derive it from the "
                "document it revises, adds to, corrects or extracts"
            }
        )
    year = year if year is not None else date.year
    try:  # the same checks a parsed reference gets (number and year ranges)
        DocumentReference(series=series, number=1 if number is None else number, year=year)
    except InvalidReference as error:
        name = "year" if "year" in str(error) else "number"
        raise ValidationError({name: str(error)}) from error
    return series, number, year, canonical_suffix


def _checked(index: int, given: dict, registered_by) -> _Entry:
    """One registration, checked without the database (but for nothing): its fields, its
    reference, its subject-code labels and citations."""
    try:
        date = given.pop("date", None)
        if not isinstance(date, datetime.date):
            raise ValidationError({"date": "give the date on the cover page"})
        series, number, year, suffix = _reference_from(
            reference=given.pop("reference", None), series=given.pop("series", Series.ST),
            number=given.pop("number", None), year=given.pop("year", None),
            suffix=given.pop("suffix", ""), date=date,
        )  # fmt: skip
        labels = [parse_subject_code_label(label) for label in given.pop("subject_codes", ())]
        seen = set()
        for label in labels:
            if label.code in seen:
                raise ValidationError(f"subject code {label.code} is given twice")
            seen.add(label.code)
            if label.number is not None and series not in NUMBERED_SUBJECT_CODE_SERIES:
                raise ValidationError(
                    f"{label}: {series} documents carry subject codes without numbers"
                )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            error = ValidationError({"subject_codes": error.messages})
        raise RegistrationError(error, index) from None
    try:
        citations = []
        for text in given.pop("cites", ()):
            try:
                canonical = parse_document_reference(text).canonical
            except InvalidReference as error:
                raise ValidationError({"cites": str(error)}) from error
            if canonical not in citations:
                citations.append(canonical)
        procedures = list(given.pop("procedures", ()))
        bodies = list(given.pop("bodies", ()))
        distributed_to = list(given.pop("distributed_to", ()))
        document = Document(
            series=series, number=number, year=year, suffix=suffix, date=date,
            place=given.pop("place", "Brussels"),
            original_language=given.pop("original_language", Language.EN),
            distribution=given.pop("distribution", Distribution.PUBLIC),
            classification=given.pop("classification", Classification.UNCLASSIFIED),
            registered_by=registered_by, **given,
        )  # fmt: skip
        # Fields and choices; the database's CHECK constraints hold the rest (and are met by
        # construction: the reference and slug are derived below).
        document.full_clean(
            exclude=["number", "reference", "slug"], validate_unique=False,
            validate_constraints=False,
        )  # fmt: skip
    except (ValidationError, TypeError) as error:
        if isinstance(error, TypeError):
            error = ValidationError({"registration": str(error)})
        raise RegistrationError(error, index) from None
    return _Entry(index, document, [], procedures, bodies, distributed_to, citations, labels)


def _resolve(entries: list[_Entry], user) -> None:
    """The database half of the checks, in a few queries for the whole batch: subject codes,
    procedures, the parents of versions registered by hand, references already taken."""
    codes = SubjectCode.objects.in_bulk(
        {label.code for entry in entries for label in entry.labels}, field_name="code"
    )
    wanted: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        if unknown := [label.code for label in entry.labels if label.code not in codes]:
            raise RegistrationError(
                ValidationError(
                    {"subject_codes": f"unknown subject code(s): {', '.join(unknown)}"}
                ),
                entry.index,
            )
        entry.codes = [(codes[label.code], label.number) for label in entry.labels]
        for position, item in enumerate(entry.procedures):
            if isinstance(item, Procedure):
                continue
            try:
                wanted[parse_procedure_reference(item).canonical].append(entry.index)
            except InvalidReference as error:
                raise RegistrationError(
                    ValidationError({"procedures": str(error)}), entry.index
                ) from None
            entry.procedures[position] = parse_procedure_reference(item).canonical
    procedures = Procedure.objects.in_bulk(list(wanted), field_name="reference")
    for entry in entries:
        resolved = []
        for item in entry.procedures:
            if isinstance(item, str):
                if item not in procedures:
                    raise RegistrationError(
                        ValidationError({"procedures": f"procedure {item} is not registered"}),
                        entry.index,
                    )
                item = procedures[item]
            resolved.append(item)
        entry.procedures = resolved
    _parents_resolve(entries, user)
    _taken_refuse(entries)


def _parents_resolve(entries: list[_Entry], user) -> None:
    """A version registered by hand extends its chain less the last suffix, else its INIT:
    among the documents ``user`` may see (all for a system caller), or earlier in the batch."""
    candidates: dict[int, list[str]] = {}
    for entry in entries:
        document = entry.document
        if document.suffix and document.parent_id is None and document.parent is None:
            value = DocumentReference(
                series=document.series, number=document.number or 1, year=document.year,
                suffixes=parse_suffix_chain(document.suffix),
            )  # fmt: skip
            shorter = value.with_suffixes(value.suffixes[:-1])
            candidates[entry.index] = [shorter.canonical, value.base.canonical]
    if not candidates:
        return
    visible = Document.objects.all() if user is None else Document.objects.visible_to(user)
    found = visible.in_bulk(
        {reference for pair in candidates.values() for reference in pair}, field_name="reference"
    )
    earlier: dict[str, int] = {}
    for entry in entries:
        if entry.index in candidates:
            for reference in candidates[entry.index]:
                if reference in earlier:
                    entry.parent_in_batch = earlier[reference]
                    parent = entries[earlier[reference]].document
                    break
                if reference in found:
                    entry.document.parent = parent = found[reference]
                    break
            else:
                base = candidates[entry.index][-1]
                raise RegistrationError(
                    ValidationError(
                        {"reference": f"{base} is not registered: register the document "
                         f"before its {entry.document.suffix}"}
                    ),
                    entry.index,
                )  # fmt: skip
            # Typed in by hand, a version is never less classified than what it extends:
            # lowering is a decision (document_derive takes it explicitly).
            entry.document.classification = max(
                entry.document.classification, parent.classification
            )
        if entry.document.number is not None:
            earlier[_reference(entry.document).canonical] = entry.index


def _reference(document: Document) -> DocumentReference:
    return DocumentReference(
        series=document.series, number=document.number, year=document.year,
        suffixes=parse_suffix_chain(document.suffix),
    )  # fmt: skip


def _taken_refuse(entries: list[_Entry]) -> None:
    given = {}
    for entry in entries:
        if not entry.auto:
            reference = _reference(entry.document).canonical
            if reference in given:
                raise RegistrationError(
                    ValidationError({"reference": f"{reference} is given twice"}), entry.index
                )
            given[reference] = entry.index
    for reference in Document.objects.filter(reference__in=list(given)).values_list(
        "reference", flat=True
    ):
        raise RegistrationError(
            ValidationError({"reference": f"{reference} is already taken"}), given[reference]
        )


def _facts(entry: _Entry) -> tuple:
    document = entry.document
    return (
        False, document.series, document.classification, document.distribution, False,
        _delegation_list(d.pk for d in entry.distributed_to),
    )  # fmt: skip


# --- 2. numbers, under counters locked in one order -----------------------------------------


def _counters_take(
    wanted: dict[tuple[str, int], int], taken: Callable[[dict], set[tuple]]
) -> dict[tuple[str, int], list[int]]:
    """Lock the counters of these (scope, year), creating them race-free, in sorted order,
    and take from each as many numbers as wanted (0: lock only).

    One statement locks and advances every counter (an upsert over rows in sorted order, so
    any two transactions lock in the same order); one more asks ``taken`` which of the numbers
    handed out were registered by hand (``{key: (low, high)}`` -> ``{(key, number)}``): those
    are stepped over, used, not skipped.
    """
    keys = sorted(wanted)
    if not keys:
        return {}
    rows = ", ".join(["(%s, %s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO documents_counter (scope, year, last) VALUES {rows} "
            "ON CONFLICT (scope, year) DO UPDATE SET last = documents_counter.last + excluded.last "
            "RETURNING scope, year, last",
            [value for key in keys for value in (*key, wanted[key])],
        )
        last = {(scope, year): value for scope, year, value in cursor.fetchall()}
    numbers = {key: list(range(last[key] - wanted[key] + 1, last[key] + 1)) for key in keys}
    ranges = {key: (numbers[key][0], numbers[key][-1]) for key in keys if wanted[key]}
    while ranges:
        hit = taken(ranges)
        ranges = {}
        for key in keys:
            kept = [n for n in numbers[key] if (key, n) not in hit]
            if missing := len(numbers[key]) - len(kept):  # rare: step over numbers taken by hand
                extra = list(range(last[key] + 1, last[key] + missing + 1))
                last[key] += missing
                numbers[key] = kept + extra
                ranges[key] = (extra[0], extra[-1])
        if ranges:
            Counter.objects.bulk_update(
                [Counter(pk=c.pk, last=last[c.scope, c.year]) for c in Counter.objects.filter(
                    scope__in={k[0] for k in ranges}, year__in={k[1] for k in ranges}
                ) if (c.scope, c.year) in ranges],
                ["last"],
            )  # fmt: skip
    return numbers


def _numbers_allocate(entries: list[_Entry]) -> None:
    """Lock every document counter the batch touches (a registration by hand serialises with
    automatic numbering of its series and year) and give numbers to those that need one."""
    by_scope: dict[tuple[str, int], list[_Entry]] = defaultdict(list)
    for entry in entries:
        by_scope[document_scope(entry.document.series), entry.document.year].append(entry)

    def taken(ranges: dict) -> set[tuple]:
        match = Q()
        for (scope, year), (low, high) in ranges.items():
            series = scope.removeprefix("document:")
            match |= Q(series=series, year=year, number__gte=low, number__lte=high)
        rows = Document.objects.filter(match).values_list("series", "year", "number")
        return {((document_scope(series), year), number) for series, year, number in rows}

    numbers = _counters_take(
        {key: sum(1 for entry in group if entry.auto) for key, group in by_scope.items()}, taken
    )
    for key, group in by_scope.items():
        for entry, number in zip([e for e in group if e.auto], numbers[key], strict=True):
            entry.document.number = number
            entry.fresh = True  # a number never used before: it has no subject-code numbers


def _subject_codes_allocate(entries: list[_Entry]) -> None:
    """The yearly number of each code on each numbered document: the one its document
    number has already (its other versions), the one given, or the next of the code's
    counter. Numbers are allocated in code order (the fixed lock order), whatever the cover
    order."""
    numbered = [e for e in entries if e.document.series in NUMBERED_SUBJECT_CODE_SERIES]
    needed = [(e, code, number) for e in numbered for code, number in e.codes]
    for entry in entries:
        entry.allocations = {code.pk: None for code, _n in entry.codes}
    if not needed:
        return
    shared = [(e, c, n) for e, c, n in needed if not e.fresh]  # versions of known numbers
    existing = {
        (a.subject_code_id, a.year, a.series, a.document_number): a
        for a in SubjectCodeNumber.objects.filter(
            subject_code__in={code for _e, code, _n in shared},
            year__in={e.document.year for e, _c, _n in shared},
            document_number__in={e.document.number for e, _c, _n in shared},
        )
    } if shared else {}  # fmt: skip
    new: list[SubjectCodeNumber] = []
    mine: dict[tuple, SubjectCodeNumber] = {}  # allocated in this batch, per document number
    fresh: dict[tuple[str, int], list[SubjectCodeNumber]] = defaultdict(list)
    for entry, code, number in needed:
        document = entry.document
        key = (code.pk, document.year, document.series, document.number)
        held = existing.get(key) or mine.get(key)
        if held is not None:
            if number is not None and number != held.number:
                raise RegistrationError(
                    ValidationError({"subject_codes": [
                        f"{code.code} of {document.year} is numbered {held.number} on "
                        f"{document.series} {document.number}/{document.year}, not {number}"
                    ]}),
                    entry.index,
                )  # fmt: skip
            entry.allocations[code.pk] = held
            continue
        allocation = SubjectCodeNumber(
            subject_code=code, year=document.year, number=number, series=document.series,
            document_number=document.number,
        )  # fmt: skip
        mine[key] = allocation
        entry.allocations[code.pk] = allocation
        new.append(allocation)
        if number is None:
            fresh[subject_code_scope(code.code), document.year].append(allocation)
    _given_numbers_refuse(entries, [a for a in new if a.number is not None])

    def taken(ranges: dict) -> set[tuple]:
        match = Q()
        for (scope, year), (low, high) in ranges.items():
            code = scope.removeprefix("subject-code:")
            match |= Q(subject_code__code=code, year=year, number__gte=low, number__lte=high)
        rows = SubjectCodeNumber.objects.filter(match).values_list(
            "subject_code__code", "year", "number"
        )
        return {((subject_code_scope(code), year), number) for code, year, number in rows}

    numbers = _counters_take({key: len(group) for key, group in fresh.items()}, taken)
    for key, allocations in fresh.items():
        for allocation, number in zip(allocations, numbers[key], strict=True):
            allocation.number = number
    SubjectCodeNumber.objects.bulk_create(new)


def _given_numbers_refuse(entries, given: list[SubjectCodeNumber]) -> None:
    """A number given for a code (``JAI 64``) that another document number holds."""
    if not given:
        return
    index = {}
    for entry in entries:
        for allocation in entry.allocations.values():
            if allocation is not None:
                index[id(allocation)] = entry.index
    # One condition per (code, year), not per number: a batch of covers gives thousands.
    numbers: dict[tuple[int, int], list[int]] = defaultdict(list)
    for allocation in given:
        numbers[allocation.subject_code_id, allocation.year].append(allocation.number)
    match = Q()
    for (code, year), wanted in numbers.items():
        match |= Q(subject_code_id=code, year=year, number__in=wanted)
    held = {
        (h.subject_code_id, h.year, h.number): h for h in SubjectCodeNumber.objects.filter(match)
    }
    claimed = {}
    for allocation in given:
        key = (allocation.subject_code_id, allocation.year, allocation.number)
        holder = held.get(key) or claimed.get(key)
        if holder is not None:
            raise RegistrationError(
                ValidationError({"subject_codes": [
                    f"{allocation.subject_code.code} {allocation.number} of {allocation.year} is "
                    f"already allocated to {holder.series} {holder.document_number}/{holder.year}"
                ]}),
                index[id(allocation)],
            )  # fmt: skip
        claimed[key] = allocation


# --- 3. written in bulk --------------------------------------------------------------------


def _documents_insert(entries: list[_Entry], registered_by, change_reason=None) -> list[Document]:
    """Insert the documents (versions after what they extend, within the batch)."""
    for entry in entries:
        document = entry.document
        value = _reference(document)
        document.reference, document.slug = value.canonical, value.slug
    waves: list[list[_Entry]] = []
    depth: dict[int, int] = {}
    for entry in entries:
        level = 0 if entry.parent_in_batch is None else depth[entry.parent_in_batch] + 1
        depth[entry.index] = level
        if level == len(waves):
            waves.append([])
        waves[level].append(entry)
    for wave in waves:
        for entry in wave:
            if entry.parent_in_batch is not None:
                entry.document.parent = entries[entry.parent_in_batch].document
        try:
            # No savepoint of its own: on a conflict the registration's transaction (or the
            # caller's savepoint around it) is rolled back as a whole.
            bulk_create_with_history(
                [entry.document for entry in wave], Document, default_user=registered_by,
                default_change_reason=change_reason,
            )  # fmt: skip
        except IntegrityError as error:  # registered by a concurrent transaction meanwhile
            references = ", ".join(entry.document.reference for entry in wave)
            raise RegistrationError(
                ValidationError({"reference": f"{references} is already taken"}), wave[0].index
            ) from error
    return [entry.document for entry in entries]


def _links_insert(entries: list[_Entry], by) -> None:
    by_model: dict[type, list] = defaultdict(list)
    registered = Document.objects.in_bulk(
        {r for entry in entries for r in entry.citations}, field_name="reference"
    )
    registered |= {entry.document.reference: entry.document for entry in entries}
    for entry in entries:
        document = entry.document
        by_model[DocumentProcedure] += [
            DocumentProcedure(document=document, procedure=p) for p in entry.procedures
        ]
        by_model[DocumentBody] += [DocumentBody(document=document, body=b) for b in entry.bodies]
        by_model[DocumentDistribution] += [
            DocumentDistribution(document=document, delegation=d) for d in entry.distributed_to
        ]
        by_model[DocumentSubjectCode] += [
            DocumentSubjectCode(
                document=document, subject_code=code, allocation=entry.allocations[code.pk],
                year=document.year, order=order,
            )
            for order, (code, _number) in enumerate(entry.codes, start=1)
        ]  # fmt: skip
        by_model[Citation] += [
            Citation(
                document=document, reference=reference, order=order,
                cited=registered.get(reference) if reference != document.reference else None,
            )
            for order, reference in enumerate(entry.citations, start=1)
            if reference != document.reference
        ]  # fmt: skip
    for model, links in by_model.items():
        if links:
            bulk_create_with_history(links, model, default_user=by)


def _waiting_citations_link(documents: list[Document], by) -> list[Citation]:
    """Citations of these references made before they were registered now point at them."""
    new = {document.reference: document for document in documents}
    waiting = list(
        Citation.objects.filter(reference__in=list(new), cited__isnull=True).exclude(
            document__in=documents
        )
    )
    for citation in waiting:
        citation.cited = new[citation.reference]
    if waiting:
        bulk_update_with_history(waiting, Citation, ["cited"], default_user=by)
    return waiting


def _log(entries: list[_Entry], states: dict, waiting: list[Citation]) -> None:
    """The change log: each document created (who may see it: from nobody to its state), and
    a link change on every document that cited one of them before it was registered."""
    changes = [
        Change(
            record=RecordKind.DOCUMENT, record_id=entry.document.pk, key=entry.document.slug,
            kind=ChangeKind.CREATED, scope=ChangeScope.LISTING, was_id=None,
            now_id=states[_facts(entry)],
        )
        for entry in entries
    ]  # fmt: skip
    if waiting:
        citing = document_states({citation.document_id for citation in waiting})
        slugs = dict(Document.objects.filter(pk__in=list(citing)).values_list("pk", "slug"))
        by_document = {entry.document.pk: states[_facts(entry)] for entry in entries}
        changes += [
            Change(
                record=RecordKind.DOCUMENT, record_id=citation.document_id,
                key=slugs[citation.document_id], kind=ChangeKind.UPDATED,
                scope=ChangeScope.LINK, link_level=LISTED, link_was_id=None,
                link_now_id=by_document[citation.cited_id],
                was_id=citing[citation.document_id], now_id=citing[citation.document_id],
            )
            for citation in sorted(waiting, key=lambda c: (c.document_id, c.pk))
        ]  # fmt: skip
    Change.objects.bulk_create(changes)
