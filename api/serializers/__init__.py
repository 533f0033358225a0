from api.serializers.documents import (
    DOCUMENT_OR_LISTING,
    DocumentListingSerializer,
    DocumentSerializer,
)
from api.serializers.registry import (
    BodySerializer,
    DelegationSerializer,
    MeetingSerializer,
    ProcedureSerializer,
    SubjectCodeSerializer,
)

__all__ = [
    "DOCUMENT_OR_LISTING",
    "BodySerializer",
    "DelegationSerializer",
    "DocumentListingSerializer",
    "DocumentSerializer",
    "MeetingSerializer",
    "ProcedureSerializer",
    "SubjectCodeSerializer",
]
