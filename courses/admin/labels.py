"""Names for the admin's inputs that have no label of their own (WCAG 1.3.1, 4.1.2).

A tabular row (an inline, a list-editable change list, a grid of scores) shows each
column's name once, in its header, so a screen reader meets "edit text" with no name;
a date-and-time field has one label for its two boxes. Each such input gets an
``aria-label`` that says what it is and whose row it is: "Points, Alice Archer".
"""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime

SPLIT_PARTS = ("date", "time")


def label_widget(widget: forms.Widget, text: str) -> None:
    if isinstance(widget, forms.MultiWidget):
        parts = SPLIT_PARTS if isinstance(widget, AdminSplitDateTime) else None
        for index, sub in enumerate(widget.widgets):
            part = parts[index] if parts else f"part {index + 1}"
            sub.attrs["aria-label"] = f"{text} ({part})"
    elif not widget.is_hidden:
        widget.attrs["aria-label"] = text


def row_name(form, index) -> str:
    instance = getattr(form, "instance", None)
    if instance is not None and instance.pk is not None:
        return str(instance)
    initial = getattr(form, "initial", None) or {}
    if initial.get("name"):
        return str(initial["name"])
    return "new row" if index is None else f"row {index + 1}"


def labelled_formset(formset_class, row_of=row_name):
    """``formset_class`` whose every visible input is named after its column and its row
    (``row_of(form, index)``; by default the row's object)."""

    class Labelled(formset_class):
        def add_fields(self, form, index):
            super().add_fields(form, index)
            row = row_of(form, index)
            for name, field in form.fields.items():
                column = field.label or name.replace("_", " ").capitalize()
                if name == "DELETE":
                    column = "Delete"
                label_widget(getattr(field.widget, "widget", field.widget), f"{column}, {row}")

    Labelled.__name__ = Labelled.__qualname__ = formset_class.__name__
    return Labelled


class LabelledInputsMixin:
    """For ModelAdmins and inlines: labelled rows, and both boxes of every date-and-time
    field named."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            label_widget(formfield.widget, str(formfield.label or db_field.verbose_name))
        return formfield

    def get_formset(self, request, obj=None, **kwargs):  # inlines
        return labelled_formset(super().get_formset(request, obj, **kwargs))

    def get_changelist_formset(self, request, **kwargs):  # list_editable
        return labelled_formset(super().get_changelist_formset(request, **kwargs))
