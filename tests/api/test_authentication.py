"""A caller who tried to authenticate is told what is expected, never served as anonymous.

Refusals are throttled per client address like anonymous requests, and calendar keys of the
wrong shape (a NUL byte included) are simply not found.
"""

import base64
import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import APIToken
from api.services import token_issue, token_revoke
from tests.factories import DocumentFactory, UserFactory

EXPECTED = "expected 'Authorization: Token <key>'"


@pytest.fixture
def issued(db):
    """A public document (what an anonymous caller would be shown) and a live key."""
    DocumentFactory(subject="Public agenda")
    return token_issue(user=UserFactory(username="be.mirror"), name="BE mirror")


def _expired(token: APIToken, key: str) -> str:
    APIToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    return f"Token {key}"


def _revoked(token: APIToken, key: str) -> str:
    token_revoke(token=token)
    return f"Token {key}"


# (what the caller sends, what the refusal says first)
HEADERS = {
    "bearer": (lambda token, key: f"Bearer {key}", "the Bearer authorization scheme"),
    "basic": (
        lambda token, key: "Basic " + base64.b64encode(b"be.mirror:secret").decode(),
        "the Basic authorization scheme",
    ),
    "bare key": (lambda token, key: key, "no authorization scheme"),
    "empty": (lambda token, key: "", "empty Authorization header"),
    "blank": (lambda token, key: "   ", "empty Authorization header"),
    "keyword only": (lambda token, key: "Token", "invalid token header"),
    "two keys": (lambda token, key: f"Token {key} {key}", "invalid token header"),
    "unknown key": (lambda token, key: "Token ctk_" + "A" * 43, "invalid token"),
    "NUL in key": (lambda token, key: f"Token {key[:20]}\x00{key[21:]}", "invalid token"),
    "non-ASCII key": (lambda token, key: f"Token {key[:-1]}é", "invalid token"),
    "expired": (_expired, "token expired"),
    "revoked": (_revoked, "token revoked"),
    "odd scheme": (lambda token, key: f"{'x' * 40}{{}} {key}", "the this authorization scheme"),
}


@pytest.mark.parametrize("case", HEADERS.values(), ids=HEADERS.keys())
@pytest.mark.parametrize(
    "path", ["/api/v1/documents/", "/api/v1/changes/", "/api/v1/procedures/", "/api/v1/calendar/"]
)
def test_an_authorization_header_that_is_not_a_live_token_answers_401(issued, case, path):
    """GIVEN a caller that sends an Authorization header other than ``Token <live key>``
    THEN the API answers 401 saying what it expects, and shows nothing of the anonymous view."""
    make_header, problem = case
    token, key = issued

    response = APIClient().get(path, HTTP_AUTHORIZATION=make_header(token, key))

    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert set(body) == {"status", "message"}
    assert body["status"] == 401
    assert body["message"].startswith(problem)
    assert body["message"].endswith(EXPECTED)


def test_a_live_token_and_no_header_at_all_still_work(issued):
    _token, key = issued
    client = APIClient()

    with_token = client.get("/api/v1/documents/", HTTP_AUTHORIZATION=f"Token {key}")
    lower_case = client.get("/api/v1/documents/", HTTP_AUTHORIZATION=f"token {key}")
    anonymous = client.get("/api/v1/documents/")

    assert [r.status_code for r in (with_token, lower_case, anonymous)] == [200, 200, 200]
    assert len(anonymous.json()["results"]) == 1


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "user": "3/minute", "anon": "3/minute"},
    }


@pytest.mark.usefixtures("three_a_minute")
def test_failed_authentications_are_throttled_per_address_like_anonymous_requests(issued):
    """GIVEN an anonymous rate of 3 a minute
    WHEN one address sends bad keys
    THEN the fourth answer is 429 with Retry-After, and that address's anonymous requests are
    refused too (one bucket), while another address and a live token are served."""
    _token, key = issued
    client = APIClient()
    bad = {"HTTP_AUTHORIZATION": "Token ctk_" + "B" * 43}

    statuses = [client.get("/api/v1/documents/", **bad).status_code for _ in range(3)]
    throttled = client.get("/api/v1/documents/", **bad)
    anonymous = client.get("/api/v1/documents/")
    elsewhere = client.get("/api/v1/documents/", REMOTE_ADDR="192.0.2.9", **bad)
    with_token = client.get("/api/v1/documents/", HTTP_AUTHORIZATION=f"Token {key}")

    assert statuses == [401, 401, 401]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled.json()["status"] == 429
    assert anonymous.status_code == 429
    assert elsewhere.status_code == 401
    assert with_token.status_code == 200


@pytest.mark.usefixtures("three_a_minute")
def test_anonymous_requests_and_failed_authentications_share_one_count(issued):
    client = APIClient()
    for _ in range(2):
        assert client.get("/api/v1/documents/").status_code == 200

    assert client.get("/api/v1/documents/", HTTP_AUTHORIZATION="Bearer x").status_code == 401
    assert client.get("/api/v1/documents/", HTTP_AUTHORIZATION="Bearer x").status_code == 429


# --- Calendar keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "%00",
        "ctk_%00",
        "ctk_AAAA%00AAA." + "0" * 40,
        "ctk_AAAAAAAA.%00" + "0" * 39,
        "ctk_AAAAAAAA." + "0" * 40 + "%00",
        "ctk_AAAAAAAA." + "0" * 40 + "%0A",
        "ctk_AAAAAAAA." + "G" * 40,
        "ctk_AAAAAAA." + "0" * 40,
        "%C3%A9",
        "ctk_AAAAAAAA." + "0" * 41,
    ],
)
@pytest.mark.django_db
def test_a_malformed_calendar_key_is_not_found_never_an_error(key):
    response = APIClient(raise_request_exception=False).get(f"/api/v1/calendar/{key}.ics")

    assert response.status_code == 404
