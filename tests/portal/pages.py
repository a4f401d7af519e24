"""Reading the portal's HTML in tests with the standard library: headings, alerts, labels, ids,
the CSRF token and the main text, as a person (or the bot) would see them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
HIDDEN_CONTENT = {"script", "style", "template"}
CAPTURED_TAGS = {
    "h1",
    "h2",
    "h3",
    "label",
    "legend",
    "main",
    "caption",
    "li",
    "th",
    "td",
    "a",
    "button",
}
CAPTURED_ROLES = {"alert", "status", "tab", "option", "listbox"}


def normalize(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Open:
    tag: str
    kinds: list[str]
    buffer: list[str] = field(default_factory=list)
    hidden: bool = False


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.found: dict[str, list[str]] = {}
        self.ids: list[str] = []
        self.inputs: list[dict[str, str]] = []
        self.classes: set[str] = set()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        inside_hidden = any(o.hidden for o in self.stack)
        if not inside_hidden:
            self.tags.append((tag, values))
        if "id" in values:
            self.ids.append(values["id"])
        self.classes.update(values.get("class", "").split())
        if tag in ("input", "select", "textarea", "button") and not inside_hidden:
            self.inputs.append({"tag": tag, **values})
        if tag in VOID:
            return
        kinds = [tag] if tag in CAPTURED_TAGS and not inside_hidden else []
        if values.get("role") in CAPTURED_ROLES and not inside_hidden:
            kinds.append(values["role"])
        if tag == "th" and values.get("scope") == "col" and not inside_hidden:
            kinds.append("columnheader")
        in_main = any(o.tag == "main" for o in self.stack)
        if tag == "li" and "role" not in values and not inside_hidden and in_main:
            kinds.append("main-li")
        hidden = inside_hidden or tag in HIDDEN_CONTENT
        self.stack.append(_Open(tag, kinds, hidden=hidden))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(o.tag == tag for o in self.stack):
            return
        while self.stack:
            closed = self.stack.pop()
            for kind in closed.kinds:
                self.found.setdefault(kind, []).append(normalize("".join(closed.buffer)))
            if closed.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(o.hidden for o in self.stack):
            return
        for opened in self.stack:
            if opened.kinds:
                opened.buffer.append(data)


class Page:
    """One HTTP response from the portal, parsed."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code
        self.url = str(response.url)
        self.html = response.text
        parser = _Parser()
        parser.feed(self.html)
        parser.close()
        self._found = parser.found
        self.ids = parser.ids
        self.inputs = parser.inputs
        self.classes = parser.classes
        self.tags = parser.tags

    def all(self, kind: str) -> list[str]:
        return self._found.get(kind, [])

    def control_classes(self) -> set[str]:
        """Classes on form controls, their labels and fieldsets."""
        found: set[str] = set()
        for tag, attrs in self.tags:
            if tag in ("input", "select", "textarea", "button", "label", "fieldset", "form"):
                found.update(attrs.get("class", "").split())
        return found

    @property
    def h1(self) -> str:
        headings = self.all("h1")
        assert len(headings) == 1, f"expected one h1, found {headings}"
        return headings[0]

    @property
    def alerts(self) -> list[str]:
        return self.all("alert")

    @property
    def alert_text(self) -> str:
        return " ".join(self.alerts)

    @property
    def statuses(self) -> list[str]:
        return self.all("status")

    @property
    def labels(self) -> list[str]:
        return self.all("label")

    @property
    def text(self) -> str:
        mains = self.all("main")
        assert len(mains) == 1, "expected one <main>"
        return mains[0]

    @property
    def csrf(self) -> str:
        for control in self.inputs:
            if control.get("name") == "csrf_token":
                return control.get("value", "")
        raise AssertionError("no csrf_token on the page")

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    def value(self, name: str) -> str:
        for control in self.inputs:
            if control.get("name") == name and control["tag"] == "input":
                return control.get("value", "")
        raise AssertionError(f"no input named {name}")

    def reference_id(self) -> str:
        found = re.search(r"Reference #:\s*(\d{9})", self.text)
        assert found, "no reference id on the page"
        return found.group(1)

    def field_status(self) -> str:
        found = re.search(
            r"Status\s*:\s*(Approved|Pended|Denied|NoDecisionYet|Partially Approved)", self.text
        )
        assert found, "no status on the page"
        return found.group(1)

    def __repr__(self) -> str:
        return f"<Page {self.status_code} {self.url}>"


def button_names(page: Page) -> list[str]:
    """Accessible names of the buttons: aria-label, else the text or the submit value."""
    texts = iter(page.all("button"))
    names = []
    for tag, attrs in page.tags:
        if tag == "button":
            text = next(texts)
            names.append(attrs.get("aria-label") or text)
        elif tag == "input" and attrs.get("type") in ("submit", "button"):
            names.append(attrs.get("aria-label") or attrs.get("value", ""))
    return names
