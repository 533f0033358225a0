from api.serializers.documents import DocumentListingSerializer, DocumentSerializer
from api.serializers.registry import (
    BodySerializer,
    DelegationSerializer,
    MeetingSerializer,
    ProcedureSerializer,
    SubjectCodeSerializer,
)

__all__ = [
    "BodySerializer",
    "DelegationSerializer",
    "DocumentListingSerializer",
    "DocumentSerializer",
    "MeetingSerializer",
    "ProcedureSerializer",
    "SubjectCodeSerializer",
]
