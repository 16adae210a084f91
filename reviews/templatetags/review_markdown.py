"""Review answers as sanitised Markdown, and the lines around the review form.

``{{ text|markdown }}`` renders CommonMark with markdown-it-py, raw HTML off (a typed
``<script>`` comes out as text), then nh3 keeps only the tags a review needs: links
only to http, https and mailto, always ``rel="noopener noreferrer"``.
"""

import nh3
from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

from grading.models import ComponentSource, GradeComponent
from reviews.models import PeerVisibility

register = template.Library()

TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
TAGS |= {"h3", "h4", "h5", "h6"}
LINK_SCHEMES = ("http://", "https://", "mailto:")

# Single newlines stay line breaks, as review text showed before Markdown; images are
# not rendered (a review links to a figure, it does not embed one).
_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable("image")


def _demote_headings(state) -> None:
    """A review's "# Heading" sits under the page's own headings: h1 -> h3, h2 -> h4."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"


_md.core.ruler.push("demote_headings", _demote_headings)


def _keep_link(tag: str, attribute: str, value: str) -> str | None:
    # nh3's url_schemes lets relative links through; a review links only to the web or mail.
    if attribute == "href" and not value.strip().lower().startswith(LINK_SCHEMES):
        return None
    return value


def render_markdown(text) -> str:
    """Safe HTML for one answer; "" for no text."""
    if not text:
        return ""
    # nh3 quotes every attribute with ", so ' can be escaped everywhere, as Django's escape does.
    return nh3.clean(
        _md.render(str(text)),
        tags=TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_keep_link,
        strip_comments=True,
    ).replace("'", "&#x27;")


@register.filter(name="markdown")
def markdown_filter(text):
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 sanitised it


def audience(kind, reading) -> str:
    """Who reads a review of ``kind`` for ``reading`` and what it counts toward.

    Costs one query when the review feeds the bonus component."""
    if kind.peer_visibility == PeerVisibility.EVERYONE:
        peers = "every classmate too, without your name"
    elif kind.peer_visibility == PeerVisibility.SUBMITTED:
        peers = "classmates who submitted their own review of this reading too, without your name"
    else:
        peers = "not your classmates"
    seen = f"After the due time, the reading's presenters and the staff see this review; {peers}."
    if not reading.required and kind.counts_optional_as_bonus:
        bonus = GradeComponent.objects.filter(
            course_id=kind.course_id, source=ComponentSource.BONUS_REVIEWS
        ).first()
        counts = (
            f"It counts toward “{bonus.name}” (bonus)." if bonus else "It counts as bonus work."
        )
    elif kind.component_id:
        counts = f"It counts toward “{kind.component.name}”."
    else:
        counts = "It counts toward no grade component."
    return f"{seen} {counts}"


@register.simple_tag
def review_audience(kind, reading) -> str:
    return audience(kind, reading)
