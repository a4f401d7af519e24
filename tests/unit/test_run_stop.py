"""SIGTERM and SIGINT ask the run to stop; the handler must never wait for a lock that the code
it interrupted holds (a deadlock that left a signalled run hanging until it was killed)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# The signal lands while the main thread is inside the shared Event's lock, exactly where
# ``Event.is_set`` holds it between two items; a handler that set the Event there waited forever.
SIGNAL_INSIDE_THE_LOCK = textwrap.dedent(
    """
    import multiprocessing, os, signal
    from bot.runner import RunStop, on_signals

    stop = RunStop(multiprocessing.get_context("spawn").Event())
    on_signals(stop)
    with stop.event._cond:
        os.kill(os.getpid(), signal.SIG{name})
        for _ in range(1000):
            pass
    print("stop", stop.is_set(), stop.event.is_set())
    """
)


def run_script(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SIGNAL_INSIDE_THE_LOCK.format(name=name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_signal_inside_the_events_lock_is_recorded_then_passed_on() -> None:
    for name in ("TERM", "INT"):
        done = run_script(name)

        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "stop True True"
        assert "stop_requested" in done.stdout + done.stderr
        assert f"SIG{name}" in done.stdout + done.stderr


def test_nothing_asked_nothing_set() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import multiprocessing; from bot.runner import RunStop; "
            "s = RunStop(multiprocessing.get_context('spawn').Event()); print(s.is_set())",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "False"
