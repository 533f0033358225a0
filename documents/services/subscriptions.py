"""Following things, and stopping: subscriptions, one-click unsubscribe, opt-outs, and the
supervisors' decision to keep a LIMITE document after its act was adopted."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.models import (
    Body,
    Distribution,
    Document,
    Procedure,
    ReleaseReview,
    ReminderOptOut,
    ReminderRule,
    SubjectCode,
    Subscription,
    SubscriptionKind,
)
from documents.models.reminders import SUBSCRIPTION_TARGETS
from documents.references import InvalidReference, parse_procedure_reference
from documents.services.subject_codes import parse_subject_code_label

_UNSUBSCRIBE_SALT = "documents.reminders.unsubscribe"
RELEASE_PERMISSION = "documents.release_document"


def _procedure(value: str | Procedure) -> Procedure:
    if isinstance(value, Procedure):
        return value
    try:
        canonical = parse_procedure_reference(value).canonical
    except InvalidReference as error:
        raise ValidationError({"procedure": str(error)}) from error
    found = Procedure.objects.filter(reference=canonical).first()
    if found is None:
        raise ValidationError({"procedure": f"procedure {canonical} is not registered"})
    return found


def _body(value: str | Body) -> Body:
    if isinstance(value, Body):
        return value
    found = Body.objects.filter(slug=value).first()
    if found is None:
        raise ValidationError({"body": f"no body {value!r}: give its slug, e.g. lewp-police"})
    return found


def _subject_code(value: str | SubjectCode) -> SubjectCode:
    if isinstance(value, SubjectCode):
        return value
    try:
        label = parse_subject_code_label(value)
    except ValidationError as error:
        raise ValidationError({"subject_code": error.messages}) from error
    found = SubjectCode.objects.filter(code=label.code).first()
    if found is None:
        raise ValidationError({"subject_code": f"unknown subject code {label.code}"})
    return found


def subscription_target_resolve(
    *,
    user: AbstractBaseUser,
    procedure: str | Procedure | None = None,
    body: str | Body | None = None,
    subject_code: str | SubjectCode | None = None,
    filter_query: str | None = None,
) -> Subscription:
    """The (unsaved) subscription of ``user`` to the one target given, checked: refuses a
    target that does not exist or a filter the documents API would refuse, naming the field."""
    from documents.reminders.follows import saved_filter_problem

    given = {
        "procedure": procedure,
        "body": body,
        "subject_code": subject_code,
        "filter": filter_query,
    }
    given = {name: value for name, value in given.items() if value not in (None, "")}
    if len(given) != 1:
        names = ", ".join(sorted(given)) or "none"
        raise ValidationError(
            {"target": f"give exactly one of procedure, body, subject_code, filter (got {names})"}
        )
    subscription = Subscription(user=user)
    if procedure not in (None, ""):
        subscription.kind = SubscriptionKind.PROCEDURE
        subscription.procedure = _procedure(procedure)
    elif body not in (None, ""):
        subscription.kind, subscription.body = SubscriptionKind.BODY, _body(body)
    elif subject_code not in (None, ""):
        subscription.kind = SubscriptionKind.SUBJECT_CODE
        subscription.subject_code = _subject_code(subject_code)
    else:
        query = filter_query.strip().lstrip("?")
        if problem := saved_filter_problem(user=user, query=query):
            raise ValidationError({"filter": problem})
        subscription.kind, subscription.filter_query = SubscriptionKind.FILTER, query
    return subscription


@transaction.atomic
def subscription_create(
    *,
    user: AbstractBaseUser,
    procedure: str | Procedure | None = None,
    body: str | Body | None = None,
    subject_code: str | SubjectCode | None = None,
    filter_query: str | None = None,
) -> Subscription:
    """``user`` follows a procedure (any spelling of its reference), a body, a subject code or
    a saved filter of ``/api/v1/documents/`` (its query string). Exactly one is given.

    Refused, naming the field: a target that does not exist, a filter the API would refuse, a
    target the user already follows.
    """
    subscription = subscription_target_resolve(
        user=user, procedure=procedure, body=body, subject_code=subject_code,
        filter_query=filter_query,
    )  # fmt: skip
    target = SUBSCRIPTION_TARGETS[subscription.kind]
    field = {"filter_query": "filter"}.get(target, target)
    already = Subscription.objects.filter(
        user=user, kind=subscription.kind, cancelled_at__isnull=True,
        **{target: getattr(subscription, target)},
    )  # fmt: skip
    if already.exists():
        raise ValidationError({field: f"you already follow {subscription.target_label}"})
    subscription.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError as error:  # the same follow, created by a concurrent request
        raise ValidationError({field: f"you already follow {subscription.target_label}"}) from error
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription: Subscription) -> Subscription:
    """Stop following: no reminder is sent for it any more, even one already in the outbox.
    Cancelling twice changes nothing."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.cancelled_at is None:
        subscription.cancelled_at = timezone.now()
        subscription.save(update_fields=["cancelled_at"])
    return subscription


