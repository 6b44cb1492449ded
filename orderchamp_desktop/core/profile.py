"""Which account the app is signed in to: a small JSON file in the config dir.

Holds only non-secret facts (account id, name, API URL, demo flag). The token itself is in
the keychain under the account key, or in ORDERCHAMP_TOKEN.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from orderchamp_desktop.core.errors import StorageError
from orderchamp_desktop.core.paths import AppPaths

PROFILE_FILE = "profile.json"


@dataclass(frozen=True)
class Profile:
    account_key: str
    account_name: str
    api_url: str
    is_demo: bool = False


def _profile_path(paths: AppPaths) -> Path:
    return paths.config_dir / PROFILE_FILE


def load_profile(paths: AppPaths) -> Profile | None:
    """The saved profile, or None when there is none or it is unreadable (first run)."""
    try:
        raw = json.loads(_profile_path(paths).read_text(encoding="utf-8"))
        return Profile(
            account_key=str(raw["account_key"]),
            account_name=str(raw.get("account_name", "")),
            api_url=str(raw["api_url"]),
            is_demo=bool(raw.get("is_demo", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_profile(paths: AppPaths, profile: Profile) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a profile."""
    target = _profile_path(paths)
    try:
        paths.ensure()
        temp = target.with_suffix(".tmp")
        temp.write_text(json.dumps(asdict(profile), indent=2), encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        raise StorageError(detail=str(exc)) from exc


def clear_profile(paths: AppPaths) -> None:
    try:
        _profile_path(paths).unlink(missing_ok=True)
    except OSError as exc:
        raise StorageError(detail=str(exc)) from exc


def account_key_for(account_id: str) -> str:
    """A filesystem- and keychain-safe key for an Orderchamp account id."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in account_id)[:80] or "default"
