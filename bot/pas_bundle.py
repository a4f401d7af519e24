"""A Da Vinci PAS request Bundle as FHIR R4 models (``fhir.resources.R4B``), its references
resolved, and the problems found reading it, each naming the element it is about.

Every problem is collected before anything is answered, so that an EHR learns all it must fix
at once; none holds a member's data (an element's path, a code or an NPI at most).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource
from pydantic import BaseModel, ValidationError

PAS_CLAIM_USE = "preauthorization"


@dataclass(frozen=True)
class Problem:
    """One issue of the OperationOutcome: the element it is about (a FHIRPath such as
    ``Claim.item[0].productOrService``), what is wrong with it, how bad."""

    expression: str
    text: str
    severity: Literal["error", "warning"] = "error"
    code: Literal["structure", "invalid", "not-found", "not-supported", "value"] = "invalid"


class NotPasRequest(Exception):
    """The body is not a PAS request Bundle at all (not JSON, not FHIR, no Claim first): 400."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.expression}: {p.text}" for p in problems))
        self.problems = problems


@dataclass
class PasBundle:
    """A request Bundle read: its Claim first, every resource by the references that name it."""

    bundle: Bundle
    claim: Claim
    raw: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    _by_reference: dict[str, Resource] = field(default_factory=dict)

    def resolve(self, reference: str | None, expression: str) -> Resource | None:
        """The resource ``reference`` names in the Bundle (``Patient/x`` or a fullUrl); None
        when the Bundle does not hold it (``read_bundle`` said so already)."""
        if not reference:
            self.problems.append(Problem(expression, "a reference is required", code="structure"))
            return None
        return self._by_reference.get(reference) or self._by_reference.get(_tail(reference))


def read_bundle(body: bytes) -> PasBundle:
    """The PAS request Bundle in ``body``; ``NotPasRequest`` with every problem when it is not
    one."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotPasRequest([Problem("Bundle", "the body is not JSON", code="structure")]) from None
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        kind = raw.get("resourceType") if isinstance(raw, dict) else None
        said = f"a {kind}" if isinstance(kind, str) else "no FHIR resource"
        raise NotPasRequest(
            [Problem("Bundle", f"the body is {said}, not a PAS request Bundle", code="structure")]
        )
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        raise NotPasRequest(_model_problems(exc, raw)) from None
    entries = bundle.entry or []
    first = entries[0].resource if entries else None
    if not isinstance(first, Claim) or first.use != PAS_CLAIM_USE:
        found = type(first).__name__ if first is not None else "nothing"
        raise NotPasRequest(
            [
                Problem(
                    "Bundle.entry[0].resource",
                    f"a PAS request Bundle begins with a Claim of use {PAS_CLAIM_USE}; "
                    f"this one begins with {found}",
                    code="structure",
                )
            ]
        )
    read = PasBundle(bundle=bundle, claim=first, raw=raw)
    for entry in entries:
        resource = entry.resource
        if resource is None:
            continue
        kind = resource.get_resource_type()
        if resource.id:
            read._by_reference[f"{kind}/{resource.id}"] = resource
        if entry.fullUrl:
            read._by_reference[str(entry.fullUrl)] = resource
    for entry in entries:
        if entry.resource is not None:
            kind = entry.resource.get_resource_type()
            for expression, reference in _references(entry.resource, kind):
                if read.resolve(reference, expression) is None:
                    problem = Problem(
                        expression, f"{reference} is not in the Bundle", "error", "not-found"
                    )
                    read.problems.append(problem)
    return read


def _references(model: object, path: str) -> Iterator[tuple[str, str]]:
    """Every reference to another resource that ``model`` holds, with the element's path."""
    if isinstance(model, Reference):
        if model.reference and not model.reference.startswith("#"):
            yield path, model.reference
    elif isinstance(model, list):
        for index, value in enumerate(model):
            yield from _references(value, f"{path}[{index}]")
    elif isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name, None)
            if value is not None:
                yield from _references(value, f"{path}.{name}")


def _tail(reference: str) -> str:
    """``Patient/x`` of ``https://example.org/fhir/Patient/x``."""
    return "/".join(reference.rstrip("/").split("/")[-2:])


def _model_problems(exc: ValidationError, raw: dict[str, Any]) -> list[Problem]:
    """The models' errors as problems whose expressions start at the resource that holds them
    (``Claim.item[0].quantity``, not ``Bundle.entry[0].resource.item[0].quantity``)."""
    problems = []
    for error in exc.errors():
        where = list(error["loc"])
        path = "Bundle"
        if len(where) >= 3 and where[0] == "entry" and where[2] == "resource":
            kind = _kind_of(raw, where[1])
            path, where = kind, where[3:]
        for part in where:
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        problems.append(Problem(path, str(error["msg"]), code="structure"))
    return problems


def _kind_of(raw: dict[str, Any], index: object) -> str:
    entries = raw.get("entry")
    if isinstance(index, int) and isinstance(entries, list) and index < len(entries):
        resource = entries[index].get("resource") if isinstance(entries[index], dict) else None
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            return str(resource["resourceType"])
    return f"Bundle.entry[{index}].resource"
