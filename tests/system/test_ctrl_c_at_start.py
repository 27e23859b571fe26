"""A Ctrl-C during `run --plain`'s start-up ends it at once: `spasmtimer.__main__` makes SIGINT
an exit until a session can be stopped and recorded, and `spasmtimer.cli.plain.signals_interrupt`
gives it back to KeyboardInterrupt from there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import safety_seen

REST = 'title = "Rest"\nprepare = 0\n[[steps]]\ntype = "rest"\nseconds = 60\n'


WENT_ON_FROM_A_CTRL_C = {
    "reported": "sys.last_value = KeyboardInterrupt()",
    "in an import lock's callback": (
        "import _frozen_importlib, _weakref\n"
        "class Lock: pass\n"
        "lock = Lock()\n"
        "_frozen_importlib._module_locks['gone'] = _weakref.ref(lock)\n"
        "del lock"
    ),
}
"""How Python leaves a Ctrl-C it had as it started, and went on from (`spasmtimer.__main__`):
rare moments of a real start, set up here."""

STARTED_AFTER = """
import sys
{prelude}
sys.argv = ["spasmtimer", "run", {program!r}, "--plain"]
import spasmtimer.__main__
spasmtimer.__main__.main()
"""


@pytest.mark.parametrize("prelude", WENT_ON_FROM_A_CTRL_C.values(), ids=WENT_ON_FROM_A_CTRL_C)
def test_a_ctrl_c_python_went_on_from_still_ends_the_run(tmp_path: Path, prelude: str) -> None:
    program = tmp_path / "rest.toml"
    program.write_text(REST)
    safety_seen(Path(os.environ["XDG_DATA_HOME"]))
    run = subprocess.run(
        [sys.executable, "-c", STARTED_AFTER.format(prelude=prelude, program=str(program))],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert (run.returncode, run.stdout, run.stderr) == (130, "", "")


IMPORTS_WITHIN = """
import contextlib, sys, threading
sys.argv = ["spasmtimer", "run", {program!r}, "--plain"]
import spasmtimer.__main__
import spasmtimer.cli.plain as plain

within = []
inside = threading.Event()
main_thread = threading.current_thread()

def seen(event, arguments):
    if event == "import" and inside.is_set() and threading.current_thread() is main_thread:
        within.append(arguments[0])

sys.addaudithook(seen)
signals_interrupt = plain.signals_interrupt

@contextlib.contextmanager
def watched():
    with signals_interrupt():
        inside.set()
        try:
            yield
        finally:
            inside.clear()

plain.signals_interrupt = watched
try:
    spasmtimer.__main__.main()
finally:
    print(__import__("json").dumps(within), file=sys.__stderr__)
"""


def test_a_session_imports_nothing_once_ctrl_c_raises(tmp_path: Path) -> None:
    # Within `signals_interrupt` a Ctrl-C is a KeyboardInterrupt again, raised wherever the
    # main thread is: an import there (a C extension's, or Python's own import lock) could
    # swallow it, and the session would run on.
    program = tmp_path / "rest.toml"
    program.write_text(REST.replace("seconds = 60", "seconds = 1.5"))
    safety_seen(Path(os.environ["XDG_DATA_HOME"]))
    run = subprocess.run(
        [sys.executable, "-c", IMPORTS_WITHIN.format(program=str(program))],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stderr.splitlines()[-1]) == []
