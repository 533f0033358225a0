"""The register's models, split by aggregate and re-exported here."""

from documents.models.audit import DocumentRead, ReadKind
from documents.models.bodies import Body, Delegation
from documents.models.changes import (
    Change,
    ChangeKind,
    ChangeScope,
    RecordKind,
    VisibilityState,
)
from documents.models.choices import (
    BodyKind,
    Classification,
    DelegationKind,
    Distribution,
    DocumentType,
    Language,
    MeetingStatus,
    ProcedureStage,
    ProcedureType,
    ReleaseReason,
    Series,
)
from documents.models.documents import (
    Citation,
    Document,
    DocumentBody,
    DocumentDistribution,
    DocumentProcedure,
    DocumentSubjectCode,
)
from documents.models.files import DocumentFile
from documents.models.meetings import AgendaItem, AgendaItemDocument, AgendaItemProcedure, Meeting
from documents.models.numbering import Counter, SubjectCode, SubjectCodeNumber
from documents.models.people import UserProfile
from documents.models.procedures import Procedure, ProcedureEvent
from documents.models.reminders import (
    DEFAULT_LEAD_DAYS,
    LEAD_TIME_RULES,
    Heartbeat,
    HeartbeatName,
    LeadTime,
    Notification,
    NotificationStatus,
    ReleaseReview,
    ReminderOptOut,
    ReminderRule,
    Subscription,
    SubscriptionKind,
)

__all__ = [
    "DEFAULT_LEAD_DAYS",
    "LEAD_TIME_RULES",
    "AgendaItem",
    "AgendaItemDocument",
    "AgendaItemProcedure",
    "Body",
    "BodyKind",
    "Change",
    "ChangeKind",
    "ChangeScope",
    "Citation",
    "Classification",
    "Counter",
    "Delegation",
    "DelegationKind",
    "Distribution",
    "Document",
    "DocumentBody",
    "DocumentDistribution",
    "DocumentFile",
    "DocumentProcedure",
    "DocumentRead",
    "DocumentSubjectCode",
    "DocumentType",
    "Heartbeat",
    "HeartbeatName",
    "Language",
    "LeadTime",
    "Meeting",
    "MeetingStatus",
    "Notification",
    "NotificationStatus",
    "Procedure",
    "ProcedureEvent",
    "ProcedureStage",
    "ProcedureType",
    "ReadKind",
    "RecordKind",
    "ReleaseReason",
    "ReleaseReview",
    "ReminderOptOut",
    "ReminderRule",
    "Series",
    "SubjectCode",
    "SubjectCodeNumber",
    "Subscription",
    "SubscriptionKind",
    "UserProfile",
    "VisibilityState",
]
