"""The cover page's vocabulary: what the parser knows by name (pure Python).

Facts marked (unconfirmed) are best knowledge, easy to change here.
"""

LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
    "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
"""The 24 official languages (ISO 639-1), as ``documents.models.Language`` (a test holds them
equal)."""

DOCUMENT_TYPES: tuple[str, ...] = (
    "NOTE",
    "'I/A' ITEM NOTE",
    "'I' ITEM NOTE",
    "COVER NOTE",
    "PROPOSAL",
    "OUTCOME OF PROCEEDINGS",
    "NOTICE OF MEETING AND PROVISIONAL AGENDA",
    "SUMMARY RECORD",
    "MEETING DOCUMENT",
    "REPORT",
    "LEGISLATIVE ACTS AND OTHER INSTRUMENTS",
)
"""Type lines of cover pages, as printed (``documents.models.DocumentType`` but OTHER)."""

# Covers of these types name no sender or recipients (unconfirmed for the last one).
WITHOUT_FROM_TO = frozenset(
    {
        "SUMMARY RECORD",
        "NOTICE OF MEETING AND PROVISIONAL AGENDA",
        "LEGISLATIVE ACTS AND OTHER INSTRUMENTS",
    }
)

# Series whose covers number their subject codes (documents.models.choices.
# NUMBERED_SUBJECT_CODE_SERIES; a test holds them equal).
NUMBERED_CODE_SERIES = frozenset({"ST", "PE-CONS"})

CLASSIFICATIONS: dict[int, str] = {
    1: "RESTREINT UE/EU RESTRICTED",
    2: "CONFIDENTIEL UE/EU CONFIDENTIAL",
    3: "SECRET UE/EU SECRET",
    4: "TRES SECRET UE/EU TOP SECRET",
}
"""EU classification levels and their markings, as ``documents.models.Classification``."""

# Best knowledge of the Council's subject codes (unconfirmed; the register's own table is
# passed to parse_cover by the commands and the admin). A code not listed is still read when it
# carries a number; without one it is reported as unread text.
KNOWN_SUBJECT_CODES: frozenset[str] = frozenset(
    {
        "ACP", "AGRI", "AGRIFIN", "AGRILEG", "AGRIORG", "AGRISTR", "ANTIDUMPING", "ASIM", "ATO",
        "AUDIO", "AVIATION", "BUDGET", "CADREFIN", "CATS", "CCG", "CFSP/PESC", "CLIMA", "CODEC",
        "COAFR", "COARM", "COASI", "COCON", "CODUN", "COEST", "COHAFA", "COHOM", "COLAT", "COMAG",
        "COMEM", "COMER", "COMPET", "COMIX", "CONOP", "CONSOM", "CONUN", "COPEN", "COPS",
        "CORDROGUE", "COSDP", "COSI", "COTER", "COTRA", "COWEB", "CRIMORG", "CSC", "CSDP/PSDC",
        "CULT", "CYBER", "DATAPROTECT", "DENLEG", "DEVGEN", "DIGIT", "DROIPEN", "ECOFIN", "EDUC",
        "EF", "ELARG", "EMPL", "ENER", "ENFOCUSTOM", "ENFOPOL", "ENV", "ESPACE", "ETS", "FIN",
        "FISC", "FREMP", "FRONT", "GENVAL", "HYBRID", "IND", "INF", "INST", "IXIM", "JAI", "JAIEX",
        "JEUN", "JUR", "JURINFO", "MAMA", "MAR", "MED", "MI", "MIGR", "MOG", "OC", "PARLNAT",
        "PECHE", "PHARM", "POLGEN", "PROCIV", "RECH", "RELEX", "SAN", "SCHENGEN", "SIRIS", "SOC",
        "SPORT", "STATIS", "SUCRE", "SURE", "TELECOM", "TOUR", "TRANS", "UD", "UEM", "VISA", "WTO",
        "CRS CRP",
    }
)  # fmt: skip

MAX_SUBJECT_LINES = 8
MAX_SUBJECT_CHARACTERS = 600
# A value that goes on longer than this without a line break, and without anything marking
# where it ends, is the body run into the cover (text extracted without line breaks).
MAX_UNMARKED_LINE = 300
