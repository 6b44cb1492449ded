"""PyInstaller runtime hook for PySide6 that does not load Qt at start-up.

It replaces PyInstaller's own ``pyi_rth_pyside6`` (the spec swaps it in). That hook imports
``PySide6.QtCore`` before the app's first line runs, only to check for an embedded qt.conf:
~200 ms of loading Qt and ICU that ``--version`` and the headless commands (sync, export)
never need, and that made the frozen ``--version`` three times slower than the venv's.
Here the same work happens right after the app itself first imports ``PySide6.QtCore``.

Also sets QT_API so qasync picks PySide6 without probing PyQt5, PyQt6 and PySide2 first.
"""


def _pyi_rthook() -> None:
    import importlib.util
    import os
    import sys

    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable
    from _pyi_rth_utils import qt as qt_rth_utils

    os.environ.setdefault("QT_API", "pyside6")
    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
    meipass = sys._MEIPASS  # type: ignore[attr-defined]
    if sys.platform.startswith("win"):
        qt_path = os.path.join(meipass, "PySide6")
        # Qt's plugins find their DLLs (and OpenSSL, for QtNetwork) through PATH.
        prepend_path_to_environment_variable(meipass, "PATH")
    else:
        qt_path = os.path.join(meipass, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_path, "plugins")
    if sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(meipass, "DYLD_LIBRARY_PATH")

    class _AfterQtCore:
        """Meta-path finder that fires once: when PySide6.QtCore is first imported."""

        def find_spec(self, name: str, path: object = None, target: object = None) -> object:
            if name != "PySide6.QtCore":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module: object) -> None:
                original(module)  # type: ignore[arg-type]
                # Relocate Qt's prefix to the frozen folder when the wheel did not.
                qt_rth_utils.create_embedded_qt_conf("PySide6", qt_path)

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, _AfterQtCore())  # type: ignore[arg-type]


_pyi_rthook()
del _pyi_rthook
