"""Cover pages built from DOMAIN.md, in every layout real extraction produces.

A ``CoverSpec`` says what a cover states; each layout function renders it as text the way a
file or an extraction tool gives it; ``spec.expected()`` is the ``CoverPage`` the parser must
read back, stated independently of the parser (the tests compare the two). Also used by
``scripts/bench_intake.py`` to generate a folder of covers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace

from documents.intake import CoverPage, CoverSubjectCode
from documents.references import DocumentReference, ProcedureReference

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WK_DISCLAIMER = (
    "This is a paper intended for a specific community of recipients. Handling and further "
    "distribution are under the sole responsibility of community members."
)


def written_date(value: datetime.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@dataclass(frozen=True)
class CoverSpec:
    reference: DocumentReference
    date: datetime.date
    subject: str
    document_type: str = "NOTE"
    place: str = "Brussels"
    language: str | None = "en"
    procedures: tuple[ProcedureReference, ...] = ()
    limite: bool = True
    classification: str | None = None
    public_stamp: bool = False
    codes: tuple[CoverSubjectCode, ...] = ()
    originator: str | None = "Presidency"
    recipients: str | None = "Delegations"
    on: datetime.date | None = None
    date_of_receipt: datetime.date | None = None
    previous: tuple[DocumentReference, ...] = ()
    commission: tuple[str, ...] = ()
    cited: tuple[DocumentReference, ...] = ()  # cited in the body
    notice: tuple[tuple[str, str], ...] = ()  # meeting notices: ("Date", "22 June 2022")...
    pages: int = 1
    extra_body: tuple[str, ...] = field(default=())

    @property
    def wk(self) -> bool:
        return self.reference.series == "WK"

    def expected(self) -> CoverPage:
        """What the cover says, as the parser must read it (no warnings)."""
        cited = tuple(dict.fromkeys((*self.previous, *self.cited)))
        return CoverPage(
            reference=self.reference,
            date=self.date,
            place=self.place,
            original_language=self.language,
            procedures=self.procedures,
            distribution="LIMITE" if self.limite else None,
            classification=self.classification,
            public_stamp=self.public_stamp,
            subject_codes=self.codes,
            document_type=self.document_type,
            originator=self.originator,
            recipients=self.recipients,
            on=self.on,
            date_of_receipt=self.date_of_receipt,
            previous_documents=self.previous,
            commission_documents=self.commission,
            subject=self.subject,
            cited_documents=tuple(r for r in cited if r != self.reference),
            has_heading=True,
        )

    # --- the pieces, in cover order -----------------------------------------------------------

    def header(self, *, upper: bool = False) -> list[str]:
        lines = ["COUNCIL OF", "THE EUROPEAN UNION"] if upper else ["Council of the European Union"]
        if self.wk:
            lines.append("General Secretariat")
        lines.append(f"{self.place}, {written_date(self.date)}")
        if self.language:
            lines.append(f"(OR. {self.language})")
        if self.wk and self.procedures:
            lines += ["Interinstitutional files:", *(p.canonical for p in self.procedures)]
        lines.append(self.reference.cover)
        if self.procedures and not self.wk:
            label = "Interinstitutional File:"
            lines.append(f"{label} {' '.join(p.canonical for p in self.procedures)}")
        if self.public_stamp:
            lines.append("PUBLIC")
        if self.limite:
            lines.append("LIMITE")
        if self.classification:
            lines.append(self.classification)
        lines += [str(code) for code in self.codes]
        if self.wk:
            lines.append(WK_DISCLAIMER)
        lines.append(self.document_type)
        return lines

    def labels(self, *, upper: bool = False) -> list[tuple[str, str]]:
        def label(name: str) -> str:
            return f"{name.lower()} :" if upper and name in ("From", "To") else f"{name}:"

        pairs = []
        if self.originator:
            pairs.append((label("From"), self.originator))
        if self.date_of_receipt:
            pairs.append(("date of receipt:", written_date(self.date_of_receipt)))
        if self.on:
            pairs.append(("On:", written_date(self.on)))
        if self.recipients:
            pairs.append((label("To"), self.recipients))
        if self.previous:
            pairs.append(("No. prev. doc.:", ", ".join(r.cover for r in self.previous)))
        if self.commission:
            pairs.append(("No. Cion doc.:", " - ".join(self.commission)))
        pairs.append(("Subject :" if upper else "Subject:", self.subject))
        pairs += [(f"{name}:", value) for name, value in self.notice]
        return pairs

    def body(self) -> list[str]:
        paragraphs = ["Delegations will find attached a note on the matter above."]
        if self.cited:
            paragraphs.append(
                "The Presidency refers to " + ", ".join(r.cover for r in self.cited) + "."
            )
        paragraphs += list(self.extra_body)
        return paragraphs

    def footer(self, page: int) -> list[str]:
        marking = "LIMITE " if self.limite else ""
        return [f"{self.reference.cover} JV/ml {page}", f"JAI.1 {marking}EN"]


# --- layouts ---------------------------------------------------------------------------------


def lines_layout(spec: CoverSpec) -> str:
    """As the samples are: one item a line, a tab between label and value."""
    labels = [f"{label}\t{value}" for label, value in spec.labels()]
    return "\n".join([*spec.header(), "", *labels, "", *spec.body()]) + "\n"


def flattened_layout(spec: CoverSpec) -> str:
    """The whole cover on one line (text extracted without line breaks), then the body."""
    labels = [f"{label} {value}" for label, value in spec.labels()]
    return " ".join([*spec.header(), *labels]) + "\n\n" + "\n\n".join(spec.body()) + "\n"


def everything_flattened_layout(spec: CoverSpec) -> str:
    """The whole document on one line, page footers included."""
    labels = [f"{label} {value}" for label, value in spec.labels()]
    return " ".join([*spec.header(), *labels, *spec.body(), *spec.footer(1)])


def upper_case_layout(spec: CoverSpec) -> str:
    """Older covers: upper-case heading, lower-case 'from :' and 'to :'."""
    labels = [f"{label}\t{value}" for label, value in spec.labels(upper=True)]
    return "\n".join([*spec.header(upper=True), "", *labels, "", *spec.body()]) + "\n"


def separated_layout(spec: CoverSpec) -> str:
    """A table read column by column: the labels, then their values."""
    pairs = spec.labels()
    return "\n".join(
        [*spec.header(), "", *(label for label, _ in pairs), *(value for _, value in pairs), "",
         *spec.body()]
    ) + "\n"  # fmt: skip


def two_columns_layout(spec: CoverSpec) -> str:
    """The heading beside the place and date, read back interleaved, with runs of spaces."""
    header = spec.header()
    first = header.index(next(line for line in header if line.startswith(spec.place)))
    interleaved = [
        "Council of the" + " " * 30 + header[first],
        "European Union" + " " * 30 + (header[first + 1] if spec.language else ""),
        *header[first + (2 if spec.language else 1) :],
    ]
    if spec.wk:
        interleaved.insert(2, "General Secretariat")
    labels = [f"{label}{' ' * 12}{value}" for label, value in spec.labels()]
    return "\n".join([*interleaved, "", *labels, "", *spec.body()]) + "\n"


def footers_layout(spec: CoverSpec) -> str:
    """Pages separated by form feeds, each with the footer repeating the reference, the first
    page's footer extracted before its text (as some PDF producers draw it)."""
    labels = [f"{label}\t{value}" for label, value in spec.labels()]
    pages = [[*spec.footer(1), *spec.header(), "", *labels, "", *spec.body()]]
    for page in range(2, spec.pages + 1):
        pages.append([f"Page {page} of the note.", "", *spec.footer(page)])
    return "\n\f\n".join("\n".join(page) for page in pages) + "\n"


