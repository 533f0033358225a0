"""Who follows what: the subscriptions behind each reminder. Reads only.

A document is followed through the procedures, bodies and subject codes it is linked to, or a
saved API filter that matches it (the API's own ``DocumentFilter``, run as the subscriber, so it
matches what the subscriber may read, as the API would answer them).
"""

from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from rest_framework.exceptions import ValidationError as ApiValidationError

from documents.models import (
    Document,
    DocumentBody,
    DocumentProcedure,
    DocumentSubjectCode,
    Subscription,
    SubscriptionKind,
)
from documents.models.reminders import MAX_FILTER_LENGTH

# Document links a subscription of each kind follows, and the column naming its target.
_LINKS = (
    (SubscriptionKind.PROCEDURE, DocumentProcedure, "procedure_id"),
    (SubscriptionKind.BODY, DocumentBody, "body_id"),
    (SubscriptionKind.SUBJECT_CODE, DocumentSubjectCode, "subject_code_id"),
)
# Parameters of the document list that only page or order it: nothing to follow.
_NOT_FILTERS = {"cursor", "page_size", "ordering", "format"}


def _first_message(detail) -> str:
    """``{"year": ["a year from ..."]}`` -> ``"year: a year from ..."``."""
    if isinstance(detail, dict):
        name, problems = next(iter(detail.items()))
        return f"{name}: {_first_message(problems)}"
    if isinstance(detail, list | tuple):
        return _first_message(detail[0]) if detail else "invalid"
    return str(detail)


def _filter_set(*, user, query: str, documents):
    from api.filters import DocumentFilter  # the API's parameters, exactly

    # The filters read only the caller (``request.user``) from the request.
    return DocumentFilter(
        data=QueryDict(query), queryset=documents, request=SimpleNamespace(user=user)
    )


def saved_filter_problem(*, user, query: str) -> str | None:
    """Why ``query`` is not a filter of ``/api/v1/documents/`` that ``user`` may save, or None.

    The same parameters and checks as the API: an unknown parameter, a bad value or a
    procedure, subject code, body or meeting that does not exist is refused, naming it.
    """
    if not query.strip():
        return "give the query string of a document search, e.g. procedure=2022/0155(COD)"
    if len(query) > MAX_FILTER_LENGTH:
        return f"longer than {MAX_FILTER_LENGTH} characters"
    parameters = QueryDict(query)
    if any(ord(c) < 32 for value in parameters.values() for c in value):
        return "control characters are not allowed"
    if not parameters:
        return "give at least one parameter"
    filter_set = _filter_set(user=user, query=query, documents=Document.objects.none())
    allowed = set(filter_set.base_filters)
    if unknown := sorted(set(parameters) - allowed):
        kind = "only pages or orders the list" if set(unknown) <= _NOT_FILTERS else "unknown"
        return f"{unknown[0]}: {kind}; filter by {', '.join(sorted(allowed))}"
    if not filter_set.is_valid():
        return _first_message(filter_set.errors)
    try:
        list(filter_set.qs)  # the filter methods check what their values name
    except ApiValidationError as error:
        return _first_message(error.detail)
    except DjangoValidationError as error:
        return error.messages[0]
    return None


def documents_matching_filter(*, user, query: str, document_ids: Iterable[int]) -> set[int]:
    """Those of ``document_ids`` the saved filter matches for ``user`` (none if it no longer
    validates, e.g. its procedure was deleted)."""
    filter_set = _filter_set(
        user=user, query=query, documents=Document.objects.filter(pk__in=list(document_ids))
    )
    try:
        if not filter_set.is_valid():
            return set()
        return set(filter_set.qs.values_list("pk", flat=True))
    except (ApiValidationError, DjangoValidationError):
        return set()


def followers_of_documents(
    document_ids: Iterable[int], *, users: Iterable | None = None
) -> dict[int, dict[int, list[Subscription]]]:
    """``{document id: {user id: [the active subscriptions through which they follow it]}}``."""
    ids = set(document_ids)
    found: dict[int, dict[int, list[Subscription]]] = defaultdict(lambda: defaultdict(list))
    if not ids:
        return found
    subscriptions = Subscription.objects.active().select_related(
        "user", "procedure", "body", "subject_code"
    )
    if users is not None:
        subscriptions = subscriptions.filter(user__in=list(users))
    for kind, model, column in _LINKS:
        linked: dict[int, set[int]] = defaultdict(set)
        for document_id, target in model.objects.filter(document_id__in=ids).values_list(
            "document_id", column
        ):
            linked[target].add(document_id)
        for subscription in subscriptions.filter(kind=kind, **{f"{column}__in": list(linked)}):
            for document_id in linked[getattr(subscription, column)]:
                found[document_id][subscription.user_id].append(subscription)
    for subscription in subscriptions.filter(kind=SubscriptionKind.FILTER):
        matched = documents_matching_filter(
            user=subscription.user, query=subscription.filter_query, document_ids=ids
        )
        for document_id in matched:
            found[document_id][subscription.user_id].append(subscription)
    return found


def subscriptions_following(*, user, document_ids: Iterable[int]) -> dict[int, list[Subscription]]:
    """``{document id: [user's active subscriptions that follow it]}``, followed ones only."""
    followers = followers_of_documents(document_ids, users=[user])
    return {
        document_id: by_user[user.pk]
        for document_id, by_user in followers.items()
        if by_user.get(user.pk)
    }


def body_followers(body_ids: Iterable[int]) -> dict[int, list[Subscription]]:
    """``{body id: [active subscriptions to it]}``."""
    found: dict[int, list[Subscription]] = defaultdict(list)
    subscriptions = Subscription.objects.active().filter(
        kind=SubscriptionKind.BODY, body_id__in=list(body_ids)
    )
    for subscription in subscriptions.select_related("user", "body"):
        found[subscription.body_id].append(subscription)
    return found
