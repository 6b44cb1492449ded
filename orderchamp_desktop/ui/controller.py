"""What the window's buttons do: sign in, demo, sync, offline and reconnect, sign out, shut down.

Slots stay thin: each forwards to a plain ``async def`` on this class that tests can drive,
started through the TaskRunner (strong references, one error path, clean shutdown).
Imported after the first paint: it pulls in asyncio, and later httpx and keyring.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import importlib.util
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from orderchamp_desktop.core.errors import (
    AuthError,
    KeychainUnavailableError,
    KnownError,
    OfflineError,
    Progress,
    StorageError,
    user_message_for,
)
from orderchamp_desktop.core.logs import register_secret
from orderchamp_desktop.core.paths import resolve_api_url
from orderchamp_desktop.core.profile import (
    Profile,
    account_key_for,
    clear_profile,
    load_profile,
    save_profile,
)
from orderchamp_desktop.qt_async import TaskRunner
from orderchamp_desktop.ui import format as fmt
from orderchamp_desktop.ui.changes import ACCOUNT, INVENTORY, INVOICES, LOCATIONS, ORDERS, PRODUCTS, Changes
from orderchamp_desktop.ui.main_window import MainWindow
from orderchamp_desktop.ui.services import AppOptions, Services

if TYPE_CHECKING:
    from orderchamp_desktop.core.api import ApiClient
    from orderchamp_desktop.core.cache import Store

log = logging.getLogger(__name__)

DEMO_ACCOUNT_KEY = "demo"
#: Offline while checking a token: there is no saved data yet to fall back on.
OFFLINE_AT_SIGN_IN = "Orderchamp cannot be reached. Check your internet connection and try again."
#: The cause part of the offline banner; the banner itself adds what the app does about it.
OFFLINE_CAUSE = "Orderchamp cannot be reached: check your internet connection."
#: The demo sandbox refills its cost bucket 40x faster than the live API (50 points/s), so
#: the first sync of the demo brand takes well under a minute instead of several.
DEMO_RESTORE_RATE = 2000.0
#: What each entity the sync reports touches in the views.
_SYNC_ENTITIES: dict[str, tuple[str, ...]] = {
    "account": (ACCOUNT,), "locations": (LOCATIONS, INVENTORY), "products": (PRODUCTS, INVENTORY),
    "variants": (PRODUCTS, INVENTORY), "inventory": (INVENTORY, PRODUCTS), "orders": (ORDERS,),
    "invoices": (INVOICES,),
}
#: Under the order title when the data folder is read-only (the banner says why).
READ_ONLY_ACTIONS_NOTE = "Shipping and confirming are off: the data folder is read-only."


def read_only_sentence(folder: Path) -> str:
    return (f"The data folder {folder} is read-only, so this shows the data saved there without "
            "syncing or changing anything. Make the folder writable, then restart the app.")


@dataclass
class Session:
    """One open account: its cache and, unless browsing offline only, its API connection."""

    profile: Profile
    store_path: Path
    token: str | None = None
    client: ApiClient | None = None
    probe: ApiClient | None = None
    sandbox: Any = None
    schema_loaded: bool = False
    online: bool | None = None
    #: The token was refused: stop syncing until the user signs in again.
    auth_failed: bool = False


class _ProgressBridge(QObject):
    """Carries sync progress from whichever thread reports it to the GUI thread."""

    progress = Signal(object)


class AppController(QObject):
    def __init__(self, window: MainWindow, services: Services, options: AppOptions) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.options = options
        self.paths = services.paths
        self.secrets = services.secrets
        self.source = services.source
        self.changes = services.changes
        self.tasks = TaskRunner(on_error=self._show_error_for)
        self.session: Session | None = None
        self._pending: tuple[Profile, str] | None = None
        self._closed: asyncio.Future[None] | None = None
        self._offline_attempt = 0
        self._bridge = _ProgressBridge(self)
        self._bridge.progress.connect(self._on_progress)
        self._wire()
        self.fulfilment = self._install_extensions()

    def _install_extensions(self) -> Any:
        """Feature packages that extend the shell install themselves on it here, after the
        first paint (their imports are not free). Today: fulfilment (ui/fulfilment)."""
        if importlib.util.find_spec("orderchamp_desktop.ui.fulfilment.controller") is None:
            return None
        from orderchamp_desktop.ui.fulfilment.controller import install_fulfilment

        return install_fulfilment(self)

    # ---------------------------------------------------------------- wiring (thin slots)
    def _wire(self) -> None:
        w = self.window
        w.closing.connect(self._on_closing)
        w.sync_requested.connect(lambda: self._spawn(self.sync_now()))
        w.sign_out_requested.connect(lambda delete: self._spawn(self.sign_out(bool(delete))))
        w.welcome.connect_requested.connect(lambda token: self._spawn(self.connect_with_token(token)))
        w.welcome.demo_requested.connect(lambda: self._spawn(self.start_demo()))
        w.welcome.offline_requested.connect(lambda: self._spawn(self.browse_offline()))
        w.welcome.session_only_accepted.connect(lambda: self._spawn(self.accept_session_only()))
        w.welcome.session_only_declined.connect(self._drop_pending)

    def _spawn(self, coro: Any) -> None:
        if self.tasks.closing:
            coro.close()
            return
        self.tasks.spawn(coro, name=getattr(coro, "__name__", "action"))

    def _show_error_for(self, error: BaseException) -> None:
        sentence = user_message_for(error)
        if self.window.is_showing_main():
            self.window.show_error(sentence)
        else:
            self.window.welcome.show_error(sentence)

    # ---------------------------------------------------------------- life cycle
    async def run(self) -> int:
        """Start, wait for the window to close, shut down. The body of the app's ``main()``."""
        self._closed = asyncio.get_running_loop().create_future()
        if self.tasks.closing:  # closed before the loop started
            self._closed.set_result(None)
        else:
            self.tasks.spawn(self.start(), name="startup")
        await self._closed
        await self.shutdown()
        return 0

    @property
    def closed(self) -> bool:
        return self._closed is not None and self._closed.done()

    def _on_closing(self) -> None:
        # Cancel at once; run() awaits the tasks unwinding and closes the connections.
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def start(self) -> None:
        if self.services.lock_error is not None:
            self.window.show_welcome()
            self.window.welcome.show_error(self.services.lock_error)
            for widget in (self.window.welcome.connect_button, self.window.welcome.demo_button,
                           self.window.welcome.offline_button):
                widget.setEnabled(False)
            return
        if self.options.demo:
            await self.start_demo()
            return
        profile = self.services.profile or load_profile(self.paths)
        if self.services.read_only_data and profile is not None:
            await self._browse_read_only(profile)
            return
        if profile is None or profile.is_demo:
            self._show_welcome()
            return
        await self._check_cache()
        token = await self._stored_token(profile)
        if token is None:
            self._show_welcome()
            return
        await self._open_session(profile, token=token)

    async def _check_cache(self) -> None:
        """The integrity check skipped before the first paint, now on a worker thread.

        A damaged file is reopened through Store, which sets it aside and starts afresh; the
        next sync fills it again.
        """
        store = self.source.store
        if store is None:
            return
        path = Path(store.path)
        if await asyncio.to_thread(_cache_is_sound, path):
            return
        log.error("the cache %s failed its integrity check after start-up", path)
        from orderchamp_desktop.core.cache import Store

        self._set_store(None)
        try:
            fresh = await asyncio.to_thread(_open_store, Store, path)
        except KnownError as error:
            self.window.show_error(error.user_message)
            return
        self._set_store(fresh)
        if fresh.recovered_from_corruption:
            from orderchamp_desktop.core.errors import CacheCorruptError

            self.window.show_error(CacheCorruptError().user_message)

    async def shutdown(self) -> None:
        """Cancel work, close connections and the cache; bounded so exit stays under a second."""
        await self.tasks.shutdown()
        self._drop_pending()
        await self._close_session()

    # ---------------------------------------------------------------- sign in
    async def connect_with_token(self, token: str) -> None:
        """Check the token with the cheap Account query, store it in the keychain, open the account."""
        welcome = self.window.welcome
        token = token.strip()
        register_secret(token)
        welcome.set_busy("Checking the token with Orderchamp…")
        api_url = resolve_api_url(self.options.api_url)
        client = await self._make_client(api_url, token, probe=True)
        try:
            account = (await client.query("Account"))["account"]
        except KnownError as error:
            await client.aclose()
            log.info("token check failed: %s", error)
            welcome.show_error(OFFLINE_AT_SIGN_IN if isinstance(error, OfflineError) else error.user_message)
            return
        except BaseException:
            await client.aclose()
            raise
        await client.aclose()
        profile = Profile(account_key_for(str(account["id"])), str(account.get("name") or ""), api_url)
        try:
            await asyncio.to_thread(self.secrets.set_token, profile.account_key, token)
        except KeychainUnavailableError as error:
            self._pending = (profile, token)
            welcome.ask_session_only(error.user_message)
            return
        await self._signed_in(profile, token)

    async def accept_session_only(self) -> None:
        """The user chose to keep the token in memory for this session (no keychain)."""
        if self._pending is None:
            return
        profile, token = self._pending
        self._pending = None
        self.secrets.use_session_only()
        self.secrets.set_token(profile.account_key, token)
        await self._signed_in(profile, token)

    def _drop_pending(self) -> None:
        self._pending = None
        self.window.welcome.set_busy(None)

    async def _signed_in(self, profile: Profile, token: str) -> None:
        try:
            await asyncio.to_thread(save_profile, self.paths, profile)
        except StorageError as error:
            self.window.welcome.show_error(error.user_message)
            return
        self.window.welcome.clear()
        await self._open_session(profile, token=token)

    async def _stored_token(self, profile: Profile) -> str | None:
        try:
            token = await asyncio.to_thread(self.secrets.get_token, profile.account_key)
        except KeychainUnavailableError as error:
            log.info("keychain unavailable at start: %s", error)
            self.window.welcome.show_error(error.user_message)
            return None
        if token:
            register_secret(token)
        return token

    # ---------------------------------------------------------------- demo
    async def start_demo(self) -> None:
        """Start the built-in sandbox in this process and connect to it over loopback."""
        welcome = self.window.welcome
        self.window.pages.setCurrentWidget(welcome)
        welcome.set_busy("Starting the demo…", demo=True)
        sandbox = await _import("orderchamp_desktop.sandbox")
        config = self.options.demo_config or sandbox.SandboxConfig(restore_rate=DEMO_RESTORE_RATE)
        # Building the demo world takes half a second of CPU: keep it off the GUI thread.
        server = await asyncio.to_thread(lambda: sandbox.SandboxServer(config).start())
        _exempt_from_garbage_collection()
        try:
            await self._close_session()
            await asyncio.to_thread(_remove_cache_files, self.paths.cache_file(DEMO_ACCOUNT_KEY))
            profile = Profile(DEMO_ACCOUNT_KEY, "Demo brand", server.url, is_demo=True)
            await self._open_session(profile, token=server.token, sandbox=server)
        except BaseException:
            if self.session is None or self.session.sandbox is not server:
                await asyncio.to_thread(server.stop)
            raise
        welcome.clear()

    async def browse_offline(self) -> None:
        """Open the saved data of the last account without a token (read-only, offline)."""
        profile = load_profile(self.paths)
        if profile is None or not self.paths.cache_file(profile.account_key).exists():
            self.window.welcome.set_saved_account(None)
            return
        await self._open_session(profile, token=None)
        self.window.show_offline("You are signed out: showing the data saved on this computer. "
                                 "Sign in again to sync and ship.", retry=False,
                                 actions=(("Sign in", self._sign_in_again),))
        self.window.status.set_connection(None)

    async def _browse_read_only(self, profile: Profile) -> None:
        """The data folder cannot be written: show the saved data, with nothing that writes
        (no sync, no shipping or stock changes, no sign-out that would delete files)."""
        if self.fulfilment is not None:
            self.fulfilment.not_connected_note = READ_ONLY_ACTIONS_NOTE
        await self._open_session(profile, token=None)
        self.window.show_offline(read_only_sentence(self.paths.data_dir), retry=False)
        self.window.status.set_connection(None)
        self.window.action_sign_out.setEnabled(False)

    # ---------------------------------------------------------------- sessions
    async def _make_client(self, api_url: str, token: str, *, probe: bool = False) -> ApiClient:
        """An API client, built on a worker thread: importing httpx and the GraphQL layer and
        creating the TLS context cost ~250 ms that the GUI thread must not spend."""
        factory = await self._client_factory()
        options: dict[str, Any] = {"timeout": self.options.probe_timeout, "max_retries": 1} if probe else {}
        client: ApiClient = await asyncio.to_thread(lambda: factory(api_url, token, **options))
        return client

    async def _client_factory(self) -> Callable[..., ApiClient]:
        if self.services.client_factory is not None:
            return self.services.client_factory
        api = await _import("orderchamp_desktop.core.api")
        factory: Callable[..., ApiClient] = api.ApiClient
        return factory

    async def _open_session(self, profile: Profile, *, token: str | None, sandbox: Any = None) -> None:
        from orderchamp_desktop.core.cache import Store

        path = self.paths.cache_file(profile.account_key)
        await self._close_session(keep_store_of=path)
        session = Session(profile, path, token=token, sandbox=sandbox)
        self.session = session
        if token is not None:
            session.client = await self._make_client(profile.api_url, token)
            session.probe = await self._make_client(profile.api_url, token, probe=True)
        current = self.source.store
        if current is None or Path(getattr(current, "path", "")) != path:
            store = await asyncio.to_thread(_open_store, Store, path)
            self._set_store(store)
        self._show_main(profile)
        if token is not None:
            self.tasks.latest("autosync", self._auto_sync())

    def _set_store(self, store: Store | None) -> None:
        previous = self.source.store
        self.source.set_store(store)
        if previous is not None and previous is not store:
            previous.close()

    def _show_main(self, profile: Profile) -> None:
        window = self.window
        store = self.source.store
        account = store.account() if store is not None else None
        name = (account.name if account is not None and account.name else "") or profile.account_name
        window.set_account(name, is_demo=profile.is_demo)
        window.show_main()
        window.set_can_sync(self.session is not None and self.session.client is not None)
        window.status.set_last_synced(store.last_synced_at() if store is not None else None)
        window.status.set_connection(None)

    def _show_welcome(self) -> None:
        window = self.window
        window.show_welcome()
        profile = load_profile(self.paths)
        saved = (profile is not None and not profile.is_demo
                 and self.paths.cache_file(profile.account_key).exists())
        window.welcome.set_saved_account((profile.account_name or "your account") if saved and profile
                                         else None)

    async def _close_session(self, *, keep_store_of: Path | None = None) -> None:
        """End the session; the open cache too, unless it is ``keep_store_of``'s (the same
        account opening again, e.g. the cache shown at start-up: no reopen, no empty flash)."""
        session, self.session = self.session, None
        await self.tasks.cancel_and_wait("autosync")
        await self.tasks.cancel_and_wait("sync")
        store = self.source.store
        if store is None or keep_store_of is None or Path(store.path) != keep_store_of:
            self._set_store(None)
        if session is None:
            return
        for client in (session.client, session.probe):
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.aclose(), 0.5)
        if session.sandbox is not None:
            await asyncio.to_thread(session.sandbox.stop)
        if session.schema_loaded:
            gc.unfreeze()  # what the session kept alive may go now

    # ---------------------------------------------------------------- sync
    async def sync_now(self, full: bool | None = None) -> bool:
        """F5: sync now. A sync already under way may have started before the change the user
        wants to see, so wait for it to finish and then run one more (joined by later presses)."""
        if self.session is None or self.session.client is None:
            return False
        running = self.tasks.get("sync")
        if running is not None:
            self.window.status.showMessage("A sync is already running; another one follows.", 4000)
            with contextlib.suppress(Exception):
                await asyncio.shield(running)
        return bool(await self.tasks.start_once("sync", self._sync_once(full)))

    async def _auto_sync(self) -> None:
        """Sync now and every few minutes; while offline, retry with growing pauses."""
        session = self.session
        while session is not None and session.client is not None and not session.auth_failed:
            ok = await self.tasks.start_once("sync", self._sync_once(None))
            if ok:
                self._offline_attempt = 0
                wait = self.options.auto_sync_interval
            else:
                delays = self.options.reconnect_delays
                wait = delays[min(self._offline_attempt, len(delays) - 1)]
                self._offline_attempt += 1
            await asyncio.sleep(wait)

    async def _sync_once(self, full: bool | None) -> bool:
        session = self.session
        if session is None or session.client is None or session.probe is None:
            return False
        try:
            await self._probe(session)
            sync = await _import("orderchamp_desktop.core.sync")
            if not session.schema_loaded:
                await self._load_schema(session, sync.load_live_schema)
            syncer = sync.Syncer(session.client, session.store_path, on_progress=self._bridge.progress.emit,
                                 schema_dir=self._schema_dir(session),
                                 account_key=session.profile.account_key)
            result = await syncer.run(full=full)
        except OfflineError as error:
            self._went_offline(session, error)
            return False
        except AuthError as error:
            session.auth_failed = True
            self.window.status.showMessage(error.user_message, 10_000)
            self.window.error_banner.show_message(error.user_message,
                                                  (("Sign in again", self._sign_in_again),))
            return False
        except KnownError as error:
            log.warning("sync failed: %s", error)
            self.window.show_error(error.user_message)
            return False
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.tasks.report(error, "sync")
            return False
        finally:
            self.window.status.set_idle()
        self._went_online(session)
        if result.problems:  # a part of the account this API cannot serve: say which
            self.window.show_error(" ".join(result.problems.values()))
        store = self.source.store
        if store is not None:
            self.window.status.set_last_synced(store.last_synced_at())
        self.changes.publish(Changes.everything(source="sync"))
        return True

    def _schema_dir(self, session: Session) -> Path | None:
        # The demo sandbox is rebuilt on every start: never trust a cached copy of its schema.
        return None if session.profile.is_demo else self.paths.schema_dir

    async def _load_schema(self, session: Session, load: Callable[..., Awaitable[Any]]) -> None:
        """The live schema (cached per account): operations it rejects switch their feature off.
        The client builds and validates it on a worker thread; a server that refuses
        introspection leaves it unknown (``load`` is core.sync.load_live_schema) and the app
        uses the documented API only."""
        assert session.client is not None
        await load(session.client, self._schema_dir(session), session.profile.account_key)
        session.schema_loaded = True
        _exempt_from_garbage_collection()

    async def _probe(self, session: Session) -> None:
        """A cheap Account query: fails fast when offline, and refreshes the account name."""
        assert session.probe is not None
        account = (await session.probe.query("Account"))["account"]
        name = str(account.get("name") or "")
        if name and name != self.window.account_name:
            self.window.set_account(name, is_demo=session.profile.is_demo)
        self._went_online(session)

    def _went_offline(self, session: Session, error: OfflineError) -> None:
        session.online = False
        store = self.source.store
        synced = store.last_synced_at() if store is not None else None
        age = f" (last synced {fmt.ago(synced)})" if synced else ""
        self.window.show_offline(f"{_offline_cause(error)} Showing the data saved on this computer{age}; "
                                 "the app reconnects by itself.")

    def _went_online(self, session: Session) -> None:
        if session.online is not True:
            session.online = True
            self.window.show_online()

    def _on_progress(self, progress: Progress) -> None:
        if self.session is None:
            return
        self.window.status.set_progress(progress.entity, progress.done, progress.total)
        entities = _SYNC_ENTITIES.get(progress.entity)
        if entities:
            self.changes.publish(Changes.of(*entities, source="sync"))

    def _sign_in_again(self) -> None:
        self.window.error_banner.hide()
        self._spawn(self._back_to_welcome())

    async def _back_to_welcome(self) -> None:
        await self._close_session()
        self._show_welcome()

    # ---------------------------------------------------------------- sign out
    async def sign_out(self, delete_data: bool) -> None:
        """Remove the token from the keychain; keep the cache unless asked to delete it."""
        session = self.session
        profile = session.profile if session is not None else load_profile(self.paths)
        await self._close_session()
        if profile is not None and not profile.is_demo:
            try:
                await asyncio.to_thread(self.secrets.delete_token, profile.account_key)
            except KeychainUnavailableError as error:
                log.warning("could not remove the token from the keychain: %s", error)
            if delete_data:
                await asyncio.to_thread(_remove_cache_files, self.paths.cache_file(profile.account_key))
                await asyncio.to_thread(clear_profile, self.paths)
        elif profile is not None:
            # The demo keeps no token and nothing worth browsing later (the dialog says so).
            await asyncio.to_thread(_remove_cache_files, self.paths.cache_file(DEMO_ACCOUNT_KEY))
        self._show_welcome()
        self.window.welcome.clear()
        self.window.welcome.set_busy(None)


