"""Appeals of a denial or a cut: the deadline, and the appeal packet ``pa-bot appeal`` writes.

The packet is HTML from ``templates/appeal.html`` printed to PDF by the Chromium the bot already
has: the practice's letterhead (settings), the member and the request, the reason the payer gave
and the practice's response to it, seed 000's documentation elements the request holds and
those it lacks, the attachments, the appeal deadline and a peer-to-peer request. The deadline
runs from the day the decision was first seen, for as many calendar days as the plan's row of
``PA_BOT_APPEAL_DAYS`` says (docs/APPEALS.md).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.markup import escape

from bot import documentation
from bot.browser import open_browser, private_dir
from bot.config import Settings
from bot.errors import ExitCode, InputError
from bot.models import AuthRequest, Outcome
from bot.pages.base import translate_errors
from bot.queue import IllegalTransition, Item, Queue, State
from bot.queue.appeals import APPEALABLE, NEXT, OPEN, AppealEvent, AppealState, appeal_queue
from bot.queued import outcome_of, request_of

RESPONSES = {
    "MN01": (
        "The enclosed clinical documentation shows that this request meets the medical "
        "necessity criteria of the plan's clinical policy for the service. We ask that the "
        "decision be reviewed against it and the service authorized as requested."
    ),
    "MN02": (
        "The plan of care enclosed supports every unit requested, not only those authorized. "
        "We ask that the remaining units be authorized."
    ),
    "NC01": (
        "We ask for a review of the coverage determination for this member's plan and, where "
        "the plan allows it, an exception on the grounds of medical necessity set out below."
    ),
    "DI01": (
        "The documentation found insufficient is enclosed with this appeal (see the elements "
        "and attachments below). We ask that the request be reviewed again with it."
    ),
    "BL01": (
        "The units beyond the plan's benefit limit are medically necessary, as the enclosed "
        "documentation shows. We ask for an exception to the limit for this member."
    ),
}
DEFAULT_RESPONSE = (
    "We disagree with the decision and enclose the clinical documentation that supports the "
    "request as submitted. We ask that it be reviewed again."
)
ALWAYS_HELD = (
    "Patient demographics and CareSource member ID",
    "Ordering physician's NPI and contact information",
    "Requested CPT codes and corresponding ICD-10 diagnoses",
    "Date of service or proposed admission/procedure date",
)
"""Seed 000's elements every valid request carries (the portal requires them)."""


CLI_ACTOR = "cli"
"""Who the appeal's history names for a change made with ``pa-bot appeal``."""


class NotAppealable(InputError):
    """The reference ID names no request an appeal can be for (the message says why)."""


@dataclass(frozen=True)
class Deadline:
    plan: str
    days: int
    start: date
    """The day the decision was first seen (else the day it was last recorded)."""
    due: date

    def overdue(self, today: date) -> bool:
        return today > self.due


def appealable(item: Item) -> bool:
    return item.state == State.SUBMITTED and item.portal_status in APPEALABLE


def deadline(item: Item, settings: Settings) -> Deadline | None:
    """When the item's appeal is due, for a denied or cut request; else None."""
    if not appealable(item):
        return None
    outcome = outcome_of(item)
    seen = outcome.decided_at if outcome and outcome.decided_at else item.updated_at
    days = settings.appeal_days[settings.plan]
    start = seen.astimezone().date()  # the practice's calendar day (this machine's time zone)
    return Deadline(settings.plan, days, start, start + timedelta(days=days))


def local_today() -> date:
    """Today in the practice's time zone (this machine's), as deadlines count days."""
    return datetime.now().astimezone().date()


@dataclass(frozen=True)
class AppealBook:
    """A queue's appeals as the report, the worklist and the request page read them."""

    states: Mapping[int, AppealState]
    settings: Settings

    def state(self, item: Item) -> AppealState | None:
        return self.states.get(item.id)

    def open_deadline(self, item: Item) -> Deadline | None:
        """The deadline of a denied or cut request whose appeal is not filed yet."""
        return deadline(item, self.settings) if self.state(item) in OPEN else None

    def overdue(self, item: Item, today: date) -> bool:
        due = self.open_deadline(item)
        return due is not None and due.overdue(today)


