"""Template helpers of the reminder e-mails: absolute links back to the site."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def absolute_url(viewname: str, *args, **kwargs) -> str:
    """``reverse()``, on ``SITE_URL``: e-mails need whole URLs."""
    return f"{settings.SITE_URL}{reverse(viewname, args=args, kwargs=kwargs)}"
