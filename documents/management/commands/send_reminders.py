import argparse
import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from documents.models import NotificationStatus
from documents.services.outbox import NOT_DUE, notifications_send_due
from documents.services.reminders import reminders_evaluate


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time such as 2024-01-10T08:00"
        ) from None
    if timezone.is_naive(moment):  # Brussels time, as every date of the register
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Evaluate every reminder rule once, here and now (the service beat's tick calls), and "
        "send every due e-mail. Running it twice for the same moment sends nothing more."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            type=_moment,
            help="evaluate the rules, and write the e-mails, as at this moment (Brussels time "
            "unless an offset is given), e.g. 2022-06-15T08:00; default: now. They are sent now.",
        )

    def handle(self, *args, now: datetime.datetime | None, **options) -> None:
        now = now or timezone.now()
        created = reminders_evaluate(now=now)
        sent = notifications_send_due(as_of=now)
        outcomes = ", ".join(
            f"{sent[status]} {label}"
            for status, label in [
                (NotificationStatus.SENT, "sent"),
                (NotificationStatus.SKIPPED, "skipped"),
                (NotificationStatus.PENDING, "to retry"),
                (NotificationStatus.FAILED, "failed"),
            ]
        )
        zone = timezone.get_current_timezone_name()
        self.stdout.write(
            f"Reminders at {timezone.localtime(now):%Y-%m-%d %H:%M} ({zone}): "
            f"{created} new notification(s); {outcomes}."
        )
        if sent[NOT_DUE]:
            self.stdout.write(f"{sent[NOT_DUE]} were being sent by a worker meanwhile.")
