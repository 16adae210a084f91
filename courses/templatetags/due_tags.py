from django import template

from courses.timing import humanize_delta

register = template.Library()


@register.filter
def countdown(due, now):
    """'in 2 d 3 h' or '5 h 10 min ago': the server's first rendering of a countdown
    (seminar/site.js keeps it fresh with the same wording)."""
    if due is None or now is None:
        return ""
    if due >= now:
        return f"in {humanize_delta(due - now)}"
    return f"{humanize_delta(now - due)} ago"


@register.filter
def lateness(delta):
    """'2 h 15 min' for a submission's lateness."""
    return "" if delta is None else humanize_delta(delta)
