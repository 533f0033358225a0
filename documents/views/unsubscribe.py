"""One-click unsubscribe (RFC 8058), without logging in: the signed token is the proof.

A POST unsubscribes (what mail clients send for ``List-Unsubscribe-Post``); a GET only shows
what would stop, with a button, because mail scanners follow links.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from documents.services.subscriptions import unsubscribe_apply, unsubscribe_read

TEMPLATE = "reminders/unsubscribe.html"


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    def get(self, request, token: str):
        try:
            what = unsubscribe_read(token)
        except ValidationError:
            return render(request, TEMPLATE, {"invalid": True}, status=400)
        return render(request, TEMPLATE, {"what": what.describe(), "done": False})

    def post(self, request, token: str):
        try:
            what = unsubscribe_apply(token=token)
        except ValidationError:
            return render(request, TEMPLATE, {"invalid": True}, status=400)
        return render(request, TEMPLATE, {"what": what.describe(), "done": True})
