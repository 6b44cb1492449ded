"""One error taxonomy for the whole app.

A :class:`KnownError` is the world's fault (no network, a revoked token, a full disk):
it carries a sentence written for a shop owner that says what is wrong and what to do.
Anything else that escapes is a bug: the UI shows a generic sentence and a report path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class KnownError(Exception):
    """An error the user can fix or wait out. ``user_message`` is shown as is."""

    default_message = "Something went wrong. Please try again."
    #: Exit code the headless CLI uses for this kind of failure.
    exit_code = 1

    def __init__(self, user_message: str | None = None, *, detail: str = "") -> None:
        self.user_message = user_message or self.default_message
        self.detail = detail
        super().__init__(self.user_message if not detail else f"{self.user_message} ({detail})")


class AuthError(KnownError):
    default_message = (
        "Orderchamp did not accept the API token. Create a new private token in the "
        "Orderchamp back office (Settings > API) and sign in again."
    )
    exit_code = 3


class OfflineError(KnownError):
    default_message = (
        "Orderchamp cannot be reached. Check your internet connection; "
        "your cached orders stay available."
    )
    exit_code = 4


class ThrottledError(KnownError):
    default_message = "Orderchamp is limiting requests right now. Please wait a minute and try again."
    exit_code = 5

    def __init__(self, user_message: str | None = None, *, detail: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(user_message, detail=detail)
        self.retry_after = retry_after


class ServerError(KnownError):
    default_message = (
        "Orderchamp answered with an error. This is usually temporary; please try again "
        "in a few minutes."
    )
    exit_code = 6


class SchemaMismatchError(KnownError):
    """The live API no longer offers what an operation needs: that feature is switched off."""

    default_message = (
        "This feature is not available for your Orderchamp account right now; "
        "the rest of the app keeps working. An update of the app may be needed."
    )
    exit_code = 7


@dataclass(frozen=True)
class UserError:
    """One validation message from a mutation, with the input path it refers to."""

    field: tuple[str, ...]
    message: str

    @property
    def leaf(self) -> str:
        """The last non-numeric path part: the name of the input the message is about."""
        for part in reversed(self.field):
            if not part.isdigit():
                return part
        return ""


class UserErrorsError(KnownError):
    """A mutation was refused with userErrors; nothing was changed on the server."""

    exit_code = 8

    def __init__(self, errors: list[UserError]) -> None:
        self.errors = list(errors)
        text = " ".join(e.message.rstrip(".") + "." for e in self.errors) or "Orderchamp refused the change."
        super().__init__(text)


class OutcomeUnknownError(KnownError):
    """A mutation was sent but no answer came back: it may or may not have happened.

    Never resend such a mutation blindly; re-read the server state and reconcile.
    """

    default_message = (
        "The connection dropped before Orderchamp confirmed the change. "
        "The app will check what happened before doing anything else."
    )
    exit_code = 4


class StorageError(KnownError):
    default_message = (
        "The app cannot write its data folder. Check that the disk is not full and that "
        "you may write to the folder, then try again."
    )
    exit_code = 9


class DiskFullError(StorageError):
    default_message = "The disk is full. Free some space and try again; nothing was lost."


class DataFolderError(StorageError):
    """The data, log or settings folder cannot be created (a file in the way, no permission...)."""

    def __init__(self, folder: Path, reason: str) -> None:
        self.folder = folder
        super().__init__(
            f"Orderchamp Desktop cannot create its data folder {folder} ({reason}). "
            "Choose another folder with --data-dir or ORDERCHAMP_DESKTOP_DATA_DIR.",
            detail=reason)


class CacheCorruptError(StorageError):
    """The cache file is damaged. ``corrupt_copy`` is where it was set aside (None: left in place)."""

    default_message = (
        "The local copy of your data was damaged. It was set aside and a fresh copy "
        "will be downloaded from Orderchamp."
    )

    def __init__(self, user_message: str | None = None, *, detail: str = "",
                 corrupt_copy: Path | None = None) -> None:
        super().__init__(user_message, detail=detail)
        self.corrupt_copy = corrupt_copy


class CacheTooNewError(StorageError):
    default_message = (
        "The local data was written by a newer version of Orderchamp Desktop. "
        "Please install the newer version again; this version will not change that data."
    )
    exit_code = 10


class AlreadyRunningError(StorageError):
    default_message = (
        "Orderchamp Desktop is already running with this data folder. "
        "Switch to the open window, or close it first."
    )
    exit_code = 11


class KeychainUnavailableError(KnownError):
    default_message = (
        "No system keychain is available, so the API token cannot be stored safely. "
        "You can keep it for this session only, or set ORDERCHAMP_TOKEN."
    )
    exit_code = 12


class KeychainTimeoutError(KeychainUnavailableError):
    """The keychain exists but did not answer in time (locked, or its service hangs)."""

    default_message = (
        "The system keychain did not answer. Unlock it or keep the token for this session only."
    )


class PortInUseError(KnownError):
    """The sandbox cannot listen on the port the user asked for."""

    exit_code = 13

    def __init__(self, port: int, reason: str | None = None) -> None:
        """``reason`` None: the port is taken; otherwise why the system refused it."""
        self.port = port
        problem = f"cannot be used ({reason})" if reason else "is in use"
        super().__init__(f"Port {port} {problem}; pick another one, "
                         "or use --port 0 to take any free port.", detail=reason or "in use")


class Cancelled(Exception):
    """Raised inside long work when the user cancelled it. Not an error to report."""


@dataclass
class Progress:
    """Progress of long work: which entity, how many done, of how many (None: unknown)."""

    entity: str
    done: int
    total: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def user_message_for(error: BaseException) -> str:
    """The sentence to show for any exception: a KnownError's own, or a generic one."""
    if isinstance(error, KnownError):
        return error.user_message
    return (
        "Something unexpected went wrong inside Orderchamp Desktop. Your data is safe. "
        "Details were written to the log file."
    )
