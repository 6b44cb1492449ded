"""A really read-only data folder for a child process (tests of the CLI and of the window)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def read_only_prefix(folder: Path) -> tuple[str, ...]:
    """A command prefix that runs the command with ``folder`` bind-mounted read-only in a
    private mount namespace.

    A real read-only file system (EROFS), which even root cannot write; nothing outside the
    child process sees the mount. Without unshare/mount rights, a non-root user gets a
    chmod'ed folder instead; root without them skips.
    """
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    prefix = ("unshare", "-m", "sh", "-c", script, str(folder))
    if shutil.which("unshare"):
        probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return prefix
    if os.geteuid() != 0:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir():
                path.chmod(0o500)
        return ()
    pytest.skip("cannot make a read-only folder here (no unshare/mount rights as root)")


def make_writable_again(folder: Path) -> None:
    """Undo the chmod fallback of read_only_prefix (a no-op after a bind mount)."""
    for path in (folder, *folder.rglob("*")):
        if path.is_dir():
            path.chmod(0o700)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time: what "unchanged" means."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}
