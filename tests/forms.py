"""Submit a page's form as a browser would: every field with the value the page shows.

``form_data(html)`` reads the first <form method="post"> of a page (inputs, checked boxes,
selected options, textareas), so a test can change a few fields and post the rest as the
admin rendered them, inlines and management forms included.
"""

import re
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.done = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and (attrs.get("method") or "").lower() == "post":
            if self.form_id is None or attrs.get("id") == self.form_id:
                self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option = attrs.get("value", "")
            if "selected" in attrs:
                self.data[self._select].append(self._option)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.data.setdefault(self._textarea, []).append(self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def form_data(html: str, form_id: str | None = None) -> dict:
    """{name: value or [values]} of the page's first POST form (or the one with ``form_id``)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {k: v[0] if len(v) == 1 else v for k, v in reader.data.items()}


def resubmit(client, url: str, **changes):
    """GET ``url``, change ``changes`` in its form (an admin change form, ``<model>_form``,
    rather than the admin's sign-out form), POST it back; returns the response."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    admin_form = re.search(r'<form[^>]*\bid="(\w+_form)"', html)
    data = form_data(html, admin_form.group(1) if admin_form else None)
    data.update(changes)
    return client.post(url, data)
