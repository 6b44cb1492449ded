"""Plain-Python helpers for ``orderchamp-desktop.spec`` (no PyInstaller import at module level).

Kept out of the spec so that ``tests/unit/test_packaging.py`` can check them cheaply: the
version and name come from pyproject.toml, the data files come from the same globs as the
wheel's package-data, and the Qt filter is a pure function of a destination path.

Why a filter at all: PyInstaller's Qt hooks collect every plugin of every plugin folder a
used Qt module *might* need (eglfs, VNC, Qt Quick helpers, the GTK3 theme with all of GTK,
the TLS backends...). ``excludes`` only drops Python modules, never those libraries, so the
spec rewrites ``Analysis.binaries``/``datas`` with :func:`keep_entry` and, on Linux, drops
shared libraries no kept binary links to (:func:`prune_unreferenced_libs`).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "orderchamp_desktop"

#: (destination, source, typecode) as found in PyInstaller's TOC lists.
TocEntry = tuple[str, str, str]


@dataclass(frozen=True)
class ProjectMeta:
    dist_name: str  # "orderchamp-desktop": executable, folder and Debian package name
    display_name: str  # "Orderchamp Desktop": window titles, macOS bundle, Start menu
    version: str
    description: str
    bundle_id: str


def project_meta(root: Path = ROOT) -> ProjectMeta:
    """Name and version from pyproject.toml: the one place a release bumps."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name = str(project["name"])
    return ProjectMeta(
        dist_name=name,
        display_name=" ".join(part.capitalize() for part in name.split("-")),
        version=str(project["version"]),
        description=str(project.get("description", "")),
        bundle_id="io.github." + name,
    )


# --- data files --------------------------------------------------------------------------

def package_data_globs(root: Path = ROOT) -> list[str]:
    """The wheel's package-data globs, so the frozen app and a pip install carry the same files."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config.get("tool", {}).get("setuptools", {}).get("package-data", {}).get(PACKAGE, [])
    return [str(g) for g in globs] or ["**/*.graphql"]


def package_datas(root: Path = ROOT, globs: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(source file, destination folder) pairs for PyInstaller's ``datas``.

    Destinations mirror the package layout, so ``importlib.resources.files(...)`` finds the
    .graphql operations and the sandbox schema frozen exactly where it finds them installed.
    """
    package = root / PACKAGE
    pairs: set[tuple[str, str]] = set()
    for pattern in globs if globs is not None else package_data_globs(root):
        for path in package.glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts:
                dest = path.parent.relative_to(root).as_posix()
                pairs.add((str(path), dest))
    return sorted(pairs)


def resource_datas(root: Path = ROOT) -> list[tuple[str, str]]:
    """Everything under resources/ (icons, translations, .desktop), at ``resources/``.

    In the source tree resources/ sits next to the package; frozen, the package sits in
    ``sys._MEIPASS``, so ``Path(orderchamp_desktop.__file__).parents[1] / "resources"``
    resolves in both cases.
    """
    folder = root / "resources"
    if not folder.is_dir():
        return []
    return sorted(
        (str(path), path.parent.relative_to(root).as_posix())
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".") and path.suffix not in {".ts", ".py"}
    )


def write_dist_info(meta: ProjectMeta, workdir: Path) -> tuple[str, str]:
    """A minimal ``*.dist-info`` so ``importlib.metadata.version()`` works in the frozen app.

    orderchamp_desktop/__init__.py reads its version from the installed metadata; frozen,
    there is no installation, and copying an editable install's metadata would be fragile.
    """
    name = meta.dist_name.replace("-", "_")
    folder = workdir / f"{name}-{meta.version}.dist-info"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta.dist_name}\nVersion: {meta.version}\n"
        f"Summary: {meta.description}\n",
        encoding="utf-8",
    )
    return str(folder), folder.name


