"""Council of the EU document and procedure references: parsing, normalising, finding.

Pure standard-library module (no Django import) so it can be used from models, forms,
management commands, the API and scripts alike.

Document references
-------------------
A Council document is identified by a *series*, a running *number*, a *year* and a chain of
*suffixes*.  The same document is written in several ways:

==========================  ==========================================================
register (canonical) form   ``ST 5397 2024 INIT``, ``ST 9068 2022 ADD 1``
cover (short) form          ``5397/24``, ``9068/22 ADD 1``, ``WK 9107/2022 INIT``
cover form with revision    ``5802/3/14 REV 3`` (the middle number repeats the REV number)
slug form                   ``st-9068-2022-add-1``, ``pe-cons-12-2024-init``
==========================  ==========================================================

* Series: one of :data:`SERIES`; ``ST`` when none is written.
* Number: 1..99999 (leading zeros are accepted and dropped).
* Year: four digits in register form.  After a slash both two and four digits are accepted
  for every series; two-digit years use a fixed pivot (``00``-``69`` -> 2000-2069,
  ``70``-``99`` -> 1970-1999), so parsing never depends on today's date.  Valid years are
  1952..2099.
* Suffixes: ``INIT`` (implied when nothing is written) or any of ``ADD n``, ``EXT n``,
  ``DCL n``, ``REV n``, ``COR n`` with n in 1..999, each kind at most once.  They are stored in
  the canonical order of :data:`SUFFIX_KINDS`: the "parts" (ADD, EXT, DCL), then REV, then COR.

Spelling in the wild is forgiving: any case, extra or non-breaking spaces, no space between
letters and digits (``st5397/24``, ``REV1``), spaces around the slash.

Procedure references
--------------------
Interinstitutional files are identified by year, number and procedure type, canonically
``2023/0452(COD)``; see :func:`parse_procedure_reference` for the accepted spellings.

Finding references in running text
-----------------------------------
:func:`find_document_references` extracts document references from prose (cover pages,
footnotes, minutes) and expands grouped citations; its docstring lists the heuristics that
keep dates, Union acts, procedure numbers, page ranges and fractions out.
:func:`scan_document_references` gives the same citations with where they stand, and the
candidates that fail validation with their problem (a cover page must not skip those
silently). :func:`find_procedure_references` finds interinstitutional files in prose.

Every problem is reported as :class:`InvalidReference` (a :class:`ValueError`) whose message
says what is wrong and quotes the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

__all__ = [
    "MAX_REFERENCE_LENGTH",
    "PROCEDURE_TYPES",
    "SERIES",
    "SUFFIX_KINDS",
    "DocumentReference",
    "InvalidReference",
    "ProcedureMatch",
    "ProcedureReference",
    "ReferenceMatch",
    "find_document_references",
    "find_procedure_references",
    "parse_document_reference",
    "parse_procedure_reference",
    "parse_suffix_chain",
    "scan_document_references",
    "scan_procedure_references",
]

SERIES: tuple[str, ...] = ("ST", "WK", "CM", "SN", "DS", "PE-CONS")
"""Known document series.  ``ST`` is the default when a reference names no series."""

SUFFIX_KINDS: tuple[str, ...] = ("ADD", "EXT", "DCL", "REV", "COR")
"""Suffix kinds in canonical order: the parts (ADD, EXT, DCL), then REV, then COR."""

PROCEDURE_TYPES: tuple[str, ...] = (
    # Best knowledge of the procedure types used by the Legislative Observatory (OEIL);
    # extend this tuple when a new type turns up.
    "COD",  # ordinary legislative procedure (co-decision)
    "CNS",  # consultation
    "APP",  # consent
    "NLE",  # non-legislative enactment
    "AVC",  # assent (before the Lisbon Treaty)
    "SYN",  # cooperation (before the Lisbon Treaty)
    "BUD",  # budgetary procedure
    "DEC",  # discharge
    "INI",  # own-initiative report
    "INL",  # legislative initiative
    "RSP",  # resolution on a topical subject
    "ACI",  # interinstitutional agreement
    "BUI",  # budgetary initiative
    "COS",  # strategy / programming paper
    "DCE",  # European Parliament decision (e.g. on an inquiry committee)
    "DEA",  # delegated act
    "IMM",  # parliamentary immunity
    "INS",  # institutional matter
    "REG",  # Parliament's Rules of Procedure
    "RPS",  # implementing measure (regulatory procedure with scrutiny)
    "RSO",  # internal organisation of Parliament
)
"""Known interinstitutional procedure types (best knowledge; easy to extend)."""

MAX_REFERENCE_LENGTH = 80
"""No real reference is longer; longer input is rejected before any parsing."""

MIN_YEAR = 1952
MAX_YEAR = 2099
MAX_DOCUMENT_NUMBER = 99_999
MAX_SUFFIX_NUMBER = 999
MAX_PROCEDURE_NUMBER = 9_999

#: Two-digit years below the pivot are 20xx, the others 19xx (fixed, never date-dependent).
TWO_DIGIT_YEAR_PIVOT = 70
_TWO_DIGIT_YEARS = range(1900 + TWO_DIGIT_YEAR_PIVOT, 2000 + TWO_DIGIT_YEAR_PIVOT)

_SUFFIX_RANK = {kind: rank for rank, kind in enumerate(SUFFIX_KINDS)}
_DIGITS = re.compile(r"[0-9]+")
_SLUG = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)+")
_LETTER_DIGIT = re.compile(r"(?<=[A-Z])(?=[0-9])|(?<=[0-9])(?=[A-Z])")
_AROUND_SLASH = re.compile(r" ?/ ?")
_WORD = re.compile(r"[A-Z][A-Z-]*")


class InvalidReference(ValueError):
    """A document or procedure reference could not be parsed or is not valid.

    ``problem`` says what is wrong; ``text`` is the offending input (``None`` when a value
    was constructed directly).  The message combines both.
    """

    def __init__(self, problem: str, text: str | None = None) -> None:
        self.problem = problem
        self.text = text
        super().__init__(problem if text is None else f"{problem} in {_quote(text)}")


def _quote(text: str) -> str:
    """``repr`` of the input, shortened so a huge input cannot flood logs."""
    if len(text) > MAX_REFERENCE_LENGTH:
        return f"{text[:40]!r}... ({len(text)} characters)"
    return repr(text)


# --------------------------------------------------------------------------------------------
# Document references
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentReference:
    """A validated Council document reference.

    Constructing one directly validates every field (raising :class:`InvalidReference`) and
    puts ``suffixes`` into canonical order, so equal documents compare equal.
    """

    series: str
    """One of :data:`SERIES`."""
    number: int
    """Running number, 1..99999."""
    year: int
    """Four-digit year, 1952..2099."""
    suffixes: tuple[tuple[str, int], ...] = ()
    """``(kind, n)`` pairs in canonical order; ``()`` for the initial version (INIT)."""

    def __post_init__(self) -> None:
        if self.series not in SERIES:
            raise InvalidReference(
                f"unknown series {self.series!r} (expected one of {', '.join(SERIES)})"
            )
        if not _is_int(self.number) or not 1 <= self.number <= MAX_DOCUMENT_NUMBER:
            raise InvalidReference(
                f"document number {self.number!r} out of range 1..{MAX_DOCUMENT_NUMBER}"
            )
        if not _is_int(self.year) or not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidReference(f"year {self.year!r} out of range {MIN_YEAR}..{MAX_YEAR}")
        object.__setattr__(self, "suffixes", _normalise_suffixes(self.suffixes))

    @property
    def suffix(self) -> str:
        """The suffix chain as stored in the database: ``"ADD 1 REV 1"``, ``""`` for INIT."""
        return " ".join(f"{kind} {n}" for kind, n in self.suffixes)

    @property
    def is_initial(self) -> bool:
        """True for the initial version (no suffixes)."""
        return not self.suffixes

    @property
    def base(self) -> DocumentReference:
        """The initial version of the same document (same series, number and year)."""
        return replace(self, suffixes=())

    @property
    def canonical(self) -> str:
        """Register form: ``"ST 9068 2022 ADD 1 REV 1"``, ``"WK 9107 2022 INIT"``."""
        return f"{self.series} {self.number} {self.year} {self.suffix or 'INIT'}"

    @property
    def cover(self) -> str:
        """Short form printed on cover pages: ``"9068/1/22 ADD 1 REV 1"``, ``"CM 1234/24"``.

        * ``ST`` omits the series, other series prefix it;
        * ``WK`` always writes a four-digit year and ``INIT`` when there are no suffixes,
          the other series write a two-digit year and omit ``INIT``;
        * a REV number is repeated between number and year (``5802/3/14 REV 3``), except for
          ``WK`` documents, which are cited ``WK 1234/2023 REV 1``;
        * years outside 1970..2069 cannot round-trip through two digits, so they are
          written with four.
        """
        two_digits = self.series != "WK" and self.year in _TWO_DIGIT_YEARS
        year = f"{self.year % 100:02d}" if two_digits else str(self.year)
        rev = dict(self.suffixes).get("REV")
        number = f"{self.number}/{rev}" if rev and self.series != "WK" else str(self.number)
        head = f"{number}/{year}" if self.series == "ST" else f"{self.series} {number}/{year}"
        chain = self.suffix or ("INIT" if self.series == "WK" else "")
        return f"{head} {chain}" if chain else head

    @property
    def slug(self) -> str:
        """URL-safe form: ``"st-9068-2022-add-1"``, ``"pe-cons-12-2024-init"``."""
        return self.canonical.lower().replace(" ", "-")

    def with_suffixes(self, suffixes: str | Iterable[tuple[str, int]]) -> DocumentReference:
        """Return the same document with another (validated, reordered) suffix chain.

        ``suffixes`` is either a chain of text (``"REV 1 ADD 1"``, ``""``, ``"INIT"``) or
        ``(kind, n)`` pairs.
        """
        if isinstance(suffixes, str):
            suffixes = parse_suffix_chain(suffixes)
        return replace(self, suffixes=tuple(suffixes))

    def __str__(self) -> str:
        return self.canonical


def _is_int(value: object) -> bool:
    """True for real integers (``bool`` is an ``int`` subclass but never a valid number)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _normalise_suffixes(suffixes: Iterable[Iterable[object]]) -> tuple[tuple[str, int], ...]:
    """Validate ``(kind, n)`` pairs and return them as a tuple in canonical order."""
    if isinstance(suffixes, str):
        raise InvalidReference("suffixes must be (kind, number) pairs, not a string")
    try:
        pairs = [tuple(pair) for pair in suffixes]
    except TypeError:
        raise InvalidReference(f"suffixes must be (kind, number) pairs, got {suffixes!r}") from None
    seen: dict[str, int] = {}
    for pair in pairs:
        if len(pair) != 2:
            raise InvalidReference(f"suffix {pair!r} is not a (kind, number) pair")
        kind, n = pair
        if kind == "INIT":
            raise InvalidReference("INIT is not stored as a suffix; use () for the initial version")
        if not isinstance(kind, str) or kind not in _SUFFIX_RANK:
            raise InvalidReference(
                f"unknown suffix {kind!r} (expected INIT or one of {', '.join(SUFFIX_KINDS)})"
            )
        if kind in seen:
            raise InvalidReference(f"duplicate suffix {kind} ({kind} {seen[kind]} and {kind} {n})")
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_SUFFIX_NUMBER:
            raise InvalidReference(f"{kind} number {n!r} out of range 1..{MAX_SUFFIX_NUMBER}")
        seen[kind] = n
    return tuple(sorted(seen.items(), key=lambda item: _SUFFIX_RANK[item[0]]))


