"""factory-boy factories. Documents are registered through the service, as clerks do."""

import datetime

import factory
from django.contrib.auth import get_user_model

from documents.models import (
    Body,
    BodyKind,
    Delegation,
    DelegationKind,
    Document,
    DocumentType,
    Procedure,
    SubjectCode,
    UserProfile,
)
from documents.services import document_register


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.eu")
    password = factory.django.Password("correct horse battery")


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile

    user = factory.SubFactory(UserFactory)


class SubjectCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubjectCode
        django_get_or_create = ("code",)

    code = factory.Iterator(["JAI", "ENFOPOL", "CRIMORG", "IXIM", "CODEC", "COPEN"])


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Working Party {n}")
    kind = BodyKind.WORKING_PARTY


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: "X" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    name = factory.LazyAttribute(lambda d: f"Delegation {d.code}")
    kind = DelegationKind.MEMBER_STATE


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    year = 2023
    number = factory.Sequence(lambda n: 100 + n)
    type = "COD"
    title = factory.Sequence(lambda n: f"Proposal for a Regulation number {n}")


class DocumentFactory(factory.Factory):
    """Registers a document through ``document_register`` (so numbers are allocated)."""

    class Meta:
        model = Document

    date = datetime.date(2024, 1, 17)
    document_type = DocumentType.NOTE
    originator = "Presidency"
    recipients = "Delegations"
    subject = factory.Sequence(lambda n: f"Subject of document {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return document_register(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("documents are registered, not built: use create()")
