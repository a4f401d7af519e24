"""Turns on a portal account that allows one session at a time: no login ping-pong.

A portal that allows one session per account (``SINGLE_SESSION`` in the mock, as many real
portals do) ends a session when the same account logs in elsewhere. Machines sharing an account
would then sign each other out in turn, each login spoiling the other's work in flight. So once
the portal signed an account out for a login elsewhere (``SignedOutElsewhere``), the queue's
database records that machines take turns on it, and from then on:

* a process claims items (and so logs in) only while the account's turn is its own: a lease in
  the login gate's row, renewed before every claim, taken over when it runs out or when its
  process is known to be gone (``bot.holder``);
* a process with nothing to claim and nothing in hand gives the turn up, so that another machine
  with work takes it: one login per hand-over, never a login per item;
* a sign-out while the turn is this process's own came from outside the bot's turns (a person
  logged in with the practice's account): the process pauses before its next login, longer each
  time (``ELSEWHERE_PAUSES_S``), instead of signing the person out at once.

Accounts of a pool (``PA_BOT_ACCOUNTS_FILE``, ``bot.accounts``) take turns from the start: a
process holds one for its whole run, and the other processes take the others.

The waits are schedules of this protocol (the turn's poll and the pauses), named here.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.errors import LoginRecorded
from bot.holder import Holder, is_gone
from bot.log import get_logger
from bot.login_gate import Credentials
from bot.queue import Queue

log = get_logger(__name__)

TURN_LEASE_S = 180.0
"""How long a turn lasts unrenewed: longer than one request takes, so that a working process
keeps it (it renews before every claim); a dead one's turn passes on after it."""
TURN_POLL_S = 2.0
"""How often a process waiting for its turn looks again."""
ELSEWHERE_PAUSES_S = (30.0, 60.0, 120.0, 300.0, 600.0)
"""The pause before logging in again after a sign-out from outside the turns, the first time,
the second, ...; the last repeats."""


@dataclass
class SessionStats:
    """How a run fared with the account's session: the morning report's figures."""

    logins: int = 0
    """Logins the process made (every browser context shares each)."""
    signed_out_elsewhere: int = 0
    """Times the portal ended the session because the account signed in elsewhere."""
    turn_waits: int = 0
    """Times the process waited for another machine's turn on the account to end."""
    pauses: int = 0
    """Pauses after a sign-out that no machine of the bot's turns made (a person, say)."""
    kept_alive: int = 0
    """Times a tab answered the portal's session-timeout warning with "Stay signed in"."""


