"""What the queue stores of a request (its payload) and of its result (its outcome), typed both
ways, and the check made of a request when claimed. Nothing else reads or writes either as a
dict: every module goes through ``read``/``payload`` and ``outcome_of``/``stored``.

The payload is the request as JSON, with absolute attachment paths, plus ``_documentation`` (the
documentation check's warnings when it was queued) and ``_attachments``: each
file's size and SHA-256 as ``enqueue`` read them. A file deleted or changed between the evening's
``enqueue`` and the night's run would otherwise fail only after Submit, at upload (or upload
something nobody checked): so a claimed item's files are checked again first, and a change ends
the item ``rejected`` before anything reaches the portal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import documentation
from bot.errors import AttachmentChanged
from bot.models import QUEUED, AuthRequest, Outcome
from bot.queue import Item, Priority, State

_FILES = "_attachments"
_DOCUMENTATION = "_documentation"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    size: int
    sha256: str


@dataclass(frozen=True)
class Queued:
    """A request read back from the queue, with its files' fingerprints from ``enqueue``."""

    request: AuthRequest
    files: dict[str, Fingerprint]
    documentation: tuple[str, ...] | None = None
    """The documentation check's warnings at ``enqueue`` (None in a payload from before it)."""

    def check_files(self) -> None:
        """``AttachmentChanged`` naming the file (its name, not its path) that is gone or
        differs from what was queued."""
        for path in self.request.attachments:
            queued = self.files.get(str(path))
            try:
                now = fingerprint(path)
            except OSError:
                raise AttachmentChanged(
                    f"attachment {path.name} is missing since it was queued"
                ) from None
            if queued is not None and now != queued:
                raise AttachmentChanged(f"attachment {path.name} has changed since it was queued")


def fingerprint(path: Path) -> Fingerprint:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Fingerprint(size=size, sha256=digest.hexdigest())


def payload(request: AuthRequest) -> str:
    """The request as the queue stores it: JSON with absolute attachment paths and the files'
    fingerprints."""
    data: dict[str, Any] = request.model_dump(mode="json")
    data[_FILES] = {
        str(path): vars(fingerprint(path)) for path in request.attachments if path.is_file()
    }
    data[_DOCUMENTATION] = documentation.warnings(request)
    return json.dumps(data, sort_keys=True)


def priority_of(request: AuthRequest) -> Priority:
    """How soon a queued request is claimed when no person waits for it: its urgency."""
    return Priority.EXPEDITED if request.urgency == "expedited" else Priority.STANDARD


def read(text: str) -> Queued:
    """The payload back as a request (intake checked it already: ``QUEUED``)."""
    data = json.loads(text)
    files = {name: Fingerprint(**value) for name, value in (data.pop(_FILES, None) or {}).items()}
    warned = data.pop(_DOCUMENTATION, None)
    request = AuthRequest.model_validate(data, context=QUEUED)
    return Queued(request, files, None if warned is None else tuple(warned))


def request_of(item: Item) -> AuthRequest | None:
    """The item's request, or None for an item stored invalid (its payload is what was read)."""
    if item.state == State.INVALID:
        return None
    try:
        return read(item.payload).request
    except ValueError:
        return None


def documentation_of(item: Item) -> list[str]:
    """The documentation check's warnings as they were given when the item was queued (the
    table may have changed since), else as the table gives them now; none for an invalid item."""
    if item.state == State.INVALID:
        return []
    try:
        queued = read(item.payload)
    except ValueError:
        return []
    if queued.documentation is not None:
        return list(queued.documentation)
    return documentation.warnings(queued.request)


def outcome_of(item: Item) -> Outcome | None:
    """The item's last result as the flow returned it (None before any)."""
    return None if item.outcome is None else Outcome.model_validate(item.outcome)


def stored(outcome: Outcome) -> dict[str, Any]:
    """An outcome as the queue stores it."""
    return outcome.model_dump(mode="json")
