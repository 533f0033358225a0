"""Every vocabulary of the register, as TextChoices/IntegerChoices.

Facts marked (unconfirmed) in DOMAIN.md are kept here, in one place, so they are easy to change.
"""

from django.db import models

from documents.references import PROCEDURE_TYPES, SERIES


class Series(models.TextChoices):
    ST = "ST", "ST (standard document)"
    WK = "WK", "WK (working document)"
    CM = "CM", "CM (meeting notice, communication)"
    SN = "SN", "SN (room document)"
    DS = "DS", "DS (room document)"
    PE_CONS = "PE-CONS", "PE-CONS (joint act for signature)"


assert tuple(Series.values) == SERIES, "Series choices and references.SERIES disagree"

# Series whose subject codes carry a yearly running number (`JAI 64`). WK documents carry codes
# without numbers. (unconfirmed for CM, SN, DS and PE-CONS: change here.)
NUMBERED_SUBJECT_CODE_SERIES = frozenset({Series.ST, Series.PE_CONS})

# Series of the public register: the public sees their LIMITE documents listed (reference,
# date, type, subject). WK documents never appear there; DS and PE-CONS LIMITE documents are
# left out too, as DOMAIN.md lists only ST, CM and SN. (unconfirmed for DS and PE-CONS)
PUBLIC_REGISTER_SERIES = frozenset({Series.ST, Series.CM, Series.SN})

ProcedureType = models.TextChoices("ProcedureType", [(t, t) for t in PROCEDURE_TYPES])


class Language(models.TextChoices):
    """The 24 official languages of the Union, by ISO 639-1 code."""

    BG = "bg", "Bulgarian"
    CS = "cs", "Czech"
    DA = "da", "Danish"
    DE = "de", "German"
    EL = "el", "Greek"
    EN = "en", "English"
    ES = "es", "Spanish"
    ET = "et", "Estonian"
    FI = "fi", "Finnish"
    FR = "fr", "French"
    GA = "ga", "Irish"
    HR = "hr", "Croatian"
    HU = "hu", "Hungarian"
    IT = "it", "Italian"
    LT = "lt", "Lithuanian"
    LV = "lv", "Latvian"
    MT = "mt", "Maltese"
    NL = "nl", "Dutch"
    PL = "pl", "Polish"
    PT = "pt", "Portuguese"
    RO = "ro", "Romanian"
    SK = "sk", "Slovak"
    SL = "sl", "Slovenian"
    SV = "sv", "Swedish"


class DocumentType(models.TextChoices):
    """The type line of the cover page, as printed there."""

    NOTE = "NOTE"
    IA_ITEM_NOTE = "'I/A' ITEM NOTE"
    I_ITEM_NOTE = "'I' ITEM NOTE"
    COVER_NOTE = "COVER NOTE"
    PROPOSAL = "PROPOSAL"
    OUTCOME_OF_PROCEEDINGS = "OUTCOME OF PROCEEDINGS"
    NOTICE_OF_MEETING = "NOTICE OF MEETING AND PROVISIONAL AGENDA"
    SUMMARY_RECORD = "SUMMARY RECORD"
    MEETING_DOCUMENT = "MEETING DOCUMENT"
    REPORT = "REPORT"
    LEGISLATIVE_ACTS = "LEGISLATIVE ACTS AND OTHER INSTRUMENTS"
    OTHER = "OTHER"


class Distribution(models.TextChoices):
    PUBLIC = "PUBLIC", "Public"
    # A distribution marking, not a classification: member states' administrations and the
    # Commission, not the public.
    LIMITE = "LIMITE", "LIMITE"


class Classification(models.IntegerChoices):
    """EU classified information levels, lowest first; the number orders them."""

    UNCLASSIFIED = 0, "not classified"
    RESTREINT_UE = 1, "RESTREINT UE/EU RESTRICTED"
    CONFIDENTIEL_UE = 2, "CONFIDENTIEL UE/EU CONFIDENTIAL"
    SECRET_UE = 3, "SECRET UE/EU SECRET"
    TRES_SECRET_UE = 4, "TRES SECRET UE/EU TOP SECRET"


class ReleaseReason(models.TextChoices):
    ACT_ADOPTED = "act-adopted", "Act adopted (Rules of Procedure, Annex II, Art. 11(6))"
    ACCESS_REQUEST = "access-request", "Public access request granted"
    ORIGINATOR_CONSENT = "originator-consent", "Originator's consent"


class ProcedureStage(models.TextChoices):
    PROPOSAL = "proposal", "Commission proposal"
    WORKING_PARTY = "working-party", "Examination in working party"
    COREPER_MANDATE = "coreper-mandate", "Coreper mandate"
    TRILOGUES = "trilogues", "Trilogues"
    GENERAL_APPROACH = "general-approach", "General approach"
    FIRST_READING_POSITION = "first-reading-position", "First reading position"
    ADOPTED = "adopted", "Adopted"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BodyKind(models.TextChoices):
    COUNCIL = "council", "Council configuration"
    COREPER = "coreper", "Coreper"
    WORKING_PARTY = "working-party", "Working party"
    COMMITTEE = "committee", "Committee"


class DelegationKind(models.TextChoices):
    MEMBER_STATE = "member-state", "Member state"
    INSTITUTION = "institution", "Institution"
    # E.g. a non-member country in a mixed committee: sees LIMITE documents only when they
    # are distributed to it explicitly.
    OBSERVER = "observer", "Observer"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"