async def _until_stopped(stop: asyncio.Event, seconds: float) -> None:
    """``bot.worker.until_stopped``, which this module cannot import (the worker imports it)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await stop.wait()


def _gone(text: str) -> bool:
    holder = Holder.parse(text)
    return holder is not None and is_gone(holder)


class Turns:
    """This process's turns on one account."""

    def __init__(
        self,
        queue: Queue,
        account: str,
        holder: str,
        stats: SessionStats,
        *,
        pooled: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self.account = account
        self.holder = holder
        self.stats = stats
        self.pooled = pooled
        self._clock = clock
        if pooled:
            queue.login_take_turns(account)
        self.taking_turns = False
        self._learn()
        self.busy = 0
        """Items this process's workers have in hand: the turn is kept while any is."""
        self._pause_until = -math.inf
        self._waiting = False

    def signed_out(self) -> None:
        """The portal ended the account's session for a login elsewhere: turns from now on, and
        a pause when the turn was this process's own (somebody outside the turns logged in)."""
        mine = self.taking_turns and self._holds()
        self.queue.login_take_turns(self.account)
        self.taking_turns = True
        if mine:
            pause = ELSEWHERE_PAUSES_S[min(self.stats.pauses, len(ELSEWHERE_PAUSES_S) - 1)]
            self.stats.pauses += 1
            self._pause_until = self._clock() + pause
            log.warning("account_used_elsewhere", pause_s=pause)

    def _learn(self) -> None:
        """Whether the account takes turns, as the queue says (another machine may have found
        out since this process started)."""
        record = self.queue.login_record(self.account)
        self.taking_turns = record is not None and record.turns_since is not None

    def _holds(self) -> bool:
        record = self.queue.login_record(self.account)
        return record is not None and record.turn_holder == self.holder

    async def take(self, stop: asyncio.Event) -> None:
        """Until the turn is this process's (at once on an account that takes no turns), or a
        stop is asked; renews the turn when it is already."""
        if not self.taking_turns:
            return
        while not stop.is_set():
            pause = self._pause_until - self._clock()
            if pause <= 0:
                other = self.queue.turn_take(self.account, self.holder, TURN_LEASE_S, gone=_gone)
                if other is None:
                    if self._waiting:
                        self._waiting = False
                        log.info("turn_taken")
                    return
                if not self._waiting:
                    self._waiting = True
                    self.stats.turn_waits += 1
                    log.info("waiting_for_turn")
            await _until_stopped(stop, TURN_POLL_S if pause <= 0 else pause)

    def ours(self) -> bool:
        """Whether this process may log in now: the account takes no turns, or the turn is this
        process's (taken or renewed now) and no pause is running."""
        if not self.taking_turns:
            self._learn()  # once per login: cheap, and it spares another machine a sign-out
        if not self.taking_turns:
            return True
        if self._pause_until > self._clock():
            return False
        return self.queue.turn_take(self.account, self.holder, TURN_LEASE_S, gone=_gone) is None

    def idle(self) -> None:
        """Nothing to claim: give the turn up for a machine with work, unless an item is still
        in hand here or the account is this process's share of a pool."""
        if self.taking_turns and not self.pooled and self.busy == 0:
            self.queue.turn_release(self.account, self.holder)

    def end(self) -> None:
        """The process stops working: the turn is another's to take at once."""
        if self.taking_turns:
            self.queue.turn_release(self.account, self.holder)


async def choose_account(
    queue: Queue, pool: list[Credentials], holder: str, stop: asyncio.Event
) -> Credentials:
    """A pool's account for this process: the first whose turn is free (so each machine gets
    one of its own), waiting for one while every account is another live process's. Accounts
    whose rejection stands are passed over; ``LoginRecorded`` when that is all of them."""
    usable = []
    for secrets in pool:
        queue.login_take_turns(secrets.account)
        record = queue.login_record(secrets.account)
        if record is not None and record.rejected_digest == secrets.digest:
            log.warning("pool_account_rejected_earlier", account=secrets.account[:12])
            continue
        usable.append(secrets)
    if not usable:
        raise LoginRecorded(
            "the portal rejected every account of the pool earlier; no attempt was made. Fix "
            "the passwords in PA_BOT_ACCOUNTS_FILE (changed ones are tried once), or run "
            "`pa-bot login` for an account that works again."
        )
    waiting = False
    while True:
        for secrets in usable:
            if queue.turn_take(secrets.account, holder, TURN_LEASE_S, gone=_gone) is None:
                log.info("pool_account_taken", account=secrets.account[:12])
                return secrets
        if not waiting:
            waiting = True
            log.info("waiting_for_pool_account", accounts=len(usable))
        await _until_stopped(stop, TURN_POLL_S)
        if stop.is_set():
            return usable[0]  # nothing will be claimed: the workers see the stop


def session_warnings(stats: SessionStats) -> list[str]:
    """The morning report's word on the account's session, when the portal ended it."""
    if not stats.signed_out_elsewhere:
        return []
    text = (
        f"The portal signed the bot out {stats.signed_out_elsewhere} time(s) because the "
        f"account signed in elsewhere (it allows one session per account); {stats.logins} "
        f"login(s) this run. Machines now take turns on the account (waited for a turn "
        f"{stats.turn_waits} time(s)); no request failed for it."
    )
    if stats.pauses:
        text += (
            f" {stats.pauses} sign-out(s) came from outside the bot (a person using the "
            "practice's account?): the bot paused before logging in again. A portal account of "
            "its own for the bot (PA_BOT_ACCOUNTS_FILE) avoids this."
        )
    return [text]
