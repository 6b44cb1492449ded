"""The main window: welcome page or the four tabs, menus, banners and the status bar.

Layout and signals only. The controller (ui/controller.py) decides what happens on
"sync", "sign out" and "close"; the window never blocks and never pops a modal from a
coroutine (dialogs are opened with ``open()`` and answer through signals).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from orderchamp_desktop import APP_NAME, __version__
from orderchamp_desktop.core.paths import AppPaths
from orderchamp_desktop.ui.datasource import DataSource
from orderchamp_desktop.ui.orders.tab import OrdersTab
from orderchamp_desktop.ui.settings import UiSettings
from orderchamp_desktop.ui.widgets.banner import Banner, BannerKind
from orderchamp_desktop.ui.widgets.statusbar import SyncStatusBar

if TYPE_CHECKING:
    from orderchamp_desktop.ui.inventory.tab import InventoryTab
    from orderchamp_desktop.ui.invoices.tab import InvoicesTab
    from orderchamp_desktop.ui.products.tab import ProductsTab
    from orderchamp_desktop.ui.welcome import WelcomePage

LAST_SYNCED_REFRESH_MS = 30_000
#: An info banner ("Saved pick_list.pdf.") hides itself after this long.
INFO_BANNER_MS = 10_000
BannerAction = tuple[str, Callable[[], None]]


class Tab(Protocol):
    def save_layout(self, settings: UiSettings) -> None: ...
    def restore_layout(self, settings: UiSettings) -> None: ...


class _LazyTab(QWidget):
    """A tab page that builds its real content when first shown (or first asked for).

    Only the Orders tab is on screen at start-up; building the other three (and importing
    their modules) before the first paint would only delay it.
    """

    def __init__(self, factory: Callable[[], QWidget], on_built: Callable[[Any], None]) -> None:
        super().__init__()
        self._factory = factory
        self._on_built = on_built
        self._content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._content is not None

    def content(self) -> Any:
        if self._content is None:
            self._content = self._factory()
            self._layout.addWidget(self._content)
            self._on_built(self._content)
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        self.content()
        super().showEvent(event)


class MainWindow(QMainWindow):
    sync_requested = Signal()
    #: The user confirmed signing out; True: also delete the saved data.
    sign_out_requested = Signal(bool)
    #: The window is closing: cancel work and shut down.
    closing = Signal()

    def __init__(self, source: DataSource, settings: UiSettings, paths: AppPaths) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.source = source
        self.settings = settings
        self.paths = paths
        self.account_name = ""
        self.is_demo = False
        self._dialogs: list[QWidget] = []
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(760, 480)
        self._default_size()

        self.pages = QStackedWidget(self)
        self._welcome: WelcomePage | None = None
        self.main_page = QWidget(self.pages)
        self.main_page.setObjectName("mainPage")
        self.pages.addWidget(self.main_page)
        self.setCentralWidget(self.pages)

        layout = QVBoxLayout(self.main_page)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(6)
        self.error_banner = Banner(BannerKind.ERROR, "errorBanner", self.main_page)
        self.offline_banner = Banner(BannerKind.WARNING, "offlineBanner", self.main_page, closable=False)
        self.info_banner = Banner(BannerKind.INFO, "infoBanner", self.main_page, hide_after_ms=INFO_BANNER_MS)
        for banner in (self.error_banner, self.offline_banner, self.info_banner):
            layout.addWidget(banner)
        # A hint makes way for bad news instead of sitting above it.
        self.error_banner.shown.connect(self.info_banner.dismiss)
        self.offline_banner.shown.connect(self.info_banner.dismiss)
        self.tabs = QTabWidget(self.main_page)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        self.orders_tab = OrdersTab(source)
        self._lazy: dict[str, _LazyTab] = {
            "products": _LazyTab(self._make_products, self._tab_built),
            "inventory": _LazyTab(self._make_inventory, self._tab_built),
            "invoices": _LazyTab(self._make_invoices, self._tab_built),
        }
        self.tabs.addTab(self.orders_tab, "&Orders")
        self.tabs.addTab(self._lazy["products"], "&Products")
        self.tabs.addTab(self._lazy["inventory"], "&Inventory")
        self.tabs.addTab(self._lazy["invoices"], "In&voices")
        layout.addWidget(self.tabs, 1)

        self.status = SyncStatusBar(self)
        self.setStatusBar(self.status)
        self._build_menus()
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(LAST_SYNCED_REFRESH_MS)
        self._age_timer.timeout.connect(self.status.refresh_last_synced)
        self._age_timer.start()
        self._welcome_state()
        self.restore_layout()

    def finish_start(self) -> None:
        """After the first paint: build what that paint did not need (the order detail pane)."""
        _ = self.orders_tab.detail

    def first_paint_target(self) -> QWidget:
        """The widget whose first paint means the window is up: the orders table, or the page
        shown instead of the tabs (the welcome page). Qt paints a window's widgets in one
        pass, the table's rows right after its frame.

        Not the table's viewport: asking for a widget Python has not seen yet makes PySide6
        resolve its class by creating every QtWidgets type (~10 ms)."""
        if self.pages.currentWidget() is self.main_page and self.tabs.currentWidget() is self.orders_tab:
            return self.orders_tab.table
        return self.pages.currentWidget() or self

    # ---------------------------------------------------------------- pages built on demand
    @property
    def welcome(self) -> WelcomePage:
        """The first-run page (built when first needed: a returning user never sees it)."""
        if self._welcome is None:
            from orderchamp_desktop.ui.welcome import WelcomePage

            self._welcome = WelcomePage(self.pages)
            self.pages.insertWidget(0, self._welcome)
        return self._welcome

    @property
    def products_tab(self) -> ProductsTab:
        tab: ProductsTab = self._lazy["products"].content()
        return tab

    @property
    def inventory_tab(self) -> InventoryTab:
        tab: InventoryTab = self._lazy["inventory"].content()
        return tab

    @property
    def invoices_tab(self) -> InvoicesTab:
        tab: InvoicesTab = self._lazy["invoices"].content()
        return tab

    def _make_products(self) -> QWidget:
        from orderchamp_desktop.ui.products.tab import ProductsTab

        return ProductsTab(self.source)

    def _make_inventory(self) -> QWidget:
        from orderchamp_desktop.ui.inventory.tab import InventoryTab

        return InventoryTab(self.source)

    def _make_invoices(self) -> QWidget:
        from orderchamp_desktop.ui.invoices.tab import InvoicesTab

        return InvoicesTab(self.source)

    def _tab_built(self, tab: Tab) -> None:
        tab.restore_layout(self.settings)

    def _built_tabs(self) -> list[Tab]:
        tabs: list[Tab] = [self.orders_tab]
        tabs += [lazy.content() for lazy in self._lazy.values() if lazy.built]
        return tabs

    def _default_size(self) -> None:
        """First run: 1440 x 900, or most of a smaller screen (later runs restore the last size)."""
        width, height = 1440, 900
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.92))
            height = min(height, int(available.height() * 0.9))
        self.resize(max(width, 760), max(height, 480))

    # ---------------------------------------------------------------- menus
    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.action_sync = QAction("&Sync Now", self)
        self.action_sync.setObjectName("actionSync")
        self.action_sync.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.action_sync.setStatusTip("Download new and changed orders, products and invoices")
        self.action_sync.triggered.connect(self.sync_requested)
        file_menu.addAction(self.action_sync)
        file_menu.addSeparator()
        self.action_sign_out = QAction("Sign &Out…", self)
        self.action_sign_out.setObjectName("actionSignOut")
        self.action_sign_out.triggered.connect(self.ask_sign_out)
        file_menu.addAction(self.action_sign_out)
        file_menu.addSeparator()
        self.action_quit = QAction("&Quit", self)
        self.action_quit.setShortcuts(_quit_shortcuts())
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_quit.triggered.connect(self.close)
        file_menu.addAction(self.action_quit)

        view_menu = menu.addMenu("&View")
        for number, title in enumerate(("&Orders", "&Products", "&Inventory", "In&voices")):
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.triggered.connect(lambda _checked=False, n=number: self.show_tab(n))
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.action_find = QAction("&Find Orders", self)
        self.action_find.setShortcut(QKeySequence.StandardKey.Find)
        self.action_find.triggered.connect(self.focus_order_search)
        view_menu.addAction(self.action_find)
        self.view_menu = view_menu

        help_menu = menu.addMenu("&Help")
        logs = QAction("Open &Log Folder", self)
        logs.triggered.connect(self.open_log_folder)
        help_menu.addAction(logs)
        help_menu.addSeparator()
        self.action_about = QAction(f"&About {APP_NAME}", self)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.action_about.triggered.connect(self.show_about)
        help_menu.addAction(self.action_about)

    # ---------------------------------------------------------------- pages
    def show_welcome(self) -> None:
        self.pages.setCurrentWidget(self.welcome)
        self._welcome_state()

    def _welcome_state(self) -> None:
        """Nothing open: account actions off, status bar empty, banners hidden."""
        self.action_sync.setEnabled(False)
        self.action_sign_out.setEnabled(False)
        self.action_find.setEnabled(False)
        self.set_account("", is_demo=False)
        self.status.set_connection(None)
        self.status.set_idle()
        self.status.last_synced.hide()
        for banner in (self.error_banner, self.offline_banner, self.info_banner):
            banner.hide()

    def show_main(self) -> None:
        self.pages.setCurrentWidget(self.main_page)
        self.action_sign_out.setEnabled(True)
        self.action_find.setEnabled(True)
        self.status.last_synced.show()

    def is_showing_main(self) -> bool:
        return self.pages.currentWidget() is self.main_page

    def show_tab(self, number: int) -> None:
        if self.is_showing_main():
            self.tabs.setCurrentIndex(number)

    def focus_order_search(self) -> None:
        if self.is_showing_main():
            self.tabs.setCurrentWidget(self.orders_tab)
            self.orders_tab.focus_search()

    def set_account(self, name: str, *, is_demo: bool) -> None:
        self.account_name = name
        self.is_demo = is_demo
        label = f"{name} (demo)" if is_demo and name else name
        self.status.set_account(label)
        self.setWindowTitle(f"{label} – {APP_NAME}" if label else APP_NAME)

    def set_can_sync(self, can_sync: bool) -> None:
        self.action_sync.setEnabled(can_sync)

    # ---------------------------------------------------------------- messages
    def show_error(self, sentence: str) -> None:
        """One sentence in the error banner (details go to the log, never a traceback)."""
        self.error_banner.show_message(sentence)
        self.status.showMessage(sentence, 10_000)

    def show_offline(self, sentence: str, retry: bool = True, actions: tuple[BannerAction, ...] = ()) -> None:
        """The offline notice; ``retry`` adds "Try again", ``actions`` any others (e.g. "Sign in")."""
        retry_action: tuple[BannerAction, ...] = (("Try again", self.sync_requested.emit),) if retry else ()
        self.offline_banner.show_message(sentence, retry_action + actions)
        self.status.set_connection(False)

    def show_online(self) -> None:
        self.offline_banner.hide()
        self.status.set_connection(True)

    # ---------------------------------------------------------------- dialogs (non-modal)
    def ask_sign_out(self) -> None:
        from orderchamp_desktop.ui.dialogs.sign_out import SignOutDialog

        dialog = SignOutDialog(self.account_name or "this account", self, is_demo=self.is_demo)
        dialog.confirmed.connect(self.sign_out_requested)
        self._open(dialog)

    # Dialog classes are imported where used: creating their Python types (with their enums)
    # at import time delayed the first paint for a dialog nobody has asked for yet.
    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle(f"About {APP_NAME}")
        box.setIcon(QMessageBox.Icon.Information)
        box.setText(f"{APP_NAME} {__version__}")
        box.setInformativeText(
            "Your Orderchamp wholesale orders, stock and invoices on your desktop.\n\n"
            f"Data folder: {self.paths.data_dir}\nLog folder: {self.paths.log_dir}")
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        self._open(box)

    def _open(self, dialog: QWidget) -> None:
        """Open non-modally (``open()``, never ``exec()``) and keep a reference until closed."""
        from PySide6.QtWidgets import QDialog

        self._dialogs.append(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        if isinstance(dialog, QDialog):
            dialog.open()
        else:
            dialog.show()

    def open_dialogs(self) -> list[QWidget]:
        return list(self._dialogs)

    def open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.log_dir)))

    # ---------------------------------------------------------------- layout memory
    def restore_layout(self) -> None:
        self.settings.restore_window(self)
        for tab in self._built_tabs():
            tab.restore_layout(self.settings)

    def save_layout(self) -> None:
        self.settings.save_window(self)
        for tab in self._built_tabs():
            tab.save_layout(self.settings)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        for dialog in list(self._dialogs):
            dialog.close()
        event.accept()
        self.closing.emit()


def _quit_shortcuts() -> list[QKeySequence]:
    """The platform's Quit key plus Ctrl+Q: some platforms (Windows, some desktops) define none."""
    keys = [*QKeySequence.keyBindings(QKeySequence.StandardKey.Quit), QKeySequence("Ctrl+Q")]
    unique: list[QKeySequence] = []
    for key in keys:
        if not key.isEmpty() and key not in unique:
            unique.append(key)
    return unique