def appeal_book(queue: Queue, settings: Settings) -> AppealBook:
    return AppealBook(appeal_queue(queue).appeal_states(), settings)


def packet_path(settings: Settings, reference_id: str) -> Path | None:
    """Where ``pa-bot appeal`` and the console keep a request's packet (None for a reference
    that is not the portal's nine digits: never a path made of something else)."""
    if not re.fullmatch(r"\d{9}", reference_id):
        return None
    return settings.artifacts_dir / "appeals" / f"{reference_id}.pdf"


@dataclass(frozen=True)
class AppealView:
    """A denied or cut request's appeal, as its page in the console shows it."""

    history: list[AppealEvent]
    deadline: Deadline
    overdue: bool
    marks: tuple[AppealState, ...]
    """The steps staff may mark next (filed, overturned, upheld)."""
    can_prepare: bool
    packet: bool
    """A packet has been written."""

    @property
    def state(self) -> AppealState | None:
        return self.history[-1].state if self.history else None


def appeal_view(queue: Queue, settings: Settings, item: Item) -> AppealView | None:
    """The item's appeal, for a denied or cut request; else None."""
    due = deadline(item, settings)
    if due is None:
        return None
    history = appeal_queue(queue).appeal_history(item.id)
    state = history[-1].state if history else None
    return AppealView(
        history=history,
        deadline=due,
        overdue=state in OPEN and due.overdue(local_today()),
        marks=tuple(s for s in NEXT[state] if s != AppealState.PREPARED),
        can_prepare=AppealState.PREPARED in NEXT[state],
        packet=(path := packet_path(settings, item.reference_id or "")) is not None
        and path.is_file(),
    )


def find_item(queue: Queue, reference_id: str) -> Item:
    """The request the portal gave ``reference_id``, if an appeal can be for it."""
    found = [item for item in queue.items() if item.reference_id == reference_id]
    if not found:
        raise NotAppealable(f"no request in the queue has reference ID {reference_id}")
    item = found[-1]
    if not appealable(item):
        said = item.portal_status or str(item.state)
        raise NotAppealable(
            f"reference ID {reference_id} is {said}: only a denied or partially approved "
            "request can be appealed"
        )
    return item


def packet_html(item: Item, settings: Settings, today: date) -> str:
    """The appeal packet of a denied or cut request, as HTML to print."""
    request, outcome, due = request_of(item), outcome_of(item), deadline(item, settings)
    if request is None or outcome is None or due is None:
        raise NotAppealable(f"item {item.id} holds no request and decision to appeal")
    return _TEMPLATES.get_template("appeal.html").render(
        item=item,
        request=request,
        outcome=outcome,
        status=(item.portal_status or "").replace("_", " "),
        member=_member(request),
        deadline=due,
        response=RESPONSES.get(outcome.reason_code or "", DEFAULT_RESPONSE),
        always=ALWAYS_HELD,
        findings=documentation.check(request),
        attachments=_attachments(request, outcome),
        letterhead=_letterhead(settings),
        today=today,
    )


_PRINTING = asyncio.Lock()
"""One packet printed at a time in a process: the console may be asked for two at once."""


async def print_pdf(html: str, out: Path, settings: Settings) -> Path:
    """``html`` printed to ``out`` (mode 600) by a headless Chromium (only a headless one prints
    PDF): into a file beside it first, so a packet being read is never half written."""
    if not out.parent.is_dir():
        raise NotAppealable(f"no folder {out.parent} to write the packet into")
    partial = out.with_name(f".{out.name}.partial")
    async with _PRINTING, open_browser(settings.model_copy(update={"headless": True})) as browser:
        page = await browser.new_page()
        try:
            with translate_errors():
                await page.set_content(html)
                await page.pdf(path=str(partial), format="Letter", print_background=True)
        finally:
            await page.close()
    partial.chmod(0o600)
    os.replace(partial, out)
    return out