# --- One-click unsubscribe (RFC 8058) ---------------------------------------------------------


def unsubscribe_token(*, user_id: int, rule: str, subscription_ids: list[int]) -> str:
    """A signed token for the unsubscribe URL of an e-mail: it stops the subscriptions the
    e-mail was sent for or, for a rule that follows none (digest, release review), that rule."""
    payload = {"u": user_id, "r": rule, "s": sorted(subscription_ids)}
    return signing.dumps(payload, salt=_UNSUBSCRIBE_SALT, compress=True)


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe token stops."""

    user: AbstractBaseUser
    rule: str
    subscriptions: list[Subscription]

    @property
    def opts_out(self) -> bool:
        """True: the token stops a rule (digest, release review), not subscriptions."""
        return not self.subscriptions and self.rule in (
            ReminderRule.DIGEST,
            ReminderRule.RELEASE_REVIEW,
        )

    def describe(self) -> list[str]:
        if self.opts_out:
            return [f"the {ReminderRule(self.rule).label.lower()} e-mails"]
        return [f"following {s.target_label}" for s in self.subscriptions]


def unsubscribe_read(token: str) -> Unsubscribe:
    """What ``token`` stops; a token that is not ours is refused."""
    try:
        payload = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user = get_user_model().objects.get(pk=payload["u"])
        rule = ReminderRule(payload["r"])
        ids = [int(pk) for pk in payload["s"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError, get_user_model().DoesNotExist):
        raise ValidationError({"token": "this unsubscribe link is not valid"}) from None
    subscriptions = Subscription.objects.filter(user=user, pk__in=ids).select_related(
        "procedure", "body", "subject_code"
    )
    return Unsubscribe(user=user, rule=rule, subscriptions=list(subscriptions))


@transaction.atomic
def unsubscribe_apply(*, token: str) -> Unsubscribe:
    """Unsubscribe as the token says (no login: the signature is the proof). Idempotent."""
    request = unsubscribe_read(token)
    for subscription in request.subscriptions:
        subscription_cancel(subscription=subscription)
    if request.opts_out:
        reminder_opt_out(user=request.user, rule=request.rule)
    return request


@transaction.atomic
def reminder_opt_out(*, user: AbstractBaseUser, rule: str) -> ReminderOptOut:
    """No more e-mails of ``rule`` (the digest, or the release review) for ``user``."""
    opt_out = ReminderOptOut.objects.filter(user=user, rule=rule).first()
    if opt_out is not None:
        return opt_out
    opt_out = ReminderOptOut(user=user, rule=rule)
    opt_out.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            opt_out.save()
    except IntegrityError:  # made by a concurrent click
        return ReminderOptOut.objects.get(user=user, rule=rule)
    return opt_out


# --- LIMITE release review --------------------------------------------------------------------


@transaction.atomic
def release_review_keep(
    *, document: Document, reason: str, kept_by: AbstractBaseUser
) -> ReleaseReview:
    """Record that a supervisor keeps a LIMITE document unreleased, and why: the weekly release
    review stops naming it. Refused for a document that is not LIMITE or released already."""
    if not kept_by.has_perm(RELEASE_PERMISSION):
        raise PermissionDenied("only a registry supervisor decides on releases")
    document = Document.objects.select_for_update(no_key=True).get(pk=document.pk)
    if not reason.strip():
        raise ValidationError({"reason": "say why the document stays LIMITE"})
    if document.distribution != Distribution.LIMITE or document.released_at is not None:
        raise ValidationError({"document": f"{document} is public: there is nothing to keep"})
    if ReleaseReview.objects.filter(document=document).exists():
        raise ValidationError({"document": f"{document} is kept LIMITE already"})
    review = ReleaseReview(document=document, reason=reason.strip(), kept_by=kept_by)
    review.full_clean(validate_constraints=False)
    review.save()
    return review
