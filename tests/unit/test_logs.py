"""The token never reaches the log file, whatever form it is logged in."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest

from orderchamp_desktop.core.errors import DataFolderError
from orderchamp_desktop.core.logs import LOG_FILE, MAX_BYTES, register_secret, setup_logging, start_rotation


def test_token_is_redacted_in_the_log_file(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    register_secret("s3cr3t-token-value")
    logger = logging.getLogger("orderchamp_desktop.test")
    logger.warning("headers: Authorization: Bearer abc.def-123")
    logger.warning("oops %s", {"token": "s3cr3t-token-value"})
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "abc.def-123" not in text
    assert "s3cr3t-token-value" not in text
    assert text.count("[redacted]") == 2
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            logging.getLogger().removeHandler(handler)
            handler.close()


def test_a_log_file_that_cannot_be_written_costs_one_calm_line(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A full disk: not a "--- Logging error ---" traceback per record on stderr."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux)")
    (tmp_path / LOG_FILE).symlink_to("/dev/full")
    path = setup_logging(tmp_path)
    try:
        logger = logging.getLogger("orderchamp_desktop.test")
        for n in range(20):
            logger.warning("record %d", n)
        err = capsys.readouterr().err
        assert "Logging error" not in err and "Traceback" not in err
        assert err.count("\n") == 1 and "cannot be written" in err and str(path) in err
    finally:
        _remove_handler(path)


def test_the_start_up_log_hands_over_to_rotation_without_losing_a_line(tmp_path: Path) -> None:
    """The desktop app appends plainly until its window has painted, then rotates as usual."""
    path = setup_logging(tmp_path, rotate_later=True)
    try:
        logger = logging.getLogger("orderchamp_desktop.test")
        logger.warning("before the first paint")
        start_rotation()
        logger.warning("after the first paint")
        _flush()
        text = path.read_text(encoding="utf-8")
        assert "before the first paint" in text and "after the first paint" in text
        ours = [h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(path)]
        assert len(ours) == 1  # one handler writes each record once
        line = "x" * 1000
        for _ in range(MAX_BYTES // 1000 + 10):
            logger.warning(line)
        _flush()
        assert (tmp_path / f"{LOG_FILE}.1").exists()  # the file rotated
        assert path.stat().st_size < MAX_BYTES
    finally:
        _remove_handler(path)


def test_a_log_folder_that_cannot_be_created_names_the_folder(tmp_path: Path) -> None:
    (tmp_path / "logs").write_text("a file in the way")
    with pytest.raises(DataFolderError) as caught:
        setup_logging(tmp_path / "logs")
    assert str(tmp_path / "logs") in caught.value.user_message
    assert caught.value.exit_code == 9


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def _remove_handler(path: Path) -> None:
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            logging.getLogger().removeHandler(handler)
            with contextlib.suppress(OSError):
                handler.close()
