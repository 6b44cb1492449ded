"""Where the app keeps its files: platformdirs, overridable for tests and power users.

Order of precedence: an explicit argument (``--data-dir``), then the environment variable
``ORDERCHAMP_DESKTOP_DATA_DIR``, then the platform's user data dir. Logs and settings live
beside the data when the data dir is overridden, so one override isolates everything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from orderchamp_desktop import APP_ID

DATA_DIR_ENV = "ORDERCHAMP_DESKTOP_DATA_DIR"
API_URL_ENV = "ORDERCHAMP_API_URL"
TOKEN_ENV = "ORDERCHAMP_TOKEN"
LIVE_API_URL = "https://api.orderchamp.com/v1/graphql"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    log_dir: Path
    config_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            root = Path(chosen).expanduser().resolve()
            return cls(data_dir=root, log_dir=root / "logs", config_dir=root / "config")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_ID, appauthor=False)),
        )

    def ensure(self) -> None:
        """Create the folders (owner-only) so later writes fail only for real reasons."""
        for folder in (self.data_dir, self.log_dir, self.config_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def cache_file(self, account_key: str) -> Path:
        """The SQLite cache of one account. ``account_key`` is a filesystem-safe id."""
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in account_key)[:80]
        return self.data_dir / f"cache-{safe or 'default'}.sqlite3"

    @property
    def schema_dir(self) -> Path:
        """Introspected live schemas, cached per account."""
        return self.data_dir / "schemas"


def resolve_api_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(API_URL_ENV) or LIVE_API_URL
