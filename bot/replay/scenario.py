"""A QA scenario: a request, the portal's behaviour while it is submitted, and what must come of it.

Scenario files are YAML (docs/SCENARIOS.md). ``load`` never raises for a bad file: it returns a
``Malformed`` naming the file and each bad field, so one broken file cannot stop a replay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
)

from bot.intake import Accepted, read_requests
from bot.models import AuthRequest, PortalStatus
from mock_portal.faults import ConfigPatch

SUFFIXES = (".yaml", ".yml")

ItemState = Literal[
    "pending", "submitting", "submitted", "not_required", "rejected", "failed", "invalid"
]


class Expect(BaseModel):
    """The expected outcome. ``state`` is required; a field left out is not checked."""

    model_config = ConfigDict(extra="forbid")

    state: ItemState = Field(description="The queue item's state after the replay.")
    portal_status: PortalStatus | None = Field(
        default=None, description="The portal's decision, for a submitted item."
    )
    reference_id: bool | None = Field(
        default=None, description="Whether the item holds a reference id."
    )
    attachments: list[str] | None = Field(
        default=None,
        description="File names the portal lists as uploaded for the item's reference id "
        "(order does not matter; [] means none).",
    )
    attempts: int | None = Field(
        default=None, ge=0, description="The item's attempts (claims by a worker) in the queue."
    )
    reconciled: bool | None = Field(
        default=None,
        description="Whether the result was found on the Status tab after an "
        "unclear submission instead of being read after Submit.",
    )
    exit_code: Literal[0, 1, 2, 3, 4, 5] | None = Field(
        default=None, description="What `pa-bot submit` would exit with (DESIGN.md's codes)."
    )
    portal_records: int | None = Field(
        default=None, ge=0, description="How many authorizations the portal recorded in all."
    )
    submit_clicks: int | None = Field(
        default=None, ge=0, description="How many times Submit was about to be clicked."
    )
    error_contains: str | None = Field(
        default=None, min_length=1, description="Text the item's error must contain."
    )


def _request_kind(value: Any) -> str:
    return "path" if isinstance(value, str) else "inline"


RequestSpec = Annotated[
    Annotated[str, Tag("path")] | Annotated[AuthRequest, Tag("inline")],
    Discriminator(_request_kind),
]


class Scenario(BaseModel):
    """One scenario file."""

    model_config = ConfigDict(extra="forbid", title="pa-bot replay scenario")

    description: str = Field(min_length=1, description="What the scenario proves.")
    request: RequestSpec = Field(
        description="The request: a path to a request file holding one request (relative to "
        "the scenario file), or the request itself (docs/REQUESTS.md)."
    )
    portal: ConfigPatch = Field(
        default_factory=ConfigPatch,
        description="Knobs of the mock portal for this scenario, as PUT /_mock/config takes "
        "them: latency_ms, error_rate, fail_after_submit_rate, submit_delay_ms, maintenance, "
        "session_timeout_s, seed, ui_variant, step_faults.",
    )
    then: ConfigPatch | None = Field(
        default=None,
        description="Knobs changed before a second run, made only when the first run left the "
        "item unfinished (e.g. maintenance switched off again).",
    )
    expect: Expect


@dataclass(frozen=True)
class Loaded:
    """A valid scenario, with its request read and validated."""

    name: str
    file: Path
    scenario: Scenario
    request: AuthRequest

    @property
    def description(self) -> str:
        return self.scenario.description


@dataclass(frozen=True)
class Malformed:
    """A scenario file that cannot be replayed; ``problems`` are ``"field: message"``."""

    name: str
    file: Path
    problems: list[str]

    @property
    def description(self) -> str:
        return "malformed scenario file"


def load(file: Path) -> Loaded | Malformed:
    """Read, parse and validate one scenario file."""
    name = file.stem
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        return Malformed(name, file, [f"file: cannot be read ({exc.strerror})"])
    except UnicodeDecodeError:
        return Malformed(name, file, ["file: not UTF-8 text"])
    except yaml.YAMLError as exc:
        return Malformed(name, file, [f"yaml: {_yaml_problem(exc)}"])
    if not isinstance(data, dict):
        return Malformed(name, file, ["file: a scenario is a YAML mapping (description, ...)"])
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": file.parent})
    except ValidationError as exc:
        return Malformed(name, file, problems(exc))
    if isinstance(scenario.request, AuthRequest):
        return Loaded(name, file, scenario, scenario.request)
    return _with_request_file(name, file, scenario, file.parent / scenario.request)


def _with_request_file(name: str, file: Path, scenario: Scenario, path: Path) -> Loaded | Malformed:
    entries = read_requests(path)
    bad = [
        f"request: {path.name}: {e}"
        for entry in entries
        if not isinstance(entry, Accepted)
        for e in entry.errors
    ]
    good = [entry.request for entry in entries if isinstance(entry, Accepted)]
    if bad:
        return Malformed(name, file, bad)
    if len(good) != 1:
        return Malformed(name, file, [f"request: {path.name} holds {len(good)} requests, not 1"])
    return Loaded(name, file, scenario, good[0])


def problems(exc: ValidationError) -> list[str]:
    """``field.path: message`` per error, without the input values (a request holds PHI)."""
    found = []
    for error in exc.errors():
        parts = [str(p) for p in error["loc"] if p not in ("inline", "path")]
        where = ".".join(parts) or "file"
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "required"
        else:
            message = re.sub(r"^Value error, ", "", error["msg"])
        found.append(f"{where}: {message}")
    return found


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "not valid YAML"
    if mark is None:
        return str(problem)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"


def collect(paths: list[Path]) -> list[Path]:
    """The scenario files named, directories searched recursively for *.yaml and *.yml."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES))
        else:
            files.append(path)
    return files


def schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (what ``pa-bot replay --schema`` prints)."""
    document = Scenario.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return document