def noisy_layout(spec: CoverSpec) -> str:
    """Markdown-like conversion: bold markers, link markers, runs of spaces and tabs."""
    header = [f"**{line}**" if i % 3 == 0 else f"  {line}   " for i, line in enumerate(
        spec.header())]  # fmt: skip
    labels = [f"{label} \t  {value}" for label, value in spec.labels()]
    body = [*spec.body(), "More information is available [here](#): <https://example.eu/x>."]
    return "\n".join([*header, "", *labels, "", *body]) + "\n"


LAYOUTS = {
    "lines": lines_layout,
    "flattened": flattened_layout,
    "upper-case": upper_case_layout,
    "separated": separated_layout,
    "two-columns": two_columns_layout,
    "footers": footers_layout,
    "noisy": noisy_layout,
}
# What the parser says about a layout even when it reads it right.
LAYOUT_WARNINGS = {
    "separated": ["are printed apart from their values: paired in the order printed"],
}


# --- the covers DOMAIN.md names --------------------------------------------------------------


def doc(text: str) -> DocumentReference:
    from documents.references import parse_document_reference

    return parse_document_reference(text)


def proc(text: str) -> ProcedureReference:
    from documents.references import parse_procedure_reference

    return parse_procedure_reference(text)


def codes(*labels: str) -> tuple[CoverSubjectCode, ...]:
    result = []
    for label in labels:
        code, _, number = label.rpartition(" ")
        if number.isdigit():
            result.append(CoverSubjectCode(code, int(number)))
        else:
            result.append(CoverSubjectCode(label))
    return tuple(result)


