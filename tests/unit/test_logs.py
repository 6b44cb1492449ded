"""The token never reaches the log file, whatever form it is logged in."""

from __future__ import annotations

import logging
from pathlib import Path

from orderchamp_desktop.core.logs import register_secret, setup_logging


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
