"""PyInstaller runtime hook (template): run some of PyInstaller's own runtime hooks only
when the module they patch is first imported, not at every start.

``pyi_rth_inspect`` and ``pyi_rth_pkgutil`` monkeypatch ``inspect.getsourcefile`` and
``pkgutil.iter_modules`` for frozen apps; run eagerly they import inspect, zipfile and
pkgutil (~40-60 ms) before ``--version`` or a headless command even starts. The spec
(spec_helpers.defer_runtime_hooks) copies each such hook into the archive as a module and
writes the mapping below into a copy of this file; here, the hook module is imported right
after the module it patches has executed, before anyone can call the patched function.
"""

DEFERRED: dict[str, str] = {}  # watched module -> hook module (filled in by the spec)


def _pyi_rthook() -> None:
    import importlib
    import importlib.util
    import sys

    pending = dict(DEFERRED)
    for name in [n for n in pending if n in sys.modules]:  # already imported: run now
        importlib.import_module(pending.pop(name))

    class _Deferred:
        def find_spec(self, name: str, path: object = None, target: object = None) -> object:
            hook = pending.pop(name, None)
            if hook is None:
                return None
            if not pending:
                sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                importlib.import_module(hook)
                return spec
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module: object) -> None:
                original(module)  # type: ignore[arg-type]
                if getattr(module, "__name__", None) == name:
                    del loader.exec_module  # back to the class's method
                    importlib.import_module(hook)

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    if pending:
        sys.meta_path.insert(0, _Deferred())  # type: ignore[arg-type]


_pyi_rthook()
del _pyi_rthook