def _check_length(text: object, *, allow_empty: bool = False) -> str:
    """Type and length checks shared by the parsers; returns whitespace-normalised text."""
    if not isinstance(text, str):
        raise InvalidReference(f"expected a string, got {type(text).__name__}")
    if len(text) > MAX_REFERENCE_LENGTH:
        raise InvalidReference(
            f"input is {len(text)} characters, longer than any real reference "
            f"(at most {MAX_REFERENCE_LENGTH})",
            text,
        )
    # str.split() also splits on non-breaking and other Unicode spaces.
    normalised = " ".join(text.split())
    if not normalised and not allow_empty:
        raise InvalidReference("empty reference", text)
    return normalised


def _tokens(normalised: str) -> list[str]:
    """Upper-case tokens: slug hyphens become spaces, letters and digits are split apart."""
    upper = normalised.upper()
    if _SLUG.fullmatch(upper):
        upper = upper.replace("-", " ")
    upper = _LETTER_DIGIT.sub(" ", upper)
    upper = _AROUND_SLASH.sub("/", upper)
    return upper.split()


def _parse_suffix_tokens(tokens: list[str]) -> tuple[tuple[str, int], ...]:
    """Parse tokens such as ``["REV", "1", "ADD", "1"]`` (raises without the input text)."""
    found: list[tuple[str, int]] = []
    initial = False
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token == "INIT":
            if initial:
                raise InvalidReference("duplicate suffix INIT")
            initial = True
            position += 1
            continue
        if token not in _SUFFIX_RANK:
            raise InvalidReference(
                f"unexpected {token!r} where a suffix "
                "(INIT, ADD n, EXT n, DCL n, REV n or COR n) was expected"
            )
        following = tokens[position + 1] if position + 1 < len(tokens) else ""
        if not _DIGITS.fullmatch(following):
            raise InvalidReference(f"suffix {token} has no number (expected e.g. '{token} 1')")
        found.append((token, int(following)))
        position += 2
    if initial and found:
        chain = " ".join(f"{kind} {n}" for kind, n in found)
        raise InvalidReference(f"INIT cannot be combined with other suffixes ({chain})")
    return _normalise_suffixes(found)


