"""Logging to the user log dir with rotation; secrets are redacted on the way out."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

from orderchamp_desktop.core.paths import ensure_folder

LOG_FILE = "orderchamp-desktop.log"
_BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE)
_known_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Make sure this exact value never reaches a log line (e.g. the API token)."""
    if value and len(value) >= 4:
        _known_secrets.add(value)


def redact(text: str) -> str:
    text = _BEARER.sub(r"\1[redacted]", text)
    for secret in _known_secrets:
        text = text.replace(secret, "[redacted]")
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that cannot be written (full or read-only disk) costs one calm line, once.

    The default ``handleError`` prints a "--- Logging error ---" traceback for every record,
    which buries the one sentence the user needs under screens of noise.
    """

    def __init__(self, filename: Path, *, max_bytes: int, backup_count: int) -> None:
        super().__init__(filename, maxBytes=max_bytes, backupCount=backup_count,
                         encoding="utf-8", delay=True)
        self._reported = False

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)  # a bad format string is our bug: keep it visible
            return
        if not self._reported and sys.stderr is not None:
            self._reported = True
            try:
                print(f"Note: the log file {self.baseFilename} cannot be written "
                      f"({error.strerror or error}); carrying on without it.", file=sys.stderr)
            except (OSError, ValueError):  # stderr itself is gone: nothing left to tell
                pass


def setup_logging(log_dir: Path, *, level: int = logging.INFO) -> Path:
    """Rotating file log (5 x 1 MB). Returns the log file path. Safe to call twice.

    Raises DataFolderError when the log folder cannot be created; a log that later cannot
    be written is not an error (see QuietRotatingFileHandler).
    """
    ensure_folder(log_dir)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(path):
            return path
    handler = QuietRotatingFileHandler(path, max_bytes=1_000_000, backup_count=5)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level, level) if root.level else level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
