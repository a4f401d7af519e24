"""The documentation check before submission: what a request of each category should carry, from
seed 000's "Critical Documentation Elements for CareSource PA" (the table is
``fixtures/documentation.json``, docs/APPEALS.md), and what a request lacks of it.

A warning, never a refusal: the check reads words, and the payer reads the chart. The morning
report counts how often a warning was right (the request was then pended or denied), so the
table can be judged by its results.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from bot.models import AuthRequest

TABLE = "documentation.json"


@dataclass(frozen=True)
class Element:
    """One documentation element a category's requests should carry."""

    element: str
    seed: str
    """The line of seed 000 it comes from."""
    needs: str
    terms: tuple[str, ...]

    @property
    def warning(self) -> str:
        return f"likely pended: no {self.needs} in the notes, answers or attachments"


@dataclass(frozen=True)
class Finding:
    """An element checked against one request."""

    element: Element
    found: bool


@cache
def table() -> tuple[tuple[Element, ...], dict[str, tuple[Element, ...]]]:
    """The elements every request needs, and those of each category."""
    data = json.loads(files("pa_bot_fixtures").joinpath(TABLE).read_text(encoding="utf-8"))
    common = tuple(_element(row) for row in data["all"])
    by_category = {
        name: tuple(_element(row) for row in rows) for name, rows in data["categories"].items()
    }
    return common, by_category


def _element(row: dict[str, Any]) -> Element:
    return Element(row["element"], row["seed"], row["needs"], tuple(row["terms"]))


def _affirmed(answer: str | int) -> bool:
    if isinstance(answer, int):
        return answer > 0
    text = answer.strip().casefold()
    return bool(text) and text not in ("no", "0", "none", "n/a")


def evidence(request: AuthRequest) -> str:
    """The words the check reads: the notes, the questions answered yes, the files' names."""
    parts = [request.clinical.notes]
    parts += [q for q, a in request.clinical.answers.items() if _affirmed(a)]
    parts += [path.stem for path in request.attachments]
    return normal("\n".join(parts))


NEGATIONS = frozenset({"no", "not", "without", "never", "denies", "none", "nor"})
"""Words that, shortly before a term, say the element is absent ("no conservative therapy")."""
OUTCOMES = frozenset({"respond", "responded", "improve", "improved", "relief", "help", "helped"})
"""Words between a negation and a term that make it a failed treatment, which is the element
("did not respond to conservative therapy")."""
_NEAR = 3


def normal(text: str) -> str:
    """Lower case, with hyphens and underscores as spaces: "X-ray", "x_ray" and "x ray" alike."""
    return re.sub(r"[-_]+", " ", text.casefold())


def mentions(text: str, term: str) -> bool:
    """``term`` is in ``text`` (both :func:`normal`) at least once without a negation among the
    words just before it in the same sentence."""
    for found in re.finditer(re.escape(term), text):
        clause = re.split(r"[.;:!?\n]", text[: found.start()])[-1]
        near = re.findall(r"[a-z']+", clause)[-_NEAR:]
        negated = [i for i, word in enumerate(near) if word in NEGATIONS]
        if not negated or OUTCOMES.intersection(near[negated[-1] :]):
            return True
    return False


def check(request: AuthRequest) -> list[Finding]:
    """Each element of the request's category, found or not."""
    common, by_category = table()
    text = evidence(request)
    findings = []
    for element in (*common, *by_category.get(request.category, ())):
        if element.terms:
            found = any(mentions(text, normal(term)) for term in element.terms)
        else:  # the notes themselves: written, or a file attached
            found = bool(request.clinical.notes.strip() or request.attachments)
        findings.append(Finding(element, found))
    return findings


def warnings(request: AuthRequest) -> list[str]:
    """What the request lacks, as warnings."""
    return [f.element.warning for f in check(request) if not f.found]
