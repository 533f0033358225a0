"""``/api/v1/subscriptions/``: delegation users follow procedures, bodies, subject codes and
saved document filters through the API; refusals are 400s naming the field."""

import pytest
from rest_framework.test import APIClient

from api.services import token_issue
from documents.models import DelegationKind, Subscription, UserProfile
from tests.factories import (
    BodyFactory,
    DelegationFactory,
    ProcedureFactory,
    SubjectCodeFactory,
    UserFactory,
)

URL = "/api/v1/subscriptions/"


@pytest.fixture
def things(db):
    return {
        "procedure": ProcedureFactory(year=2022, number=155),
        "body": BodyFactory(name="Law Enforcement Working Party (Police)"),
        "code": SubjectCodeFactory(code="ENFOPOL"),
    }


def client_of(user) -> APIClient:
    _token, key = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def delegate(db):
    user = UserFactory(username="delegate.be")
    UserProfile.objects.create(user=user, delegation=DelegationFactory(code="BE"))
    return user


@pytest.fixture
def api(delegate) -> APIClient:
    return client_of(delegate)


def test_follow_each_kind_list_and_stop(api, things, delegate):
    created = [
        api.post(URL, {"procedure": "2022/0155 (COD)"}, format="json"),
        api.post(URL, {"body": things["body"].slug}, format="json"),
        api.post(URL, {"subject_code": "enfopol"}, format="json"),
        api.post(URL, {"filter": "?series=WK&procedure=2022-0155-cod"}, format="json"),
    ]

    assert [r.status_code for r in created] == [201] * 4
    listed = api.get(URL).json()["results"]
    assert [s["follows"] for s in listed] == [
        "procedure 2022/0155(COD)",
        "body Law Enforcement Working Party (Police)",
        "subject code ENFOPOL",
        "the documents filter series=WK&procedure=2022-0155-cod",
    ]
    assert listed[0] | {"url": None, "created_at": None} == {
        "url": None, "key": listed[0]["key"], "kind": "procedure", "procedure": "2022/0155(COD)",
        "body": None, "subject_code": None, "filter": None,
        "follows": "procedure 2022/0155(COD)", "created_at": None,
    }  # fmt: skip
    assert listed[1]["body"] == things["body"].slug
    assert listed[3]["filter"] == "series=WK&procedure=2022-0155-cod"
    assert all("id" not in s for s in listed)  # an id would count other users' subscriptions

    assert api.delete(f"{URL}{listed[0]['key']}/").status_code == 204
    assert len(api.get(URL).json()["results"]) == 3
    assert Subscription.objects.get(key=listed[0]["key"]).cancelled_at is not None  # kept


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"procedure": "2099/0001(COD)"},
            "procedure",
            "procedure 2099/0001(COD) is not registered",
        ),
        ({"procedure": "not a procedure"}, "procedure", "not a procedure"),
        ({"body": "no-such-body"}, "body", "no body 'no-such-body'"),
        ({"subject_code": "NOPE"}, "subject_code", "unknown subject code NOPE"),
        ({"filter": "colour=red"}, "filter", "colour: unknown"),
        ({"filter": "cursor=abc"}, "filter", "cursor: only pages or orders the list"),
        ({"filter": "year=1800"}, "filter", "year: a year from 1952 to 2099"),
        ({"filter": "procedure=2099/0001(COD)"}, "filter", "procedure 2099/0001(COD) is not"),
        ({"filter": "body=999999"}, "filter", "body: no body '999999'"),
        ({"filter": ""}, "non_field_errors", "give exactly one of"),
        ({}, "non_field_errors", "give exactly one of"),
        ({"procedure": "2022/0155(COD)", "body": "x"}, "non_field_errors", "give exactly one of"),
    ],
)
def test_a_subscription_to_what_does_not_exist_is_a_400_naming_the_field(
    api, things, payload, field, message
):
    response = api.post(URL, payload, format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["fields"], body
    assert message in " ".join(body["fields"][field]), body
    assert not Subscription.objects.exists()


def test_following_a_thing_twice_is_refused(api, things):
    api.post(URL, {"procedure": "2022/0155(COD)"}, format="json")

    again = api.post(URL, {"procedure": "2022-0155-cod"}, format="json")

    assert again.status_code == 400
    assert again.json()["fields"]["procedure"] == ["you already follow procedure 2022/0155(COD)"]


def test_each_user_sees_and_stops_only_their_own(api, things):
    other = UserFactory(username="delegate.fr")
    theirs = client_of(other).post(URL, {"body": things["body"].slug}, format="json").json()

    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{theirs['key']}/").status_code == 404
    assert api.delete(f"{URL}{theirs['key']}/").status_code == 404
    assert Subscription.objects.get(key=theirs["key"]).cancelled_at is None


def test_anonymous_callers_may_not_subscribe(db, things):
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {"body": things["body"].slug}, format="json").status_code == 401


def test_an_observers_saved_filter_is_checked_as_the_observer(db, things):
    observer = UserFactory(username="observer.no")
    delegation = DelegationFactory(code="NO", kind=DelegationKind.OBSERVER)
    UserProfile.objects.create(user=observer, delegation=delegation)

    response = client_of(observer).post(URL, {"filter": "distribution=LIMITE"}, format="json")

    assert response.status_code == 201  # valid; it matches what the observer may read


def test_unknown_parameters_are_refused(api):
    response = api.get(URL, {"kind": "body"})

    assert response.status_code == 400
    assert "kind" in response.json()["fields"]
