"""The registry desk (Django admin). Every save goes through ``documents.services``."""

from django.contrib import admin

from documents.admin import (  # noqa: F401  (registers the model admins)
    audit,
    documents,
    registry,
    reminders,
)

admin.site.site_header = "Council document tracker: registry"
admin.site.site_title = "Registry"
admin.site.index_title = "Register"
# A registry deletes one record at a time, after seeing what points at it.
admin.site.disable_action("delete_selected")
