"""One function per table: the columns of a row, from what ``bench.world`` says happened.

Each function returns ``(Model, {attname: value})``. The loader (``bench.loader``) maps the
names onto the model's columns, fills model defaults for columns not given, and stops the
build naming the model and field when a required column is missing or a name is unknown: when
a model changes, the function of its table here is what changes with it. Times arrive as epoch
seconds and are written as UTC.

History rows (django-simple-history) are made from the same dictionaries by
``Tables.history``: the model's fields plus who, when, how and why.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify

from api.models import APIToken, key_hash
from documents.models import (
    AgendaItem,
    AgendaItemDocument,
    AgendaItemProcedure,
    Body,
    Change,
    Citation,
    Counter,
    Delegation,
    Document,
    DocumentBody,
    DocumentDistribution,
    DocumentFile,
    DocumentProcedure,
    DocumentSubjectCode,
    LeadTime,
    Meeting,
    Procedure,
    ProcedureEvent,
    ReleaseReview,
    ReminderOptOut,
    SubjectCode,
    SubjectCodeNumber,
    Subscription,
    UserProfile,
    VisibilityState,
)
from documents.models.files import document_file_path

UTC = datetime.UTC
User = get_user_model()
UserGroup = User.groups.through


def when(moment: float | None) -> datetime.datetime | None:
    return None if moment is None else datetime.datetime.fromtimestamp(moment, UTC)


def local_day(moment: float) -> datetime.date:
    from bench.world import local_date

    return local_date(moment)


def unique_key(text: str, taken: set[str]) -> str:
    """A body's slug or a meeting's key as ``documents.models.keys.unique_slug`` makes it:
    the slug of ``text`` (at most 70 characters), with ``-2``, ``-3``... when taken; ``taken``
    stands for the rows already written, and gets the key."""
    base = slugify(text).strip("-")[:70].strip("-") or "record"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


# --- people -------------------------------------------------------------------------------


def user(u, *, password: str):
    return User, {
        "id": u.id,
        "password": password,
        "last_login": None,
        "is_superuser": False,
        "username": u.username,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "email": u.email,
        "is_staff": u.is_staff,
        "is_active": True,
        "date_joined": when(u.joined),
    }


def user_profile(u, *, profile_id: int):
    return UserProfile, {
        "id": profile_id,
        "user_id": u.id,
        "delegation_id": u.delegation_id,
        "clearance": u.clearance,
    }


def user_group(u, *, group_id: int, link_id: int):
    return UserGroup, {"id": link_id, "user_id": u.id, "group_id": group_id}


def api_token(t):
    """As api.services.token_issue stores it: the prefix and the SHA-256, never the key."""
    return APIToken, {
        "id": t.id,
        "user_id": t.user_id,
        "name": t.name,
        "prefix": t.key[:12],
        "key_hash": key_hash(t.key),
        "created_at": when(t.created),
        "expires_at": None,
        "revoked_at": when(t.revoked),
        "last_used_at": None,
    }


def group_ids() -> dict[str, int]:
    return dict(Group.objects.values_list("name", "id"))


# --- reference data -----------------------------------------------------------------------


def delegation(d):
    return Delegation, {"id": d.id, "code": d.code, "name": d.name, "kind": d.kind}


def body(b):
    return Body, {
        "id": b.id,
        "name": b.name,
        "abbreviation": b.abbreviation,
        "slug": b.slug,
        "kind": b.kind,
        "parent_id": b.parent_id,
    }


def subject_code(c):
    return SubjectCode, {"id": c.id, "code": c.code, "description": c.description}


def subject_code_number(*, id, subject_code_id, year, number, series, document_number, at):
    return SubjectCodeNumber, {
        "id": id,
        "subject_code_id": subject_code_id,
        "year": year,
        "number": number,
        "series": series,
        "document_number": document_number,
        "allocated_at": when(at),
    }


def counter(id, scope, year, last):
    return Counter, {"id": id, "scope": scope, "year": year, "last": last}


# --- procedures ---------------------------------------------------------------------------


def procedure(p):
    return procedure_at(p, p.updated or p.start, p.stage, p.adopted_act)


def procedure_at(p, moment: float, stage: str, adopted_act: str):
    return Procedure, {
        "id": p.id,
        "year": p.year,
        "number": p.number,
        "type": p.type,
        "reference": p.reference,
        "slug": p.slug,
        "title": p.title,
        "commission_proposal": p.commission_proposal,
        "commission_proposal_date": local_day(p.start) if p.commission_proposal else None,
        "lead_body_id": p.lead_body_id,
        "stage": stage,
        "adopted_act": adopted_act,
        "created_at": when(p.start),
        "updated_at": when(moment),
    }


def procedure_event(e):
    return ProcedureEvent, {
        "id": e.id,
        "procedure_id": e.procedure_id,
        "date": e.date,
        "order": e.order,
        "title": e.title,
        "stage": e.stage,
        "document_id": e.document_id,
    }


# --- documents ----------------------------------------------------------------------------


def document(d):
    """The document as it stands at the end of the story."""
    c = d.cover
    reference = d.reference
    released = d.released_at is not None
    created_day = local_day(d.created)
    return Document, {
        "id": d.id,
        "series": c.series,
        "number": c.number,
        "year": c.year,
        "suffix": d.suffix,
        "reference": reference,
        "slug": d.slug,
        "parent_id": d.parent_id,
        "date": created_day,
        "place": c.place,
        "original_language": c.language,
        "document_type": c.document_type,
        "originator": c.originator,
        "recipients": c.recipients,
        "subject": c.subject,
        "distribution": d.distribution,
        "classification": d.classification,
        "released_at": when(d.released_at),
        "released_by_id": c.released_by if released else None,
        "release_reason": c.release_reason if released else "",
        "release_note": c.release_note if released else "",
        "comments_due": (
            created_day + datetime.timedelta(days=c.comments_due_days)
            if c.comments_due_days
            else None
        ),
        "registered_by_id": d.registered_by,
        "created_at": when(d.created),
        "updated_at": when(d.updated),
    }


def document_as_registered(row):
    """The history row ``document_register`` leaves: not released yet, updated when created."""
    model, values = row
    return model, {
        **values,
        "released_at": None,
        "released_by_id": None,
        "release_reason": "",
        "release_note": "",
        "updated_at": values["created_at"],
    }


def document_at(d, moment: float):
    """The document as a save at ``moment`` leaves it (for its history row)."""
    model, values = document(d)
    if d.released_at is None or d.released_at > moment:
        values.update(released_at=None, released_by_id=None, release_reason="", release_note="")
    values["updated_at"] = when(moment)
    return model, values


def document_procedure(id, document_id, procedure_id):
    return DocumentProcedure, {"id": id, "document_id": document_id, "procedure_id": procedure_id}


def document_body(id, document_id, body_id):
    return DocumentBody, {"id": id, "document_id": document_id, "body_id": body_id}


def document_distribution(id, document_id, delegation_id):
    return DocumentDistribution, {
        "id": id,
        "document_id": document_id,
        "delegation_id": delegation_id,
    }


def document_subject_code(id, document_id, subject_code_id, allocation_id, order, year):
    return DocumentSubjectCode, {
        "id": id,
        "document_id": document_id,
        "subject_code_id": subject_code_id,
        "allocation_id": allocation_id,
        "year": year,
        "order": order,
    }


def citation(id, document_id, reference, cited_id, order):
    return Citation, {
        "id": id,
        "document_id": document_id,
        "reference": reference,
        "cited_id": cited_id,
        "order": order,
    }


class _Stored:
    """What ``document_file_path`` reads of a file being stored."""

    def __init__(self, document, language) -> None:
        self.document, self.language = document, language


class _Named:
    def __init__(self, d) -> None:
        self.year, self.slug = d.cover.year, d.reference.lower().replace(" ", "-")


def document_file(id, d, language, moment, *, sha256: str, size: int):
    """Metadata of a language file, as ``document_file_add`` stores it (no file on disk)."""
    path = document_file_path(_Stored(_Named(d), language), f"{language}.pdf")
    return DocumentFile, {
        "id": id,
        "document_id": d.id,
        "language": language,
        "file": path,
        "size": size,
        "sha256": sha256,
        "media_type": "application/pdf",
        "uploaded_at": when(moment),
        "uploaded_by_id": d.registered_by,
    }


# --- the change log ------------------------------------------------------------------------


def visibility_state(id, facts):
    """One of the shared, immutable visibility states the change log points at."""
    record, series, classification, distribution, released, distributed = facts
    return VisibilityState, {
        "id": id,
        "record": record,
        "series": series,
        "classification": classification,
        "distribution": distribution,
        "released": released,
        "distributed": distributed,
    }


def change(
    *, id, record, record_id, key, kind, scope, fields, was, now, link_was, link_now,
    link_level, position, at,
):  # fmt: skip
    """A row of the change log, as ``documents.services.changes`` appends it and the sequencer
    positions it after commit (every change of the story is committed: position = id)."""
    return Change, {
        "id": id,
        "record": record,
        "record_id": record_id,
        "key": key,
        "kind": kind,
        "scope": scope,
        "fields": fields,
        "was_id": was,
        "now_id": now,
        "link_was_id": link_was,
        "link_now_id": link_now,
        "link_level": link_level,
        "position": position,
        "changed_at": when(at),
    }


# --- meetings -----------------------------------------------------------------------------


def meeting(m):
    return meeting_at(m, m.updated)


def meeting_at(m, moment: float):
    return Meeting, {
        "id": m.id,
        "key": m.key,
        "body_id": m.body_id,
        "title": m.title,
        "starts_at": when(m.starts_at),
        "ends_at": when(m.ends_at),
        "place": m.place,
        "videoconference": m.videoconference,
        "status": m.status,
        "notice_id": m.notice_id,
        "outcome": m.outcome,
        "outcome_document_id": None,
        "created_at": when(m.created),
        "updated_at": when(moment),
    }


def agenda_item(i):
    return AgendaItem, {"id": i.id, "meeting_id": i.meeting_id, "order": i.order, "title": i.title}


def agenda_item_procedure(id, agenda_item_id, procedure_id):
    return AgendaItemProcedure, {
        "id": id,
        "agenda_item_id": agenda_item_id,
        "procedure_id": procedure_id,
    }


def agenda_item_document(id, agenda_item_id, document_id):
    return AgendaItemDocument, {
        "id": id,
        "agenda_item_id": agenda_item_id,
        "document_id": document_id,
    }


# --- reminders ---------------------------------------------------------------------------


def lead_time(id, rule, days):
    return LeadTime, {"id": id, "rule": rule, "days": days}


def subscription(s):
    """As ``subscription_follow`` stores it: one target of its kind, an opaque key."""
    return Subscription, {
        "id": s.id,
        "user_id": s.user_id,
        "key": s.key,
        "kind": s.kind,
        "procedure_id": s.procedure_id,
        "body_id": s.body_id,
        "subject_code_id": s.subject_code_id,
        "filter_query": s.filter_query,
        "created_at": when(s.created),
        "cancelled_at": None,
    }


def release_review(id, document_id, kept_by, at):
    return ReleaseReview, {
        "id": id,
        "document_id": document_id,
        "reason": "An exception of Article 4 of Regulation (EC) No 1049/2001 still applies.",
        "kept_by_id": kept_by,
        "kept_at": when(at),
    }


def reminder_opt_out(id, user_id, rule, at):
    return ReminderOptOut, {"id": id, "user_id": user_id, "rule": rule, "created_at": when(at)}


# Tables in the order their rows may be loaded with foreign keys checked (parents first).
LOAD_ORDER = (
    User,
    Group,
    UserGroup,
    Delegation,
    UserProfile,
    APIToken,
    Body,
    SubjectCode,
    LeadTime,
    Procedure,
    Document,
    SubjectCodeNumber,
    Counter,
    ProcedureEvent,
    DocumentProcedure,
    DocumentBody,
    DocumentDistribution,
    DocumentSubjectCode,
    Citation,
    DocumentFile,
    VisibilityState,
    Change,
    Meeting,
    AgendaItem,
    AgendaItemProcedure,
    AgendaItemDocument,
    Subscription,
    ReleaseReview,
    ReminderOptOut,
)
