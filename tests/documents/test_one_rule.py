""" "Public" is decided in one place: documents/querysets.py (DOMAIN.md, "Who may see what").

A second opinion anywhere else (a model property, a serializer, the admin, an e-mail) drifts
from the rule: it once called a WK document without a marking public while the public got a
404. These tests read the source for the ways such an opinion is written, and check the
answers of the doors that say "public" against the plain statement of the rule.
"""

import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from documents.models import Distribution, UserProfile
from tests import oracle
from tests.factories import DelegationFactory, DocumentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
THE_RULE = ROOT / "documents" / "querysets.py"
# What writes a decision of publicness: the public register's series, a property or method
# named like it, a test of the PUBLIC distribution or of a release in a query or a comparison.
DECIDING = [
    r"PUBLIC_REGISTER_SERIES",
    r"\bis_public\b",
    r"[=!]=\s*Distribution\.PUBLIC",
    r"distribution=Distribution\.PUBLIC\s*\)",
    r"\bQ\([^)]*distribution=Distribution\.PUBLIC",
    r"released_at__isnull\s*=\s*False",
]
# Where one of them may appear for another reason, and why.
ALLOWED = {
    ("documents/models/choices.py", r"PUBLIC_REGISTER_SERIES"): "where the fact is defined",
    ("documents/models/documents.py", r"released_at__isnull\s*=\s*False"):
        "the CHECK that a release is complete (integrity, not visibility)",
}  # fmt: skip


def _sources():
    for folder in ("documents", "api", "tracker"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts and path != THE_RULE:
                yield path


@pytest.mark.parametrize("pattern", DECIDING)
def test_no_module_but_the_rule_decides_what_is_public(pattern):
    found = []
    for path in _sources():
        relative = str(path.relative_to(ROOT))
        if (relative, pattern) in ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if re.search(pattern, line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == [], "decide 'public' in documents/querysets.py only:\n" + "\n".join(found)


def test_the_grep_finds_a_second_opinion():
    """The patterns above catch the second opinion this test was written against."""
    old = (
        "    @property\n    def is_public(self) -> bool:\n"
        "        return self.distribution == Distribution.PUBLIC\n"
    )
    assert any(re.search(pattern, old) for pattern in DECIDING)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("series", "distribution"),
    [("WK", Distribution.PUBLIC), ("WK", Distribution.LIMITE), ("ST", Distribution.PUBLIC),
     ("ST", Distribution.LIMITE), ("DS", Distribution.LIMITE), ("PE-CONS", Distribution.PUBLIC)],
)  # fmt: skip
def test_public_in_a_representation_is_what_the_public_may_read(series, distribution):
    """GIVEN a document WHEN a delegate reads it THEN ``public`` says exactly whether an
    anonymous caller may read it in full (the WK document without a marking is not public)."""
    document = DocumentFactory(series=series, distribution=distribution)
    user = UserFactory()
    UserProfile.objects.create(user=user, delegation=DelegationFactory(code="BE"))
    client = APIClient()
    client.force_authenticate(user)

    shown = client.get(f"/api/v1/documents/{document.slug}/").json()
    anonymous = APIClient().get(f"/api/v1/documents/{document.slug}/")

    expected = oracle.is_public(document)
    assert shown["public"] is expected
    assert (anonymous.status_code == 200 and "originator" in anonymous.json()) is expected
