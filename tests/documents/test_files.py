"""Language files: hashed on the way in, refused where the register keeps no text."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from documents.models import Classification, DocumentFile
from documents.services import document_file_add
from tests.factories import DocumentFactory


@pytest.mark.django_db
def test_file_is_stored_with_its_digest_size_and_type():
    document = DocumentFactory(reference="5397/24")
    content = b"%PDF-1.7 the note" * 1000

    stored = document_file_add(
        document=document, language="fr", upload=ContentFile(content, name="Scan 001.PDF")
    )

    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert stored.media_type == "application/pdf"
    assert stored.file.name == "documents/2024/st-5397-2024-init/st-5397-2024-init-fr.pdf"
    assert stored.file.read() == content


@pytest.mark.parametrize(
    ("classification", "name", "size_limit", "field", "message"),
    [
        (Classification.RESTREINT_UE, "a.pdf", None, "file", "is classified"),
        (Classification.UNCLASSIFIED, "a.exe", None, "file", "is not allowed"),
        (Classification.UNCLASSIFIED, "a.html", None, "file", "is not allowed"),
        (Classification.UNCLASSIFIED, "a.pdf", 10, "file", "the limit is 10"),
    ],
)
@pytest.mark.django_db
def test_refused_files_leave_nothing_behind(
    settings, classification, name, size_limit, field, message
):
    if size_limit:
        settings.DOCUMENT_FILE_MAX_BYTES = size_limit
    document = DocumentFactory(classification=classification)

    with pytest.raises(ValidationError) as raised:
        document_file_add(
            document=document, language="en", upload=ContentFile(b"x" * 11, name=name)
        )

    assert message in raised.value.message_dict[field][0]
    assert not DocumentFile.objects.exists()
    assert not (settings.MEDIA_ROOT / "documents").exists()


@pytest.mark.django_db
def test_one_file_per_language():
    document = DocumentFactory()
    document_file_add(document=document, language="en", upload=ContentFile(b"a", name="a.txt"))

    with pytest.raises(ValidationError, match="already has a file in en"):
        document_file_add(document=document, language="en", upload=ContentFile(b"b", name="b.txt"))