def _offline_cause(error: OfflineError) -> str:
    """Why the app is offline, without OfflineError's default promise about cached orders
    (the banner goes on to say what is shown, and saying it twice read badly)."""
    if error.user_message == OfflineError.default_message:
        return OFFLINE_CAUSE
    return error.user_message


async def _import(module: str) -> Any:
    """Import on a worker thread: the first import of httpx, graphql-core or the sandbox
    takes 50-250 ms, long enough to freeze the window."""
    return await asyncio.to_thread(importlib.import_module, module)


def _exempt_from_garbage_collection() -> None:
    """Keep what is alive now out of the collector's full passes (``gc.freeze``).

    Called when the demo's sandbox has built its world (~120,000 objects) and once a
    session is set up (modules, the live schema): they then live as long as the session. A full collection
    walks every tracked object while holding the GIL; with all of them tracked each one took
    120-175 ms, on whichever thread triggered it, and froze the window that long during a
    sync (measured with ``gc.callbacks``). Closing the session unfreezes them again. No
    ``gc.collect()`` first: on this thread it would be just such a stall.
    """
    gc.freeze()


def _cache_is_sound(path: Path) -> bool:
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return [tuple(r) for r in conn.execute("PRAGMA quick_check").fetchall()] == [("ok",)]
    except sqlite3.DatabaseError as exc:
        log.error("cache check failed: %s", exc)
        return False


def _open_store(store_class: Any, path: Path) -> Store:
    store: Store = store_class(path, check_same_thread=False)
    return store


def _remove_cache_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()