def parse_suffix_chain(text: str) -> tuple[tuple[str, int], ...]:
    """Parse a suffix chain into canonical ``(kind, n)`` pairs.

    ``"ADD 1 REV 1"`` and ``"rev1 add 1"`` give ``(("ADD", 1), ("REV", 1))``; ``""`` and
    ``"INIT"`` give ``()``.  Raises :class:`InvalidReference` for a suffix without a number,
    a duplicate kind, INIT combined with another suffix, a number outside 1..999 or an
    unknown word.
    """
    normalised = _check_length(text, allow_empty=True)
    try:
        return _parse_suffix_tokens(_tokens(normalised))
    except InvalidReference as error:
        raise InvalidReference(error.problem, text) from None


def _expand_year(digits: str) -> int:
    """Year after a slash: two digits use the fixed pivot, four are taken as they are."""
    if len(digits) == 2:
        short = int(digits)
        return 2000 + short if short < TWO_DIGIT_YEAR_PIVOT else 1900 + short
    if len(digits) == 4:
        return int(digits)
    raise InvalidReference(f"malformed year {digits!r} (expected 2 or 4 digits after '/')")


def _build(
    series: str,
    number: str,
    year: int,
    suffixes: tuple[tuple[str, int], ...],
    counter: str | None = None,
) -> DocumentReference:
    """Check the embedded revision counter against REV and build the reference."""
    if counter is not None:
        rev = dict(suffixes).get("REV")
        if rev is None:
            raise InvalidReference(f"revision counter {int(counter)} but no REV")
        if int(counter) != rev:
            raise InvalidReference(f"revision counter {int(counter)} disagrees with REV {rev}")
    return DocumentReference(series, int(number), year, suffixes)