def app_modules(root: Path = ROOT) -> list[str]:
    """Every module of the app, as hidden imports: some are imported lazily or by name.

    Read from the file tree rather than with PyInstaller's collect_submodules, which imports
    each module in a subprocess (seconds, and a module mid-edit would abort the build).
    """
    names = []
    for path in sorted((root / PACKAGE).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(root).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


# --- which Qt modules the app imports ----------------------------------------------------

ALWAYS_USED_QT = frozenset({"QtCore", "QtGui", "QtWidgets"})


def qt_modules_used(root: Path = ROOT) -> set[str]:
    """PySide6 modules the app's source imports (``from PySide6.QtSvg import ...`` etc.).

    The set grows by itself when a new screen imports a new Qt module, so the spec never
    needs editing for that, and a module nobody imports never lands in the installer.
    """
    used = set(ALWAYS_USED_QT)
    for path in (root / PACKAGE).rglob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue  # someone else's file mid-edit; PyInstaller reports it properly
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "PySide6":
                    used.update(a.name for a in node.names if a.name.startswith("Qt"))
                elif node.module.startswith("PySide6.Qt"):
                    used.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                used.update(a.name.split(".")[1] for a in node.names
                            if a.name.startswith("PySide6.Qt"))
    return used


def qt_python_excludes(used: Iterable[str]) -> list[str]:
    """Every PySide6 Python module the app does not import (the Qt libraries a kept module
    links to are still collected as binaries; this only stops the hooks' extra modules)."""
    try:
        import PySide6
    except ImportError:
        return []
    folder = Path(PySide6.__file__).parent
    available = {p.name.split(".")[0] for p in folder.iterdir()
                 if p.name.startswith("Qt") and p.suffix in {".so", ".pyd"}}
    return sorted(f"PySide6.{name}" for name in available - set(used))


# --- what to keep of Qt's plugins, libraries and translations ----------------------------

#: Plugin folder -> plugin names kept (None: the whole folder). Folders not listed are dropped:
#: eglfs/linuxfb/vnc device integrations, Qt Quick/QML tooling, SQL drivers (the cache uses
#: Python's sqlite3), TLS and network-information backends (httpx does the networking).
QT_PLUGINS_KEPT: dict[str, frozenset[str] | None] = {
    # offscreen: --self-test and CI; xcb + wayland: Linux desktops; cocoa/windows: the others.
    "platforms": frozenset({"qoffscreen", "qxcb", "qwayland", "qcocoa", "qwindows"}),
    "platforms/darwin": None,
    # PNG is built into QtGui; SVG for icons, JPEG for product photos. No TIFF/WebP/GIF/ICNS.
    "imageformats": frozenset({"qsvg", "qjpeg"}),
    "iconengines": frozenset({"qsvgicon"}),
    # The portal theme gives native file dialogs on GNOME/KDE/Flatpak. The GTK3 theme would
    # drag in all of GTK (~20 MB) for little gain.
    "platformthemes": frozenset({"qxdgdesktopportal"}),
    "platforminputcontexts": frozenset({"composeplatforminputcontextplugin",
                                        "ibusplatforminputcontextplugin"}),
    "xcbglintegrations": None,
    "wayland-shell-integration": frozenset({"xdg-shell"}),
    "wayland-decoration-client": frozenset({"bradient", "adwaita"}),
    # Without a client buffer integration Qt warns on every Wayland start.
    "wayland-graphics-integration-client": frozenset({"qt-plugin-wayland-egl"}),
    "printsupport": None,  # CUPS on Linux: packing slips and pick lists are printed
    "styles": None,  # Windows 11 / macOS native widget styles
    "accessiblebridge": None,
    "accessible": None,
}

#: Qt libraries only the dropped plugins or unused modules link to (matched on every OS:
#: libQt6Qml.so.6, Qt6Qml.dll, QtQml.framework/...).
_QT_LIBS_DROPPED = re.compile(
    r"(^|/)(lib)?Qt6?(EglFS\w*|EglFsKms\w*|WlShellIntegration|WaylandCompositor\w*|Pdf\w*|"
    r"VirtualKeyboard\w*|Qml\w*|Quick\w*|LabsAnimation|Designer\w*|Network)(\.|/|$)"
)

#: Windows: Qt Quick's software OpenGL and shader compiler; a widgets app paints in software.
_WINDOWS_DROPPED = {"opengl32sw.dll", "d3dcompiler_47.dll"}

#: Qt's own translations: the standard dialogs' buttons in the languages of Orderchamp's
#: markets. All ~100 catalogues would add 7 MB.
TRANSLATION_LANGUAGES = ("nl", "de", "fr", "es", "it", "da", "sv", "en")
_TRANSLATION = re.compile(r"(^|/)translations/(qt|qtbase)_(?P<lang>[a-z]{2})(_[A-Z]{2})?\.qm$")

#: Linux libraries the system provides (the .deb's Depends lists their packages): the C++
#: runtime (never bundle libstdc++: a newer system Mesa or theme plugin would load a
#: second, older copy), and the graphics/desktop stack, which must match the user's
#: display server and drivers. The Python runtime's own libraries stay bundled.
_LINUX_SYSTEM_LIBS = re.compile(
    r"^lib(stdc\+\+|gcc_s|X\w*|xcb\w*|xkbcommon\w*|wayland-\w+|EGL|GL\w*|OpenGL|drm|gbm|"
    r"fontconfig|freetype|harfbuzz|png16|glib-2\.0|gobject-2\.0|gio-2\.0|gmodule-2\.0|"
    r"gthread-2\.0|dbus-1|systemd|cups|gtk-3|gdk\w*|cairo\w*|pango\w*|atk\w*|epoxy|pixman-1|"
    r"gnutls|krb5\w*|gssapi\w*|avahi\w*)[.-]"
)
_SYSTEM_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")


def _plugin_parts(dest: str) -> tuple[str, str] | None:
    """('imageformats', 'qsvg') for '.../plugins/imageformats/libqsvg.so' (any OS)."""
    path = PurePosixPath(dest.replace("\\", "/"))
    if "plugins" not in path.parts[:-1]:
        return None
    index = len(path.parts) - 1 - path.parts[::-1].index("plugins")
    folder = "/".join(path.parts[index + 1:-1])
    stem = path.name.split(".")[0]
    return folder, stem.removeprefix("lib")


def keep_entry(dest: str, src: str = "", platform: str = sys.platform) -> bool:
    """False for a file of Analysis.binaries/datas the app does not need (see module doc)."""
    posix = dest.replace("\\", "/")
    name = posix.rsplit("/", 1)[-1]
    if not (posix.startswith("PySide6/") or "/PySide6/" in posix):
        if platform.startswith("linux") and src.startswith(_SYSTEM_DIRS):
            return not _LINUX_SYSTEM_LIBS.match(name)
        return True
    plugin = _plugin_parts(posix)
    if plugin is not None:
        folder, stem = plugin
        if folder not in QT_PLUGINS_KEPT:
            return False
        kept = QT_PLUGINS_KEPT[folder]
        return kept is None or stem in kept
    if "/translations/" in posix or posix.startswith("PySide6/translations/"):
        match = _TRANSLATION.search(posix)
        return match is not None and match.group("lang") in TRANSLATION_LANGUAGES
    if name.lower() in _WINDOWS_DROPPED:
        return False
    return not _QT_LIBS_DROPPED.search(posix)


def filter_toc(entries: Iterable[TocEntry], platform: str = sys.platform,
               keep_network: bool = False) -> list[TocEntry]:
    """Apply :func:`keep_entry`; QtNetwork stays when the app itself imports it."""
    def wanted(dest: str, src: str) -> bool:
        return bool(keep_network and re.search(r"Qt6?Network", dest)) or keep_entry(dest, src, platform)

    return [(dest, src, kind) for dest, src, kind in entries if wanted(dest, src)]


def drop_dangling_symlinks(datas: Iterable[TocEntry], binaries: Iterable[TocEntry]) -> list[TocEntry]:
    """PyInstaller lists top-level symlinks to Qt's libraries (``libQt6Network.so.6 ->
    PySide6/Qt/lib/...``) in ``datas``; drop those whose target was filtered out."""
    datas = list(datas)
    present = {dest.replace("\\", "/") for dest, _, kind in [*datas, *binaries] if kind != "SYMLINK"}
    kept = []
    for dest, src, kind in datas:
        if kind == "SYMLINK":
            parent = PurePosixPath(dest.replace("\\", "/")).parent
            target = _normalise(parent / src.replace("\\", "/"))
            if target not in present:
                continue
        kept.append((dest, src, kind))
    return kept


def _normalise(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


# --- Linux: drop shared libraries nothing kept links to -----------------------------------

def _is_shared_lib_dependency(dest: str) -> bool:
    """Libraries collected only because something linked them: top level or Qt's lib/."""
    posix = dest.replace("\\", "/")
    name = posix.rsplit("/", 1)[-1]
    return (name.startswith("lib") and ".so" in name and "python" not in name
            and ("/" not in posix or posix.startswith("PySide6/Qt/lib/")))


def elf_needed(path: str, runner: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
               ) -> list[str]:
    """DT_NEEDED entries of an ELF file (objdump comes with binutils, which PyInstaller needs)."""
    result = runner(["objdump", "-p", path], capture_output=True, text=True, check=False)
    return [line.split()[1] for line in result.stdout.splitlines()
            if line.strip().startswith("NEEDED")]


def prune_unreferenced_libs(entries: Sequence[TocEntry],
                            needed: Callable[[str], list[str]] = elf_needed) -> list[TocEntry]:
    """Keep a dependency library only if a kept extension module, plugin or library needs it.

    After the plugin filter, e.g. GTK's 40 libraries are still in the list because the GTK3
    theme plugin pulled them in; nothing else links to them, so they go too.
    """
    by_name = {dest.replace("\\", "/").rsplit("/", 1)[-1]: (dest, src, kind)
               for dest, src, kind in entries if _is_shared_lib_dependency(dest)}
    roots = [src for dest, src, _ in entries if not _is_shared_lib_dependency(dest)]
    reached: set[str] = set()
    queue = list(roots)
    while queue:
        for lib in needed(queue.pop()):
            if lib in by_name and lib not in reached:
                reached.add(lib)
                queue.append(by_name[lib][1])
    return [entry for entry in entries
            if not _is_shared_lib_dependency(entry[0])
            or entry[0].replace("\\", "/").rsplit("/", 1)[-1] in reached]


def replace_runtime_hook(scripts: Sequence[TocEntry], name: str, replacement: str) -> list[TocEntry]:
    """Swap one of PyInstaller's runtime hooks (a PYSOURCE entry of ``Analysis.scripts``)."""
    if not any(dest == name for dest, _, _ in scripts):
        raise SystemExit(f"runtime hook {name} not found: PyInstaller changed; review {replacement}")
    return [(dest, replacement if dest == name else src, kind) for dest, src, kind in scripts]


#: PyInstaller runtime hooks that only monkeypatch a module (multiprocessing: freeze_support,
#: which the app never calls) run when that module is first imported.
DEFERRED_RUNTIME_HOOKS = {"pyi_rth_inspect": "inspect", "pyi_rth_pkgutil": "pkgutil",
                          "pyi_rth_multiprocessing": "multiprocessing"}


def defer_runtime_hooks(scripts: Sequence[TocEntry], pure: Sequence[TocEntry], workdir: Path,
                        template: Path, hooks: dict[str, str] | None = None,
                        ) -> tuple[list[TocEntry], list[TocEntry]]:
    """Turn runtime hooks into archive modules imported by one deferring hook (see
    rthook_deferred.py). Returns the new ``Analysis.scripts`` and ``Analysis.pure``."""
    hooks = DEFERRED_RUNTIME_HOOKS if hooks is None else hooks
    workdir.mkdir(parents=True, exist_ok=True)
    mapping: dict[str, str] = {}
    modules: list[TocEntry] = []
    kept: list[TocEntry] = []
    insert_at: int | None = None
    for dest, src, kind in scripts:
        if dest in hooks:
            module = f"_oc_deferred_{dest}"
            copy = workdir / f"{module}.py"
            copy.write_text(Path(src).read_text(encoding="utf-8"), encoding="utf-8")
            modules.append((module, str(copy), "PYMODULE"))
            mapping[hooks[dest]] = module
            insert_at = len(kept) if insert_at is None else insert_at
        else:
            kept.append((dest, src, kind))
    if insert_at is None:
        return list(scripts), list(pure)
    text = template.read_text(encoding="utf-8")
    marker = "DEFERRED: dict[str, str] = {}"
    if marker not in text:
        raise SystemExit(f"{template} lost its {marker!r} line")
    hook_file = workdir / "rthook_deferred.py"
    hook_file.write_text(text.replace(marker, f"DEFERRED: dict[str, str] = {mapping!r}"), encoding="utf-8")
    kept.insert(insert_at, ("rthook_deferred", str(hook_file), "PYSOURCE"))
    return kept, [*pure, *modules]


# --- hidden imports and excludes ---------------------------------------------------------

def hidden_imports(platform: str = sys.platform) -> list[str]:
    """Modules PyInstaller cannot see being imported.

    keyring finds its backends through entry points (PyInstaller's keyring hook copies the
    metadata and collects keyring.backends); the platform's backend module is named here
    too so a hook change cannot silently leave the app with only the 'fail' backend.
    qasync picks its event loop module per OS at import time.
    """
    common = ["keyring.backends.fail", "keyring.backends.chainer", "qasync", "qasync._common"]
    if platform.startswith("win"):
        return [*common, "keyring.backends.Windows", "win32ctypes.core", "qasync._windows"]
    if platform == "darwin":
        return [*common, "keyring.backends.macOS", "qasync._unix"]
    return [*common, "keyring.backends.SecretService", "secretstorage", "jeepney", "qasync._unix"]


EXCLUDES = [
    # qasync tries these bindings in turn; only PySide6 is shipped.
    "PyQt5", "PyQt6", "PySide2",
    # Development-only or unused standard library parts.
    "tkinter", "_tkinter", "idlelib", "lib2to3", "pydoc_data", "test", "pytest", "mypy", "ruff",
    "setuptools", "pip", "PyInstaller",
]
