"""Who holds a queue item or a login attempt: a process named so that nobody else can mistake it.

A lease alone decides only when it runs out, so a worker that dies leaves its items for the rest
of the lease. On the same machine the queue can do better: a holder whose process is gone is taken
back at once. "The same machine" must be certain, or a live worker's item would be taken from it:
the host name is not enough (containers with one name, a cloned VM), so a holder is the host
name, the kernel's boot id, the pid namespace, the pid and the process's start time (a pid the
kernel gave to a new process since is not the old holder). Where any of these cannot be read, the
holder is never judged dead here: its lease decides, as on another machine.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_FIELDS = 5


@dataclass(frozen=True)
class Holder:
    """One process on one boot of one machine."""

    host: str
    boot: str
    pid_namespace: str
    pid: int
    started: str

    def text(self) -> str:
        """How the queue stores it: ``host|boot|pidns|pid|started``."""
        return "|".join((self.host, self.boot, self.pid_namespace, str(self.pid), self.started))

    @classmethod
    def parse(cls, text: str | None) -> Holder | None:
        parts = (text or "").split("|")
        if len(parts) != _FIELDS or not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], parts[2], int(parts[3]), parts[4])

    def knowable(self) -> bool:
        """Whether every part was read (on Linux); else its liveness is never judged."""
        return all((self.host, self.boot, self.pid_namespace, self.started))

    def shares_machine_with(self, other: Holder) -> bool:
        return (
            self.knowable()
            and other.knowable()
            and (self.host, self.boot, self.pid_namespace)
            == (other.host, other.boot, other.pid_namespace)
        )


def this_process() -> Holder:
    """The calling process (cached per pid: a forked child is another holder)."""
    return _holder_of(os.getpid())


@cache
def _holder_of(pid: int) -> Holder:
    return Holder(
        host=socket.gethostname(),
        boot=_read("/proc/sys/kernel/random/boot_id"),
        pid_namespace=_namespace(),
        pid=pid,
        started=_start_time(pid) or "",
    )


def is_gone(holder: Holder) -> bool:
    """True only when ``holder`` is certainly a dead process on this very machine."""
    here = this_process()
    if not here.shares_machine_with(holder):
        return False
    if holder.pid == here.pid:
        return holder.started != here.started
    started = _start_time(holder.pid)
    return started is None or started != holder.started


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _start_time(pid: int) -> str | None:
    """Field 22 of ``/proc/PID/stat``: when the process started, in clock ticks since boot."""
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = text.rsplit(")", 1)[-1].split()
    if len(fields) <= 19 or fields[0] in ("Z", "X"):  # a zombie has exited already
        return None
    return fields[19]
