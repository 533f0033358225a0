from api.views.documents import DocumentFileView, DocumentViewSet
from api.views.registry import (
    BodyViewSet,
    DelegationViewSet,
    MeetingViewSet,
    ProcedureViewSet,
    SubjectCodeViewSet,
)

__all__ = [
    "BodyViewSet",
    "DelegationViewSet",
    "DocumentFileView",
    "DocumentViewSet",
    "MeetingViewSet",
    "ProcedureViewSet",
    "SubjectCodeViewSet",
]