async def prepare(
    queue: Queue, item: Item, settings: Settings, actor: str, out: Path | None = None
) -> Path:
    """Write the packet (to ``out``, else ``ARTIFACTS_DIR/appeals/<reference>.pdf``) and mark
    the appeal ``prepared``; refused once it is filed (the packet sent is kept as it was)."""
    appeals = appeal_queue(queue)
    now = appeals.appeal_states().get(item.id)
    if AppealState.PREPARED not in NEXT[now]:
        raise NotAppealable(
            f"the appeal of reference ID {item.reference_id} is {now}: its packet is kept as "
            "it was sent"
        )
    target = out or packet_path(settings, item.reference_id or "")
    if target is None:
        raise NotAppealable(f"item {item.id} has no reference ID of the portal's")
    if out is None:
        private_dir(target.parent)
    await print_pdf(packet_html(item, settings, local_today()), target, settings)
    appeals.record_appeal(item.id, AppealState.PREPARED, actor)
    return target


MARKS = {state.value: state for state in AppealState if state != AppealState.PREPARED}
"""What staff record with ``pa-bot appeal REFERENCE_ID --mark``."""


def appeal_command(
    queue: Queue,
    settings: Settings,
    console: Console,
    err: Console,
    reference_id: str,
    *,
    out: Path | None = None,
    mark: str | None = None,
) -> ExitCode:
    """``pa-bot appeal``: write the packet, or (``mark``) record the appeal's progress."""
    try:
        if mark is not None:
            if mark not in MARKS:
                raise NotAppealable(f"--mark must be one of {', '.join(MARKS)}, not {mark!r}")
            item = find_item(queue, reference_id)
            appeal_queue(queue).record_appeal(item.id, MARKS[mark], CLI_ACTOR)
        else:
            item = find_item(queue, reference_id)
            written = asyncio.run(prepare(queue, item, settings, CLI_ACTOR, out))
            due = deadline(item, settings)
            assert due is not None  # find_item took only an appealable item
            console.print(f"Appeal packet for {reference_id} written to {written}", soft_wrap=True)
            console.print(
                f"Appeal deadline: {due.due} ({due.days} days for {due.plan} from {due.start})."
            )
    except (NotAppealable, IllegalTransition) as refused:
        err.print(f"[red]error:[/] {escape(str(refused))}", soft_wrap=True)
        return ExitCode.USAGE
    history = appeal_queue(queue).appeal_history(item.id)
    steps = ", ".join(f"{e.state} {e.at:%Y-%m-%d %H:%M} UTC ({e.actor})" for e in history)
    console.print(f"Appeal of {reference_id}: {steps}", soft_wrap=True)
    return ExitCode.OK


def _member(request: AuthRequest) -> str:
    member = request.member
    if member.first_name and member.last_name:
        named = f"{member.last_name}, {member.first_name}"
        return f"{named}, born {member.dob}" if member.dob else named
    if member.caresource_id:
        return f"CareSource ID {member.caresource_id}"
    return f"Medicaid ID {member.medicaid_id}"


def _attachments(request: AuthRequest, outcome: Outcome) -> list[str]:
    names = [path.name for path in request.attachments]
    return [*names, *(name for name in outcome.uploaded if name not in names)]


def _letterhead(settings: Settings) -> dict[str, str]:
    unset = "(set PA_BOT_PRACTICE_{})"
    return {
        "name": settings.practice_name or unset.format("NAME"),
        "address": settings.practice_address or unset.format("ADDRESS"),
        "phone": settings.practice_phone or unset.format("PHONE"),
        "fax": settings.practice_fax or unset.format("FAX"),
    }


_TEMPLATES = Environment(
    loader=PackageLoader("bot", "templates"), autoescape=select_autoescape(default=True)
)
