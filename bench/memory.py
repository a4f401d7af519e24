"""Peak memory of a process and all its descendants (the worker, Playwright's driver and
Chromium's processes), sampled from ``/proc`` on a background thread.

RSS summed over processes counts the pages Chromium's processes share (its binary, fonts, shared
memory) once per process: for one worker it is about three times the real footprint. PSS
(``smaps_rollup``) divides each shared page among the processes mapping it, so the tree's PSS is
its footprint, as long as no other Chromium on the machine maps the same pages (on a shared
machine PSS reads low). USS, the private pages only, is the floor. All three are reported.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Memory:
    """Peak totals in MB, how many processes the tree had at the RSS peak, and the CPU seconds
    the tree used (a figure that contention on a shared machine moves less than wall time)."""

    rss_mb: float
    pss_mb: float
    uss_mb: float
    processes: int
    cpu_s: float = 0.0
    cpu_s_by_kind: dict[str, float] = field(default_factory=dict)
    """The CPU seconds by kind of process (``kind_of``): where the tree's CPU goes."""


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def kind_of(pid: int) -> str:
    """``python`` (the bot), ``driver`` (Playwright's Node.js), Chromium's ``browser``,
    ``renderer``, ``gpu`` and ``utility`` processes (network, storage), or ``other``."""
    try:
        # Split on spaces too: a process that renamed itself (Chromium's zygote children do)
        # shows its whole command line as one string.
        argv = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").split()
    except OSError:
        return "other"
    if not argv:
        return "other"
    program = Path(argv[0].decode(errors="replace")).name
    if "python" in program:
        return "python"
    if program == "node" or any(b"playwright" in arg and b"cli.js" in arg for arg in argv):
        return "driver"
    if "chrom" in program or "headless" in program:
        kinds = [arg.split(b"=", 1)[1].decode() for arg in argv if arg.startswith(b"--type=")]
        kind = kinds[0] if kinds else "browser"
        return {"gpu-process": "gpu"}.get(kind, kind)
    return "other"


def playwright_driver() -> int:
    """The pid of this process's Playwright driver (Node.js), the parent of its Chromium."""
    for pid in descendants(os.getpid())[1:]:
        try:
            if b"playwright" in (PROC / str(pid) / "cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise LookupError("no Playwright driver runs under this process")


def _kb(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Sampler:
    """Samples the tree under ``root`` every ``interval_s`` until stopped; keeps the peaks."""

    def __init__(self, root: int, interval_s: float = 0.1) -> None:
        self.root = root
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)
        self.peak = Memory(0.0, 0.0, 0.0, 0)
        self._cpu_ticks: dict[int, int] = {}
        self._kinds: dict[int, str] = {}

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        tick = os.sysconf("SC_CLK_TCK")
        by_kind: dict[str, float] = {}
        for pid, ticks in self._cpu_ticks.items():
            kind = self._kinds.get(pid, "other")
            by_kind[kind] = by_kind.get(kind, 0.0) + ticks / tick
        cpu_s = sum(self._cpu_ticks.values()) / tick
        rounded = {kind: round(seconds, 2) for kind, seconds in sorted(by_kind.items())}
        self.peak = replace(self.peak, cpu_s=cpu_s, cpu_s_by_kind=rounded)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            pids = descendants(self.root)
            for pid in pids:
                self._cpu_ticks[pid] = max(self._cpu_ticks.get(pid, 0), _ticks(pid))
                # Read again at every sample: a renderer forked from Chromium's zygote shows the
                # zygote's command line until it renames itself.
                kind = kind_of(pid)
                if kind != "other" or pid not in self._kinds:  # a process ending reads as other
                    self._kinds[pid] = kind
            rss = sum(_kb(PROC / str(p) / "status", "VmRSS:") for p in pids) / 1024
            rollups = [_rollup(PROC / str(p) / "smaps_rollup") for p in pids]
            pss = sum(r.get("Pss", 0) for r in rollups) / 1024
            uss = sum(r.get("Private_Clean", 0) + r.get("Private_Dirty", 0) for r in rollups) / 1024
            self.peak = replace(
                self.peak,
                rss_mb=max(self.peak.rss_mb, rss),
                pss_mb=max(self.peak.pss_mb, pss),
                uss_mb=max(self.peak.uss_mb, uss),
                processes=len(pids) if rss >= self.peak.rss_mb else self.peak.processes,
            )


def _rollup(path: Path) -> dict[str, int]:
    """The kB figures of a ``smaps_rollup`` file, by name."""
    found: dict[str, int] = {}
    try:
        for line in path.read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            found[name.rstrip(":")] = int(value)
    except (OSError, ValueError):
        pass
    return found


def cpu_seconds(pid: int) -> float:
    """The CPU seconds one process has used so far."""
    return _ticks(pid) / os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> int:
    """User and system CPU ticks a process has used so far."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])
