"""Logging to the user log dir with rotation; secrets are redacted on the way out."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from orderchamp_desktop.core.paths import ensure_folder

LOG_FILE = "orderchamp-desktop.log"
_BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE)
_known_secrets: set[str] = set()
#: Log files already reported as unwritable.
_unwritable: set[str] = set()


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


MAX_BYTES = 1_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _CalmAboutOSErrors(logging.Handler):
    """A log file that cannot be written (full or read-only disk) costs one calm line, once.

    The default ``handleError`` prints a "--- Logging error ---" traceback for every record,
    which buries the one sentence the user needs under screens of noise.
    """

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)  # a bad format string is our bug: keep it visible
            return
        path = getattr(self, "baseFilename", "")
        if path not in _unwritable and sys.stderr is not None:
            _unwritable.add(path)  # once per file, also across the start-up handler's handover
            try:
                print(f"Note: the log file {path} cannot be written "
                      f"({error.strerror or error}); carrying on without it.", file=sys.stderr)
            except (OSError, ValueError):  # stderr itself is gone: nothing left to tell
                pass


class _StartupFileHandler(_CalmAboutOSErrors, logging.FileHandler):
    """Appends to the log file until the rotating handler takes over (start_rotation)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:  # FileHandler opens a delayed file outside its own error handling
            super().emit(record)
        except Exception:
            self.handleError(record)


def _rotating_handler(path: Path) -> logging.Handler:
    import logging.handlers  # with socket, pickle and queue: ~5 ms the GUI spends after its first paint

    class QuietRotatingFileHandler(_CalmAboutOSErrors, logging.handlers.RotatingFileHandler):
        pass

    return QuietRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                                    delay=True)


def _our_handler(path: Path) -> logging.Handler | None:
    return next((h for h in logging.getLogger().handlers
                 if isinstance(h, _CalmAboutOSErrors) and getattr(h, "baseFilename", None) == str(path)),
                None)


def setup_logging(log_dir: Path, *, level: int = logging.INFO, rotate_later: bool = False) -> Path:
    """Rotating file log (5 x 1 MB). Returns the log file path. Safe to call twice.

    ``rotate_later``: append through a plain file handler until ``start_rotation()`` (the GUI
    calls it after its first paint). Raises DataFolderError when the log folder cannot be
    created; a log that later cannot be written is not an error (see _CalmAboutOSErrors).
    """
    ensure_folder(log_dir)
    path = log_dir / LOG_FILE
    if _our_handler(path) is not None:
        return path
    handler = (_StartupFileHandler(path, encoding="utf-8", delay=True) if rotate_later
               else _rotating_handler(path))
    _install(handler)
    root = logging.getLogger()
    root.setLevel(min(root.level, level) if root.level else level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path


def start_rotation() -> None:
    """Hand the log file from the start-up handler to the rotating one (no record is lost:
    both append to the same file, and the new one is added before the old one goes)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StartupFileHandler):
            _install(_rotating_handler(Path(handler.baseFilename)))
            root.removeHandler(handler)
            handler.close()


def _install(handler: logging.Handler) -> None:
    handler.setFormatter(RedactingFormatter(_FORMAT))
    logging.getLogger().addHandler(handler)