def parse_document_reference(text: str) -> DocumentReference:
    """Parse any written form of a Council document reference.

    Accepts the register form ``[SERIES] NUMBER YEAR4 [SUFFIXES]``, the cover form
    ``[SERIES] NUMBER[/COUNTER]/YEAR [SUFFIXES]`` (two- or four-digit year) and the slug
    form, in any case and spacing.  Raises :class:`InvalidReference` naming the problem.

    >>> parse_document_reference("5802/3/14 REV 3").canonical
    'ST 5802 2014 REV 3'
    """
    normalised = _check_length(text)
    try:
        return _parse_tokens(_tokens(normalised))
    except InvalidReference as error:
        raise InvalidReference(error.problem, text) from None


def _parse_tokens(tokens: list[str]) -> DocumentReference:
    series = "ST"
    position = 0
    if len(tokens) >= 2 and tokens[0] == "PE" and tokens[1] == "CONS":
        tokens = ["PE-CONS", *tokens[2:]]
    if tokens and _WORD.fullmatch(tokens[0]):
        word = tokens[0]
        if word == "INIT" or word in _SUFFIX_RANK:
            raise InvalidReference(f"no document number found before suffix {word}")
        if len(tokens) < 2 or not _DIGITS.match(tokens[1]):
            raise InvalidReference("no document number found")
        if word not in SERIES:
            raise InvalidReference(f"unknown series {word!r} (expected one of {', '.join(SERIES)})")
        series = word
        position = 1
    if position >= len(tokens) or not _DIGITS.match(tokens[position]):
        raise InvalidReference("no document number found")

    head = tokens[position]
    position += 1
    counter: str | None = None
    if "/" in head:
        parts = head.split("/")
        if len(parts) > 3:
            raise InvalidReference(
                f"malformed cover reference {head!r} (expected NUMBER/YEAR or NUMBER/REV/YEAR)"
            )
        number, year_digits = parts[0], parts[-1]
        if len(parts) == 3:
            counter = parts[1]
            if not _DIGITS.fullmatch(counter):
                raise InvalidReference(f"malformed revision counter {counter!r}")
        if not _DIGITS.fullmatch(year_digits):
            raise InvalidReference(
                f"malformed year {year_digits!r} (expected 2 or 4 digits after '/')"
            )
        year = _expand_year(year_digits)
    else:
        number = head
        year_digits = tokens[position] if position < len(tokens) else ""
        if not _DIGITS.fullmatch(year_digits):
            raise InvalidReference(
                f"missing year after document number {head!r} (expected NUMBER/YY or NUMBER YYYY)"
            )
        if len(year_digits) != 4:
            raise InvalidReference(
                f"register form needs a 4-digit year, got {year_digits!r} "
                "(write NUMBER/YY for the short form)"
            )
        year = int(year_digits)
        position += 1
    if not _DIGITS.fullmatch(number):
        raise InvalidReference(f"malformed document number {number!r}")
    suffixes = _parse_suffix_tokens(tokens[position:])
    return _build(series, number, year, suffixes, counter)


