"""Reminder e-mails: plain text and HTML from Django templates, with RFC 8058 one-click
unsubscribe and a stable Message-ID."""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from documents.models import Notification
from documents.reminders.content import Notice
from documents.services.subscriptions import unsubscribe_token


def unsubscribe_url(notification: Notification, notice: Notice) -> str:
    token = unsubscribe_token(
        user_id=notification.recipient_id,
        rule=notification.rule,
        subscription_ids=notice.subscriptions,
    )
    return f"{settings.SITE_URL}{reverse('reminders:unsubscribe', args=[token])}"


def message_id(notification: Notification) -> str:
    """The same for every attempt at one notification: a copy sent again in the window between
    SMTP accepting it and the outbox recording it carries the same Message-ID, which lets mail
    systems recognise it as a duplicate."""
    key = f"{notification.rule}|{notification.object_id}|{notification.occurrence}"
    digest = hashlib.sha256(f"{key}|{notification.recipient_id}".encode()).hexdigest()[:16]
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}-{digest}@{host}>"


def email_build(*, notification: Notification, notice: Notice) -> EmailMultiAlternatives:
    """The e-mail of ``notice`` to the notification's recipient, both parts rendered."""
    url = unsubscribe_url(notification, notice)
    context = {
        **notice.context,
        "recipient": notification.recipient,
        "why": notice.why,
        "unsubscribe_url": url,
        "subject": notice.subject,
        "site_url": settings.SITE_URL,
    }
    text = render_to_string(f"{notice.template}.txt", context)
    html = render_to_string(f"{notice.template}.html", context)
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=text,
        to=[notification.recipient.email],
        headers={
            # RFC 8058: a POST to this URL unsubscribes, with no login and no confirmation.
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no out-of-office replies to these.
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(notification),
        },
    )
    message.attach_alternative(html, "text/html")
    return message
