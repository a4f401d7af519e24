"""The queue's contract: item states, the one table of legal transitions, items, errors, and the
``Queue`` protocol every backend implements (SQLite now, Postgres later).

The queue is what makes "never twice, never lost" hold: an item is leased to one worker at a time,
``submitting`` is committed before Submit is clicked, and a state changes only along
``TRANSITIONS``. Backends check the table in code and guard every UPDATE with the expected state
and lease owner, so a worker whose lease was taken over cannot overwrite the new owner's work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any, Final, Literal, Protocol

from bot.errors import PaBotError

SCHEMA_VERSION: Final = 7
"""The version ``schema.sql`` writes into ``schema_version``; an earlier one is upgraded
(``bot.queue.schema``), any other refused."""

LoginOutcome = Literal["succeeded", "rejected", "unsettled"]
"""How a login attempt ended, for the gate."""

Clock = Callable[[], datetime]
"""Where the queue reads the time (timezone-aware); tests inject one to expire leases at will."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC, so that comparing the text compares the times."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class State(StrEnum):
    """Where an item is on its way; the last six are final."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    NOT_REQUIRED = "not_required"
    REJECTED = "rejected"
    FAILED = "failed"
    INVALID = "invalid"
    CANCELLED = "cancelled"
    """A person withdrew it before a worker took it up (the console's Cancel)."""


FINAL_STATES: Final = frozenset(
    {
        State.SUBMITTED,
        State.NOT_REQUIRED,
        State.REJECTED,
        State.FAILED,
        State.INVALID,
        State.CANCELLED,
    }
)
LEASED_STATES: Final = frozenset({State.IN_PROGRESS, State.SUBMITTING})
"""The states in which an item belongs to the worker holding its lease."""


class Priority(IntEnum):
    """Which claimable item goes first: the highest priority, then the oldest."""

    STANDARD = 0
    EXPEDITED = 1
    """The request asks for an expedited decision (``urgency``)."""
    URGENT = 2
    """A person is waiting for it (``pa-bot submit``, the console's "submit now")."""


class Action(StrEnum):
    """The queue operations that move an item (``enqueue`` and ``add_invalid`` create one)."""

    ENQUEUE = "enqueue"
    ADD_INVALID = "add_invalid"
    CLAIM = "claim"
    MARK_SUBMITTING = "mark_submitting"
    FINISH = "finish"
    RELEASE = "release"
    RECORD_REFERENCE = "record_reference"
    UPDATE_DECISION = "update_decision"
    RETRY = "retry"
    CANCEL = "cancel"
    RESTORED = "restored"


_S = State
_A = Action
TRANSITIONS: Final[Mapping[tuple[State, State], frozenset[Action]]] = {
    (_S.PENDING, _S.IN_PROGRESS): frozenset({_A.CLAIM}),
    # A dead worker's expired lease, taken over by a new owner.
    (_S.IN_PROGRESS, _S.IN_PROGRESS): frozenset({_A.CLAIM}),
    # Marked before Submit is clicked; or restored from a backup (see pending -> submitting).
    (_S.IN_PROGRESS, _S.SUBMITTING): frozenset({_A.MARK_SUBMITTING, _A.RESTORED}),
    (_S.IN_PROGRESS, _S.PENDING): frozenset({_A.RELEASE}),
    (_S.IN_PROGRESS, _S.SUBMITTED): frozenset({_A.FINISH}),
    (_S.IN_PROGRESS, _S.NOT_REQUIRED): frozenset({_A.FINISH}),
    (_S.IN_PROGRESS, _S.REJECTED): frozenset({_A.FINISH}),
    (_S.IN_PROGRESS, _S.FAILED): frozenset({_A.FINISH}),
    # Taken over (claim), clicked again after reconciliation found nothing (mark_submitting), or
    # given back with its lease cleared (release): it stays submitting until reconciled. Its
    # reference id is written the moment it is read, before uploads (record_reference).
    (_S.SUBMITTING, _S.SUBMITTING): frozenset(
        {_A.CLAIM, _A.MARK_SUBMITTING, _A.RELEASE, _A.RECORD_REFERENCE}
    ),
    (_S.SUBMITTING, _S.SUBMITTED): frozenset({_A.FINISH}),
    (_S.SUBMITTING, _S.REJECTED): frozenset({_A.FINISH}),
    (_S.SUBMITTING, _S.FAILED): frozenset({_A.FINISH}),
    # A decision that arrives later (follow-up).
    (_S.SUBMITTED, _S.SUBMITTED): frozenset({_A.UPDATE_DECISION}),
    # A person retries a failed item: from the start if Submit was never about to be clicked,
    # else back to submitting, so that it is reconciled before anything is submitted again.
    (_S.FAILED, _S.PENDING): frozenset({_A.RETRY}),
    (_S.FAILED, _S.SUBMITTING): frozenset({_A.RETRY}),
    # A person withdraws a request no worker holds and Submit was never about to be clicked.
    (_S.PENDING, _S.CANCELLED): frozenset({_A.CANCEL}),
    # The queue was restored from a backup (pa-bot restored): a request the copy shows open may
    # have been submitted since the copy was made, so it is reconciled before anything else.
    (_S.PENDING, _S.SUBMITTING): frozenset({_A.RESTORED}),
}
"""Every legal state change and the operations allowed to make it; nothing else is possible."""


def is_legal(action: Action, current: State, target: State) -> bool:
    return action in TRANSITIONS.get((current, target), frozenset())


class QueueError(PaBotError):
    """Base of the queue's errors."""


class IllegalTransition(QueueError):
    """The operation cannot move the item from its current state (see ``TRANSITIONS``).

    A stale worker can get this too: its lease expired, another worker took the item and already
    finished or released it. Either way the item is no longer this worker's to touch.
    """


class LeaseLost(QueueError):
    """The worker acts on an item leased to someone else: its lease expired and another worker
    claimed the item. The old worker must stop working on it (and must not click Submit)."""


class ItemNotFound(QueueError, LookupError):
    """No item has this id."""


class SchemaMismatch(QueueError):
    """The database was made by another schema version (or is not a pa-bot queue)."""


class QueueUnavailable(QueueError):
    """The queue cannot be opened or reached (bad URL, unwritable path, locked or broken file)."""


@dataclass(frozen=True)
class Item:
    """One request in the queue, as stored."""

    id: int
    key: str
    state: State
    payload: str
    """The request as JSON text, or the raw text of an invalid one."""
    source: str
    """Where it came from: ``file.json#3``."""
    attempts: int
    """How many times a worker claimed it."""
    error: str | None
    portal_status: str | None
    reference_id: str | None
    outcome: dict[str, Any] | None
    """``Outcome.model_dump(mode="json")`` of the last result."""
    lease_owner: str | None
    lease_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    submitting_at: datetime | None
    """When Submit was first about to be clicked; later clicks are in the history."""
    clicked_at: datetime | None = None
    """When Submit was last about to be clicked: the reconciliation grace runs from it."""
    holder: str | None = None
    """The holding process (``bot.holder.Holder.text``), while leased."""
    available_at: datetime | None = None
    """Not claimable before this time (an item set aside to wait out the reconciliation grace)."""
    priority: int = Priority.STANDARD
    step: str | None = None
    """The step (``bot.steps.Step``) its holding worker began last; None since the last claim."""


@dataclass(frozen=True)
class GateRecord:
    """The login gate's row for one portal account (see ``bot.login_gate``)."""

    account: str
    attempt_holder: str | None
    attempt_since: datetime | None
    attempt_until: datetime | None
    succeeded_at: datetime | None
    rejected_digest: str | None
    rejected_at: datetime | None
    rejected_reason: str | None
    totp_step: int | None
    turns_since: datetime | None = None
    """Since when machines take turns on the account: the portal signed it out for a login
    elsewhere (one session per account), or it is one of a pool of accounts."""
    turn_holder: str | None = None
    """The process whose turn it is on the account's one session, until ``turn_until``."""
    turn_until: datetime | None = None


@dataclass(frozen=True)
class GateVerdict:
    """What ``login_enter`` decided: ``granted`` means the caller makes the one attempt now;
    otherwise ``record`` says why not (a standing rejection, or an attempt in flight)."""

    granted: bool
    record: GateRecord | None


@dataclass(frozen=True)
class Resident:
    """A resident worker (``pa-bot worker``) as it last said it was alive."""

    name: str
    holder: str
    """Its process (``bot.holder.Holder.text``)."""
    contexts: int
    """How many workers (browser contexts) it runs."""
    started_at: datetime
    seen_at: datetime


@dataclass(frozen=True)
class Enqueued:
    """What ``enqueue`` did: ``created=False`` when the key was already queued (a duplicate)."""

    item: Item
    created: bool


@dataclass(frozen=True)
class Event:
    """One line of an item's history: who moved it, from what to what, when, and why."""

    item_id: int
    at: datetime
    action: Action
    from_state: State | None
    to_state: State
    worker: str | None
    note: str | None


class Queue(Protocol):
    """The durable work queue. Every method that changes an item has committed when it returns.

    Operations by a worker (``heartbeat``, ``mark_submitting``, ``finish``, ``release``) raise
    ``IllegalTransition`` when the item's state does not allow them and ``LeaseLost`` when the item
    is leased to another worker. A worker whose lease merely expired, with nobody having claimed
    the item since, still holds it.
    """

    def enqueue(
        self, key: str, payload: str, source: str, *, priority: int = Priority.STANDARD
    ) -> Enqueued:
        """Queue a valid request as ``pending``; an existing key is left unchanged."""

    def prioritize(self, item_id: int, priority: int) -> Item:
        """Raise a waiting item's priority to ``priority`` (never lowers it; a final item is
        left as it is)."""

    def claimable_count(self, min_priority: int = 0) -> int:
        """How many items a claim could take now (the resident worker's cheap poll)."""

    def retry(self, item_id: int, actor: str) -> Item:
        """A failed item, queued again with fresh attempts: ``pending``, or ``submitting`` (to be
        reconciled first) if Submit was ever about to be clicked. ``IllegalTransition`` unless
        it is failed."""

    def restored(self, actor: str) -> list[Item]:
        """After a restore from a backup: every pending or in-progress item made ``submitting``
        (its lease cleared, its click time now), so that each is looked up on the portal's
        Status tab before it is submitted again; the items moved."""

    def cancel(self, item_id: int, actor: str) -> Item:
        """A pending item withdrawn by ``actor``: ``cancelled``, final, never claimed again.
        ``IllegalTransition`` unless it is pending (a worker holds it, or it is final)."""

    def add_invalid(self, raw: str, source: str, errors: list[str]) -> Item:
        """Store a request that failed intake, final at once; the same raw text from the same
        source is stored once."""

    def claim(
        self,
        worker: str,
        lease_seconds: float,
        *,
        item_id: int | None = None,
        holder: str | None = None,
        min_priority: int = 0,
    ) -> Item | None:
        """Lease the claimable item of the highest priority, oldest first (or only ``item_id``)
        to ``worker``; None if none. Only items of ``min_priority`` or more are taken (a resident
        worker outside ``PA_BOT_RESIDENT_HOURS`` takes urgent ones only).

        Claimable: ``pending``, or ``in_progress``/``submitting`` without a live lease, and not
        set aside (``available_at`` in the future) unless named by ``item_id``. A ``submitting``
        item is handed out as ``submitting``: reconcile it before anything else. ``holder`` names
        the claiming process (``bot.holder``) so that its death can be seen at once.
        """

    def heartbeat(
        self, item_id: int, worker: str, lease_seconds: float, *, step: str | None = None
    ) -> None:
        """Extend the worker's lease to now + ``lease_seconds``; with ``step``, record it as the
        step the worker begins."""

    def mark_submitting(self, item_id: int, worker: str) -> Item:
        """Record, durably, that Submit is about to be clicked."""

    def finish(
        self,
        item_id: int,
        worker: str,
        state: State,
        *,
        portal_status: str | None = None,
        reference_id: str | None = None,
        outcome: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Item:
        """Move the item to a final state with what the portal said; the lease ends."""

    def release(
        self,
        item_id: int,
        worker: str,
        *,
        error: str | None = None,
        retry_in: float | None = None,
    ) -> Item:
        """Give the item back: ``in_progress`` becomes ``pending``; ``submitting`` stays.

        With ``retry_in``, nobody may claim it for that many seconds."""

    def record_reference(self, item_id: int, worker: str, reference_id: str) -> Item:
        """Write the reference id of a ``submitting`` item the moment it is read."""

    def expire_lease(self, item_id: int, holder: str) -> bool:
        """End the lease of an item held by ``holder`` now (its process is known to be gone);
        False when the item is no longer held by it."""

    def now(self) -> datetime:
        """The queue's clock (the database's own for Postgres): leases and graces use it."""

    def login_enter(
        self, account: str, digest: str, holder: str, lease_seconds: float, *, force: bool = False
    ) -> GateVerdict:
        """Take the account's login attempt, unless one is in flight elsewhere or a rejection of
        ``digest`` stands (``force``, a person's ``pa-bot login``, passes over a rejection)."""

    def login_leave(
        self, account: str, digest: str, holder: str, outcome: LoginOutcome, reason: str = ""
    ) -> None:
        """End ``holder``'s attempt: ``succeeded`` (clears a rejection of ``digest``),
        ``rejected`` (records one, with ``reason``) or ``unsettled`` (the portal never said)."""

    def login_record(self, account: str) -> GateRecord | None:
        """The account's row, if any."""

    def login_take_totp_step(self, account: str, step: int) -> bool:
        """Claim TOTP time step ``step`` for a code about to be sent; False when it (or a later
        one) was used already."""

    def login_take_turns(self, account: str) -> None:
        """From now on machines take turns on the account (kept once set)."""

    def turn_take(
        self, account: str, holder: str, lease_seconds: float, *, gone: Callable[[str], bool]
    ) -> str | None:
        """Take or renew the account's turn for ``holder`` for ``lease_seconds``: None when
        granted, else the holder whose turn it is (its lease runs and ``gone`` does not say
        that process is gone)."""

    def turn_release(self, account: str, holder: str) -> None:
        """End ``holder``'s turn, if it is still its own."""

    def update_decision(
        self, item_id: int, portal_status: str, outcome: dict[str, Any] | None = None
    ) -> Item:
        """Record a later decision on a ``submitted`` item (``outcome`` None keeps the old one)."""

    def announce(self, name: str, holder: str, contexts: int) -> None:
        """A resident worker says it is alive (first time: that it started)."""

    def withdraw(self, name: str) -> None:
        """A resident worker says it stopped."""

    def residents(self, fresh_seconds: float) -> list[Resident]:
        """The resident workers seen alive within the last ``fresh_seconds``."""

    def get(self, item_id: int) -> Item:
        """The item, or ``ItemNotFound``."""

    def get_by_key(self, key: str) -> Item | None: ...

    def items(self, state: State | None = None) -> list[Item]:
        """All items (or those in ``state``), oldest first."""

    def counts(self) -> dict[State, int]:
        """How many items are in each state; every state is present, zero or not."""

    def history(self, item_id: int) -> list[Event]:
        """Every change of the item, oldest first (heartbeats are not recorded)."""

    def close(self) -> None: ...