# --------------------------------------------------------------------------------------------
# Procedure references
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProcedureReference:
    """An interinstitutional procedure (file) reference such as ``2023/0452(COD)``."""

    year: int
    """Four-digit year, 1952..2099."""
    number: int
    """Number within the year, 1..9999."""
    type: str
    """One of :data:`PROCEDURE_TYPES`."""

    def __post_init__(self) -> None:
        if not _is_int(self.year) or not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidReference(
                f"procedure year {self.year!r} out of range {MIN_YEAR}..{MAX_YEAR}"
            )
        if not _is_int(self.number) or not 1 <= self.number <= MAX_PROCEDURE_NUMBER:
            raise InvalidReference(
                f"procedure number {self.number!r} out of range 1..{MAX_PROCEDURE_NUMBER}"
            )
        if self.type not in PROCEDURE_TYPES:
            raise InvalidReference(
                f"unknown procedure type {self.type!r} "
                f"(expected one of {', '.join(PROCEDURE_TYPES)})"
            )

    @property
    def canonical(self) -> str:
        """``"2023/0452(COD)"`` (number zero-padded to four digits)."""
        return f"{self.year}/{self.number:04d}({self.type})"

    @property
    def slug(self) -> str:
        """``"2023-0452-cod"``."""
        return f"{self.year}-{self.number:04d}-{self.type.lower()}"

    def __str__(self) -> str:
        return self.canonical


_PROCEDURE_YEAR_FIRST = re.compile(
    r"(?P<year>[0-9]+)[/-](?P<number>[0-9]+)(?:\((?P<type>[A-Z]+)\)|[/-](?P<type2>[A-Z]+))"
)
_PROCEDURE_TYPE_FIRST = re.compile(r"(?P<type>[A-Z]+)[/-](?P<year>[0-9]+)[/-](?P<number>[0-9]+)")
_AROUND_PROCEDURE_PUNCTUATION = re.compile(r" ?([/()-]) ?")


