"""``/livez``: the cheapest round trip through the server, with no database."""

import pytest


@pytest.mark.django_db
def test_livez_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_livez_only_answers_reads(client):
    assert client.post("/livez").status_code == 405
