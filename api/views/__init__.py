from api.views.calendar import CalendarFeedView, CalendarLinkView
from api.views.changes import ChangesView
from api.views.documents import DocumentFileView, DocumentViewSet
from api.views.dumps import DumpFileView, DumpIndexView
from api.views.registry import (
    BodyViewSet,
    DelegationViewSet,
    MeetingViewSet,
    ProcedureViewSet,
    SubjectCodeViewSet,
)
from api.views.subscriptions import SubscriptionViewSet

__all__ = [
    "BodyViewSet",
    "CalendarFeedView",
    "CalendarLinkView",
    "ChangesView",
    "DelegationViewSet",
    "DocumentFileView",
    "DocumentViewSet",
    "DumpFileView",
    "DumpIndexView",
    "MeetingViewSet",
    "ProcedureViewSet",
    "SubjectCodeViewSet",
    "SubscriptionViewSet",
]