def parse_procedure_reference(text: str) -> ProcedureReference:
    """Parse an interinstitutional procedure reference.

    Accepts ``2023/0452(COD)``, ``2017/0125 (COD)``, ``2017/0298/NLE``, ``2017/0298(nle)``,
    the type-first form ``INI/2010/2103`` and the slug ``2023-0452-cod``, with any spacing.
    Raises :class:`InvalidReference` for an unknown type, a number outside 1..9999, a year
    outside 1952..2099 or anything that is not a procedure reference.
    """
    normalised = _check_length(text)
    compact = _AROUND_PROCEDURE_PUNCTUATION.sub(r"\1", normalised.upper())
    match = _PROCEDURE_YEAR_FIRST.fullmatch(compact) or _PROCEDURE_TYPE_FIRST.fullmatch(compact)
    if match is None:
        raise InvalidReference("not a procedure reference (expected e.g. '2023/0452(COD)')", text)
    groups = match.groupdict()
    kind = groups["type"] or groups.get("type2") or ""
    if len(groups["year"]) != 4:
        raise InvalidReference(f"procedure year {groups['year']!r} must have 4 digits", text)
    try:
        return ProcedureReference(int(groups["year"]), int(groups["number"]), kind)
    except InvalidReference as error:
        raise InvalidReference(error.problem, text) from None


# --------------------------------------------------------------------------------------------
# Finding references in running text
# --------------------------------------------------------------------------------------------

