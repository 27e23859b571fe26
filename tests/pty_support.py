"""A program in a pseudo-terminal, as a terminal emulator (or sshd) would run it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time


class Pty:
    def __init__(
        self, argv: list[str], env: dict[str, str] | None = None, size: tuple[int, int] = (80, 24)
    ) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if env is None:
                os.execvp(argv[0], argv)
            os.execvpe(argv[0], argv, env)
        self.resize(*size)
        self.output = bytearray()
        self.status: int | None = None

    def resize(self, columns: int, rows: int) -> None:
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the other end closed
            return False
        self.output += chunk
        return bool(chunk)

    def read_until(self, marker: bytes, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.output:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"{marker!r} not seen; last output: {bytes(self.output[-800:])!r}"
                )
            if not self._read(min(left, 0.2)):
                raise AssertionError(
                    f"closed before {marker!r}; last output: {bytes(self.output[-800:])!r}"
                )

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait(self, timeout: float = 15) -> int:
        """Read everything until the program exits; its exit status."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                raise AssertionError("the program did not exit")
            self._read(0.05)
        while self._read(0.05) and select.select([self.fd], [], [], 0)[0]:
            pass
        return self.status

    def __enter__(self) -> Pty:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)
