"""API tokens: issued by a command, stored hashed, expiring, revoked in the admin, throttled."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection
from django.urls import reverse
from django.utils import timezone

from api.models import APIToken
from api.services import token_issue, token_revoke, user_has_live_token
from tests.factories import UserFactory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
WHOAMI = "/whoami/"
PRIVATE = "/private/"
token_views = pytest.mark.urls("tests.api.urls_for_tokens")


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def issue(username: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("issue_token", username, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def user(db):
    return UserFactory(username="be.mirror")


@pytest.fixture
def issued(user):
    """A live token of ``user`` and its key."""
    return token_issue(user=user, name="BE mirror")


# --- Issuing ----------------------------------------------------------------------------------


@token_views
def test_issue_token_prints_only_a_key_that_authenticates(client, user):
    out, err = issue("be.mirror", "--name", "BE mirror")

    key = out.strip()
    assert out == key + "\n"  # nothing else on stdout: it can be piped
    assert key.startswith("ctk_")
    assert len(key) >= 4 + 43  # the marker and 32 random bytes
    token = APIToken.objects.get(user=user)
    assert token.name == "BE mirror"
    assert token.expires_at is None
    assert token.prefix == key[:12]
    assert token.prefix in err
    assert "not stored" in err
    assert key not in err

    response = client.get(WHOAMI, **auth(key))

    assert response.status_code == 200
    assert response.json() == {"user": "be.mirror", "token": token.prefix}


def test_the_key_is_stored_only_as_its_sha256_digest(user):
    out, _err = issue("be.mirror")
    key = out.strip()

    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM api_apitoken t")
        rows = [row for (row,) in cursor.fetchall()]

    assert len(rows) == 1
    assert key not in rows[0]
    assert key.removeprefix("ctk_") not in rows[0]
    assert APIToken.objects.get().key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_issue_token_with_an_expiry(user):
    before = timezone.now()

    _out, err = issue("be.mirror", "--expires-in-days", "30")

    token = APIToken.objects.get(user=user)
    assert before + datetime.timedelta(days=30) <= token.expires_at
    assert token.expires_at <= timezone.now() + datetime.timedelta(days=30)
    assert "expires" in err


@pytest.mark.parametrize("days", ["0", "-1", "soon"])
def test_issue_token_refuses_an_expiry_that_is_not_a_positive_number_of_days(user, days):
    with pytest.raises(CommandError, match="expires-in-days"):
        issue("be.mirror", "--expires-in-days", days)

    assert not APIToken.objects.exists()


def test_issue_token_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        issue("ghost")


def test_issue_token_refuses_an_inactive_user(db):
    UserFactory(username="gone", is_active=False)

    with pytest.raises(CommandError, match="user 'gone' is inactive"):
        issue("gone")

    assert not APIToken.objects.exists()


def test_token_issue_refuses_an_expiry_in_the_past(user):
    with pytest.raises(ValidationError, match="future"):
        token_issue(user=user, expires_at=timezone.now() - datetime.timedelta(seconds=1))


def test_every_key_is_new(user):
    keys = {token_issue(user=user)[1] for _ in range(20)}

    assert len(keys) == 20
    assert APIToken.objects.filter(user=user).count() == 20


def test_the_database_refuses_a_key_hash_that_is_not_a_sha256_digest(issued):
    token, _key = issued

    with pytest.raises(IntegrityError, match="key_hash_sha256_hex"):
        APIToken.objects.filter(pk=token.pk).update(key_hash="my-secret-key")


# --- Authenticating ---------------------------------------------------------------------------


def error_message(response) -> str:
    """The message of an API error (DRF's "detail", or the project's "message")."""
    body = response.json()
    return body.get("message", body.get("detail"))


def assert_refused(response, problem: str) -> None:
    assert response.status_code == 401
    assert error_message(response) == f"{problem}; expected 'Authorization: Token <key>'"
    assert response["WWW-Authenticate"] == "Token"


@token_views
def test_a_revoked_token_is_refused(client, issued):
    token, key = issued
    token_revoke(token=token)

    assert_refused(client.get(WHOAMI, **auth(key)), "token revoked")


@token_views
def test_an_expired_token_is_refused(client, issued):
    token, key = issued
    APIToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert_refused(client.get(WHOAMI, **auth(key)), "token expired")


@token_views
def test_a_token_not_yet_expired_authenticates(client, user):
    token, key = token_issue(user=user, expires_at=timezone.now() + datetime.timedelta(hours=1))

    assert client.get(WHOAMI, **auth(key)).json()["token"] == token.prefix


@token_views
@pytest.mark.parametrize("key", ["garbage", "ctk_" + "A" * 43])
def test_an_unknown_key_is_refused(client, issued, key):
    assert_refused(client.get(WHOAMI, **auth(key)), "invalid token")


@token_views
def test_a_key_that_differs_in_one_character_is_refused(client, issued):
    _token, key = issued
    altered = key[:-1] + ("A" if key[-1] != "A" else "B")

    assert_refused(client.get(WHOAMI, **auth(altered)), "invalid token")


@token_views
@pytest.mark.parametrize("header", ["Token", "Token a b"])
def test_a_malformed_token_header_is_refused(client, db, header):
    response = client.get(WHOAMI, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert error_message(response).startswith("invalid token header")


@token_views
def test_the_token_of_an_inactive_user_is_refused(client, user, issued):
    _token, key = issued
    user.is_active = False
    user.save()

    assert_refused(client.get(WHOAMI, **auth(key)), "user inactive")


@token_views
def test_another_authorization_scheme_is_refused_not_taken_as_anonymous(client, issued):
    _token, key = issued

    response = client.get(WHOAMI, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert_refused(response, "the Bearer authorization scheme is not accepted")


@token_views
def test_a_view_that_needs_a_user_asks_for_a_token(client, db):
    response = client.get(PRIVATE, HTTP_AUTHORIZATION="Bearer x")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@token_views
def test_a_session_still_authenticates(client, user):
    client.force_login(user, backend=MODEL_BACKEND)

    assert client.get(PRIVATE).json() == {"user": "be.mirror", "token": None}


@token_views
def test_last_used_is_written_at_most_once_a_minute(client, issued):
    token, key = issued
    assert token.last_used_at is None

    client.get(WHOAMI, **auth(key))
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    assert timezone.now() - first_use < datetime.timedelta(seconds=10)

    client.get(WHOAMI, **auth(key))
    token.refresh_from_db()
    assert token.last_used_at == first_use

    two_minutes_ago = timezone.now() - datetime.timedelta(minutes=2)
    APIToken.objects.filter(pk=token.pk).update(last_used_at=two_minutes_ago)
    client.get(WHOAMI, **auth(key))
    token.refresh_from_db()
    assert token.last_used_at > two_minutes_ago + datetime.timedelta(minutes=1)


# --- Throttling -------------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "user": "3/minute", "anon": "3/minute"},
    }


@token_views
@pytest.mark.usefixtures("three_a_minute")
def test_a_token_over_its_rate_gets_429_with_retry_after_and_others_do_not(client, user):
    _first, first_key = token_issue(user=user, name="first")
    _second, second_key = token_issue(user=user, name="second")

    statuses = [client.get(WHOAMI, **auth(first_key)).status_code for _ in range(3)]
    throttled = client.get(WHOAMI, **auth(first_key))

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    # Another token of the same user counts on its own.
    assert [client.get(WHOAMI, **auth(second_key)).status_code for _ in range(3)] == [200] * 3
    assert client.get(WHOAMI, **auth(second_key)).status_code == 429


@token_views
@pytest.mark.usefixtures("three_a_minute")
def test_anonymous_requests_are_throttled_per_address(client, db):
    statuses = [client.get(WHOAMI).status_code for _ in range(4)]
    elsewhere = client.get(WHOAMI, REMOTE_ADDR="192.0.2.7")

    assert statuses == [200, 200, 200, 429]
    assert elsewhere.status_code == 200


@token_views
@pytest.mark.usefixtures("three_a_minute")
def test_a_forged_forwarded_for_header_does_not_escape_the_anonymous_limit(client, db):
    statuses = [
        client.get(WHOAMI, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


@token_views
@pytest.mark.usefixtures("three_a_minute")
def test_anonymous_requests_do_not_use_up_a_token(client, issued):
    _token, key = issued
    for _ in range(3):
        client.get(WHOAMI)

    assert client.get(WHOAMI).status_code == 429
    assert client.get(WHOAMI, **auth(key)).status_code == 200


@token_views
def test_the_default_rates_let_ordinary_use_through(client, issued):
    _token, key = issued

    assert {client.get(WHOAMI, **auth(key)).status_code for _ in range(20)} == {200}


# --- Live tokens (the calendar URL depends on them) -------------------------------------------


def test_user_has_live_token(user):
    assert not user_has_live_token(user)

    token, _key = token_issue(user=user)
    assert user_has_live_token(user)

    token_revoke(token=token)
    assert not user_has_live_token(user)


def test_an_expired_token_is_not_live(user, issued):
    token, _key = issued
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    token.refresh_from_db()

    assert not token.is_live
    assert token.state == "expired"
    assert not user_has_live_token(user)
    assert not APIToken.objects.live().exists()


def test_an_inactive_user_has_no_live_token(user, issued):
    user.is_active = False
    user.save()

    assert not user_has_live_token(user)


def test_another_users_token_does_not_count(user, issued):
    assert not user_has_live_token(UserFactory())


def test_revoking_twice_keeps_the_first_revocation(issued):
    token, _key = issued
    first = token_revoke(token=token).revoked_at

    assert token_revoke(token=token).revoked_at == first
    assert token.state == "revoked"


# --- Admin ------------------------------------------------------------------------------------

CHANGELIST = reverse("admin:api_apitoken_changelist")


def change_url(token: APIToken) -> str:
    return reverse("admin:api_apitoken_change", args=[token.pk])


@pytest.fixture
def superuser_client(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin, backend=MODEL_BACKEND)
    return client


def staff_client(client, *codenames: str):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="api", codename__in=codenames)
    )
    client.force_login(staff, backend=MODEL_BACKEND)
    return client


def test_superuser_revokes_selected_tokens(superuser_client, user):
    first, _ = token_issue(user=user, name="first")
    second, _ = token_issue(user=user, name="second")
    kept, _ = token_issue(user=user, name="kept")

    response = superuser_client.post(
        CHANGELIST,
        {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 token(s) revoked." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    kept.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is not None
    assert kept.revoked_at is None
    assert user_has_live_token(user)


def test_the_changelist_shows_tokens_and_their_state_but_never_the_digest(superuser_client, issued):
    token, key = issued
    token_issue(user=token.user, name="other")
    token_revoke(token=token)

    page = superuser_client.get(CHANGELIST).content.decode()
    live_only = superuser_client.get(CHANGELIST, {"state": "live"}).content.decode()

    assert token.prefix in page
    assert "revoked" in page
    assert "live" in page
    assert token.key_hash not in page
    assert key not in page
    assert token.prefix not in live_only


def test_the_revoke_button_on_the_change_page(superuser_client, issued):
    token, _key = issued
    page = superuser_client.get(change_url(token)).content.decode()
    assert 'name="_revoke"' in page
    assert token.key_hash not in page
    assert 'name="_save"' not in page

    response = superuser_client.post(change_url(token), {"_revoke": "1"})

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert 'name="_revoke"' not in superuser_client.get(change_url(token)).content.decode()


def test_tokens_are_neither_added_nor_deleted_in_the_admin(superuser_client, issued):
    token, _key = issued

    delete = reverse("admin:api_apitoken_delete", args=[token.pk])

    assert superuser_client.get(reverse("admin:api_apitoken_add")).status_code == 403
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in superuser_client.get(CHANGELIST).content.decode()
    superuser_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [token.pk]})
    assert APIToken.objects.filter(pk=token.pk).exists()


def test_staff_who_may_change_tokens_revoke_them(client, issued):
    token, _key = issued
    staff_client(client, "view_apitoken", "change_apitoken")

    assert "revoke_selected" in client.get(CHANGELIST).content.decode()
    client.post(change_url(token), {"_revoke": "1"})

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_staff_who_may_only_view_tokens_cannot_revoke_them(client, issued):
    token, _key = issued
    staff_client(client, "view_apitoken")

    assert client.get(CHANGELIST).status_code == 200
    assert "revoke_selected" not in client.get(CHANGELIST).content.decode()
    assert 'name="_revoke"' not in client.get(change_url(token)).content.decode()
    assert client.post(change_url(token), {"_revoke": "1"}).status_code == 403
    client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is None


def test_staff_without_token_permissions_do_not_see_tokens(client, issued):
    staff_client(client)

    assert client.get(CHANGELIST).status_code == 403