_F_SERIES = r"(?:(?i:st|wk|pe[ \-]?cons)|CM|SN|DS)"
_F_SUFFIX = r"(?:(?i:init)|(?i:add|ext|dcl|rev|cor)\s*[0-9]{1,3})(?!\w)"
_F_CHAIN = rf"{_F_SUFFIX}(?:\s+{_F_SUFFIX})*"
_F_SEPARATOR = r"(?:\s*[,+&]\s*(?:(?i:and)\s+)?|\s+(?i:and)\s+)"
_F_END = r"(?!\w|/\w|-[0-9])"
_F_CANDIDATE = re.compile(
    rf"""
    (?:
        # series-prefixed cover form: WK 9107/2022, CM 1234/24, ST 5802/3/14
        (?<![\w/\-]) (?P<a_series>{_F_SERIES}) \s*
        (?P<a_number>[0-9]{{1,5}}) (?:/(?P<a_counter>[0-9]{{1,3}}))? /
        (?P<a_year>[0-9]{{4}}|[0-9]{{2}}) {_F_END}
    |
        # series-prefixed register form: ST 5397 2024 INIT
        (?<![\w/\-]) (?P<b_series>{_F_SERIES}) \s+
        (?P<b_number>[0-9]{{1,5}}) \s+ (?P<b_year>[0-9]{{4}}) {_F_END}
    |
        # bare cover form: 5397/24, 5802/3/14
        (?<![\w/.\-]) (?P<c_number>[0-9]{{3,5}}) (?:/(?P<c_counter>[1-9][0-9]{{0,2}}))? /
        (?P<c_year>[0-9]{{2}}) {_F_END}
    )
    (?P<chain>(?:\s+{_F_SUFFIX})*)
    (?P<group>(?:{_F_SEPARATOR}{_F_CHAIN})*)
    """,
    re.VERBOSE,
)
_F_GROUP_ITEM = re.compile(rf"{_F_SEPARATOR}(?P<item>{_F_CHAIN})")
_F_SKIP_BEFORE = re.compile(
    r"""(?:
        \bNos?\.?
        | \((?:EU|EC|EEC|Euratom|EU,\s*Euratom|CFSP)\)
        | \b(?:Regulations?|Directives?|Decisions?|Articles?|Art\.|Cases?|OJ\s+[LC]|EUR)
        | \b(?:pp?\.|pages?)
        | [0-9][ \t\u00a0]   # "EUR 1 500/24": a thousands separator (never across lines)
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_F_SUPERSCRIPTS = str.maketrans(dict.fromkeys("⁰¹²³⁴⁵⁶⁷⁸⁹", " "))
_F_LOOK_BEHIND = 40


def find_document_references(text: str) -> list[DocumentReference]:
    """Return every Council document reference cited in running text.

    References come in order of first appearance, without duplicates.  Grouped citations are
    expanded, each further suffix chain applying to the initial version of the document
    cited first: ``9068/22 ADD 1, ADD 2 and ADD 3`` gives ADD 1, ADD 2 and ADD 3;
    ``10589/17 + COR 1 + ADD 1`` gives the INIT, COR 1 and ADD 1.  Separators are ``,``,
    ``+``, ``&`` and ``and``.

    Heuristics that keep false hits out:

    * A *bare* reference (no series written) must be in cover form with a two-digit year and
      a number of 3 to 5 digits (``5397/24``, ``5802/3/14 REV 3``).  This rules out dates
      (``17/01/2024``, ``22/06/22``), fractions and amounts (``1/3``, ``EUR 1/2 million``,
      ``24/7``), ``Art. 4/2`` and Union acts numbered ``2021/1232`` or ``1049/2001``.
    * A series-prefixed reference (``WK 13259/20``, ``WK 9107/2022``, ``CM 1234/24``) may have
      any number length and a two- or four-digit year; the register form
      (``ST 5397 2024 INIT``) is only recognised with an explicit series and a four-digit
      year.  ``ST``, ``WK`` and ``PE-CONS`` are matched in any case, ``CM``, ``SN`` and ``DS``
      only in capitals (``cm`` is far more often centimetres).
    * A candidate never starts right after a word character or ``/`` (nor, when bare, after
      ``.`` or ``-``, which excludes court cases ``C-311/18``) and never continues into a word
      character, ``/`` followed by a letter or digit (``Directive 2002/58/EC``,
      ``2017/0298/NLE``) or ``-`` followed by a digit.
    * A bare candidate directly preceded by ``No``, ``No.``, ``Nos``, ``(EU)``, ``(EC)``,
      ``(EEC)``, ``(Euratom)``, ``Regulation``, ``Directive``, ``Decision``, ``Article``,
      ``Art.``, ``Case``, ``OJ L``/``OJ C``, ``EUR``, ``p.``, ``pp.``, ``page(s)`` or a digit and
      a space (``EUR 1 500/24``) is skipped, and so is a year span such as ``2022/23``.
    * A revision counter (``5802/3/14``) is only accepted with a matching ``REV``, which also
      keeps ``yyyy/mm/dd`` dates out; a bare counter cannot start with ``0``.
    * Candidates that fail validation (counter disagreeing with REV, year out of range,
      duplicate suffix, ...) are skipped silently: running text is not an error.
    * Superscript footnote markers (``¹ 9068/22 ADD 1``, ``5397/24²``) are ignored.
    """
    found: dict[DocumentReference, None] = {}
    for match in scan_document_references(text):
        for reference in match.references:
            found.setdefault(reference, None)
    return list(found)


@dataclass(frozen=True, slots=True)
class ReferenceMatch:
    """A citation found by :func:`scan_document_references`, and where it stands."""

    start: int
    end: int
    """``text[start:end]`` is the citation as written, grouped parts included."""
    references: tuple[DocumentReference, ...]
    """The document cited, then the further parts of a grouped citation (``+ COR 1``); empty
    when the candidate is not a valid reference."""
    problem: str | None = None
    """Why the candidate is not a valid reference (``revision counter 3 disagrees with REV
    2``), or None."""


def scan_document_references(text: str) -> list[ReferenceMatch]:
    """Every candidate citation in ``text``, in order, with its span.

    The candidates are those of :func:`find_document_references` (same heuristics), and also
    the ones that look like a citation but fail validation (``5802/2/14 REV 3``: the counter
    disagrees with REV), whose ``problem`` says why and whose ``references`` is empty. A
    further part of a grouped citation that fails validation is left out of ``references``.
    """
    # Superscripts become spaces: the same length, so spans hold for ``text`` itself.
    scanned = text.translate(_F_SUPERSCRIPTS)
    found: list[ReferenceMatch] = []
    for match in _F_CANDIDATE.finditer(scanned):
        if match["c_number"] is not None:
            before = scanned[max(0, match.start() - _F_LOOK_BEHIND) : match.start()]
            if _F_SKIP_BEFORE.search(before) or _is_year_span(match["c_number"], match["c_year"]):
                continue
        try:
            head = _candidate(match)
        except InvalidReference as error:
            found.append(ReferenceMatch(match.start(), match.end(), (), error.problem))
            continue
        references = [head]
        for item in _F_GROUP_ITEM.finditer(match["group"]):
            try:
                suffixes = _parse_suffix_tokens(_tokens(item["item"]))
                references.append(head.with_suffixes(suffixes))
            except InvalidReference:
                continue
        found.append(ReferenceMatch(match.start(), match.end(), tuple(references)))
    return found


def _is_year_span(number: str, year: str) -> bool:
    """``2022/23`` (a financial or academic year) rather than document 2022 of 2023."""
    return (
        len(number) == 4
        and MIN_YEAR <= int(number) <= MAX_YEAR
        and (int(number) + 1) % 100 == int(year)
    )


def _candidate(match: re.Match[str]) -> DocumentReference:
    """Build the reference a :data:`_F_CANDIDATE` match cites (raises if invalid)."""
    suffixes = _parse_suffix_tokens(_tokens(match["chain"]))
    if match["a_number"] is not None:
        series = _series_of(match["a_series"])
        year = _expand_year(match["a_year"])
        return _build(series, match["a_number"], year, suffixes, match["a_counter"])
    if match["b_number"] is not None:
        series = _series_of(match["b_series"])
        return _build(series, match["b_number"], int(match["b_year"]), suffixes)
    year = _expand_year(match["c_year"])
    return _build("ST", match["c_number"], year, suffixes, match["c_counter"])


def _series_of(written: str) -> str:
    upper = written.upper()
    return "PE-CONS" if upper.startswith("PE") else upper


# --------------------------------------------------------------------------------------------
# Finding procedures in running text
# --------------------------------------------------------------------------------------------

_P_CANDIDATE = re.compile(
    r"""
    (?<![\w/])
    (?:
        # year first: 2023/0452(COD), 2017/0125 (COD), 2017/0298/NLE
        (?P<year>(?:19|20)[0-9]{2}) \s*/\s* (?P<number>[0-9]{1,4})
        (?: \s*\(\s*(?P<type>[A-Za-z]{3})\s*\) | /(?P<type2>[A-Z]{3})(?![\w/]) )
    |
        # type first (old Parliament style): INI/2010/2103
        (?P<type3>[A-Z]{3}) / (?P<year3>(?:19|20)[0-9]{2}) / (?P<number3>[0-9]{4}) (?![\w/])
    )
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class ProcedureMatch:
    """A procedure found by :func:`scan_procedure_references`, and where it stands."""

    start: int
    end: int
    procedure: ProcedureReference


def scan_procedure_references(text: str) -> list[ProcedureMatch]:
    """Every interinstitutional file cited in ``text``, in order, with its span.

    Recognised: ``2023/0452(COD)``, ``2017/0125 (COD)`` (any case inside the brackets),
    ``2017/0298/NLE`` and ``INI/2010/2103``. A candidate whose type is not one of
    :data:`PROCEDURE_TYPES` is skipped, which keeps Union acts out (``Decision 2008/615/JHA``,
    ``Directive 2002/58/EC``, ``Regulation (EU) 2021/1232``).
    """
    found: list[ProcedureMatch] = []
    for match in _P_CANDIDATE.finditer(text):
        if match["type3"]:
            year, number, kind = match["year3"], match["number3"], match["type3"]
        else:
            year, number = match["year"], match["number"]
            kind = (match["type"] or match["type2"]).upper()
        try:
            procedure = ProcedureReference(int(year), int(number), kind)
        except InvalidReference:
            continue
        found.append(ProcedureMatch(match.start(), match.end(), procedure))
    return found


def find_procedure_references(text: str) -> list[ProcedureReference]:
    """Every interinstitutional file cited in ``text``, in order of first appearance, without
    duplicates (see :func:`scan_procedure_references` for the spellings)."""
    return list(dict.fromkeys(match.procedure for match in scan_procedure_references(text)))
