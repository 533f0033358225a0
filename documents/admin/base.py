"""What every model admin of the register shares."""

from documents.admin.forms import VisibleDocumentsForm


class ProtectedNamesHiddenMixin:
    """The delete page says that other records point at an object, not which: naming them
    could name a document the user may not see."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = [f"{len(protected)} other record(s) of the register point at it"]
        return deleted, counts, perms_needed, protected


class VisibleDocumentsAdminMixin:
    """Every document a form offers, validates or shows comes from the one visibility rule."""

    form = VisibleDocumentsForm

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type(self.form.__name__, (self.form,), {"request": request})
        return super().get_form(request, obj, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type(self.form.__name__, (self.form,), {"request": request})
        return super().get_formset(request, obj, **kwargs)


class RecordHistoryMixin:
    """Shows ``history_selector(obj, user=...)`` on the change page (newest first)."""

    history_selector = None
    change_form_template = "admin/documents/record_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        entries = type(self).history_selector(obj, user=request.user) if obj else []
        return super().change_view(
            request, object_id, form_url, {"history_entries": entries, **(extra_context or {})}
        )
