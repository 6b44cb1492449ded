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
from orderchamp_desktop.core.errors import DataFolderError

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
        """Create the folders (owner-only) so later writes fail only for real reasons.

        Raises DataFolderError (a StorageError naming the folder) when one cannot be made.
        """
        for folder in (self.data_dir, self.log_dir, self.config_dir):
            ensure_folder(folder)

    def data_dir_writable(self) -> bool:
        """False for a read-only folder or disk: then the cache can only be read, not changed."""
        return folder_writable(self.data_dir)

    def cache_file(self, account_key: str) -> Path:
        """The SQLite cache of one account. ``account_key`` is a filesystem-safe id."""
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in account_key)[:80]
        return self.data_dir / f"cache-{safe or 'default'}.sqlite3"

    @property
    def schema_dir(self) -> Path:
        """Introspected live schemas, cached per account."""
        return self.data_dir / "schemas"


def ensure_folder(folder: Path) -> None:
    """``mkdir -p`` with mode 0700; an OSError becomes DataFolderError with the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError as exc:
        raise DataFolderError(folder, "a file with that name is in the way") from exc
    except OSError as exc:
        raise DataFolderError(folder, exc.strerror or str(exc)) from exc


def folder_writable(folder: Path) -> bool:
    """Whether new files can be made in ``folder`` (access(2) also sees read-only mounts)."""
    return os.access(folder, os.W_OK | os.X_OK)


def resolve_api_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(API_URL_ENV) or LIVE_API_URL
