"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

The outside world of the reminders: tests send to it through Django's SMTP backend (or a
Celery worker does), stop it to play an outage, make it refuse a recipient, or hold a
message half-way to kill the sender at that moment.
"""

import email
import email.policy
import logging
import socket
import threading

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received; ``refuse`` addresses get ``550``; with ``hold_at`` = n, the
    n-th transaction (from 1) waits at MAIL FROM until ``release()`` (``holding`` is set)."""

    def __init__(self, *, port: int | None = None, refuse: set[str] = frozenset()) -> None:
        self.port = port or free_port()
        self.refuse = set(refuse)
        self.messages: list[email.message.EmailMessage] = []
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self._released = threading.Event()
        self._transactions = 0
        self._controller: Controller | None = None

    # --- aiosmtpd handler hooks --------------------------------------------------------------

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self._transactions += 1
        if self.hold_at == self._transactions:
            self.holding.set()
            while not self._released.is_set():  # the test kills the client meanwhile
                await server.loop.run_in_executor(None, self._released.wait, 0.2)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    # --- control ------------------------------------------------------------------------------

    def start(self) -> "Inbox":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self.release()
            self._controller.stop()
            self._controller = None

    def release(self) -> None:
        self._released.set()

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def smtp_settings(settings, port: int) -> None:
    """Point Django's mail at the loopback server (SMTP, plain, short timeout)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