NOTE = CoverSpec(
    reference=doc("5397/24"),
    date=datetime.date(2024, 1, 17),
    subject="Case studies to illustrate the implementation of the Regulation (EU) 2021/1232",
    procedures=(proc("2023/0452(COD)"),),
    codes=codes("JAI 64", "ENFOPOL 15", "CFSP/PESC 1122", "CRS CRP 31", "CODEC 90"),
    cited=(doc("9068/22 ADD 1"),),
)
REVISION = replace(
    NOTE,
    reference=doc("5802/3/14 REV 3"),
    date=datetime.date(2014, 4, 3),
    procedures=(),
    codes=codes("JAI 46", "COPEN 22"),
    previous=(doc("5802/2/14 REV 2"),),
    subject="Draft Council conclusions on judicial cooperation - revised text",
)
OUTCOME = replace(
    NOTE,
    reference=doc("7044/24"),
    date=datetime.date(2024, 3, 12),
    document_type="OUTCOME OF PROCEEDINGS",
    originator="General Secretariat of the Council",
    recipients="Law Enforcement Working Party (Police)",
    on=datetime.date(2024, 3, 7),
    previous=(doc("5397/24"),),
    cited=(),
    codes=codes("JAI 320", "ENFOPOL 101"),
    subject="Summary of discussions",
)
PROPOSAL = replace(
    NOTE,
    reference=doc("9068/22"),
    date=datetime.date(2022, 5, 12),
    document_type="PROPOSAL",
    limite=False,
    originator="Secretary-General of the European Commission, signed by Ms Martine DEPREZ, "
    "Director",
    recipients="Ms Thérèse BLANCHET, Secretary-General of the Council of the European Union",
    date_of_receipt=datetime.date(2022, 5, 11),
    commission=("COM(2022) 209 final",),
    procedures=(proc("2022/0155(COD)"),),
    codes=codes("JAI 657", "ENFOPOL 263", "CODEC 701"),
    cited=(),
    subject="Proposal for a REGULATION OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL laying "
    "down rules to prevent and combat child sexual abuse",
)
NOTICE = replace(
    NOTE,
    reference=doc("CM 3456/22"),
    date=datetime.date(2022, 6, 10),
    document_type="NOTICE OF MEETING AND PROVISIONAL AGENDA",
    limite=False,
    originator=None,
    recipients=None,
    procedures=(),
    codes=codes("JAI", "ENFOPOL"),
    cited=(),
    subject="Law Enforcement Working Party (Police)",
    notice=(("Date", "22 June 2022"), ("Time", "10.00"), ("Venue", "COUNCIL, Brussels")),
)
SUMMARY = replace(
    NOTE,
    reference=doc("10423/22"),
    date=datetime.date(2022, 6, 30),
    document_type="SUMMARY RECORD",
    originator=None,
    recipients=None,
    procedures=(),
    codes=codes("JAI 901", "ENFOPOL 355"),
    cited=(doc("WK 9107/2022 INIT"),),
    subject="Summary record of the meeting of the Law Enforcement Working Party (Police) held "
    "on 22 June 2022",
)
WK = replace(
    NOTE,
    reference=doc("WK 9107/2022 INIT"),
    date=datetime.date(2022, 6, 23),
    document_type="MEETING DOCUMENT",
    language=None,
    procedures=(proc("2022/0155(COD)"), proc("2017/0125(COD)")),
    codes=codes("JAI", "ENFOPOL", "CRIMORG", "CODEC"),
    originator="General Secretariat of the Council",
    recipients="Law Enforcement Working Party (Police)",
    cited=(doc("WK 13259/20"),),
    subject="Proposal for a Regulation laying down rules to prevent and combat child sexual "
    "abuse - presentations",
)
CLASSIFIED = replace(
    NOTE,
    reference=doc("6001/24"),
    limite=False,
    classification="CONFIDENTIEL UE/EU CONFIDENTIAL",
    codes=codes("CFSP/PESC 1130", "COPS 77"),
    procedures=(),
    cited=(),
    subject="Situation assessment",
)
RELEASED = replace(NOTE, reference=doc("5398/24"), public_stamp=True, cited=())

DOMAIN_COVERS = {
    "note": NOTE,
    "rev-with-counter": REVISION,
    "outcome-of-proceedings": OUTCOME,
    "proposal": PROPOSAL,
    "meeting-notice": NOTICE,
    "summary-record": SUMMARY,
    "wk": WK,
    "classified": CLASSIFIED,
    "released": RELEASED,
}
