"""The admin's change list, with Django's fix for ticket #37357 ahead of a Django release.

Remove once Django ships it (after 5.2.x): check that ?<field>__year=99999999999999999999
on a list with a date hierarchy redirects to ?e=1.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList as DjangoChangeList


class ChangeList(DjangoChangeList):
    """A date-hierarchy year out of range (?date__year=9999, or too big for a C long) is a
    bad lookup like any other (the admin redirects to ?e=1), not a server error: Django
    5.2 catches only the ValueError of building the first day, not the OverflowError, nor
    the ValueError of the day after the last year."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class ChangeListMixin:
    """For a ModelAdmin: use the ChangeList above."""

    def get_changelist(self, request, **kwargs):
        return ChangeList
