"""Cheap checks of the packaging files; building the frozen app is .ci/run's job.

The spec is executed for real here, with PyInstaller's build classes replaced by recorders:
what is under test is the spec's own logic (names, version, data files, filters), not
PyInstaller.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import plistlib
import re
import shutil
import string
import struct
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "orderchamp-desktop.spec"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NAME = PYPROJECT["project"]["name"]
VERSION = PYPROJECT["project"]["version"]
ICONS = ROOT / "resources" / "icons" / "app"


def _load(name: str) -> ModuleType:
    """Import a file from packaging/ (not a package: its name would shadow `packaging`)."""
    spec = importlib.util.spec_from_file_location(f"_pkg_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


helpers = _load("spec_helpers")


# ------------------------------------------------------------------ the spec, executed

class Recorder:
    """Stands in for one of PyInstaller's build classes and keeps its arguments."""

    calls: dict[str, list[Recorder]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs
        Recorder.calls.setdefault(type(self).__name__, []).append(self)


class Analysis(Recorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rthooks = Path(sys.prefix) / "rthooks"  # sources only read for deferred hooks
        self.scripts = [("pyiboot01_bootstrap", "boot.py", "PYSOURCE"),
                        ("pyi_rth_pyside6", str(rthooks / "pyi_rth_pyside6.py"), "PYSOURCE"),
                        ("pyi_rth_inspect", str(PACKAGING / "launcher.py"), "PYSOURCE"),
                        ("launcher", str(PACKAGING / "launcher.py"), "PYSOURCE")]
        self.pure: list[tuple[str, str, str]] = []
        self.binaries = [("PySide6/Qt/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"),
                         ("PySide6/Qt/plugins/platforms/libqvnc.so", "/x/libqvnc.so", "BINARY")]
        self.datas = [(dest, src, "DATA") for src, dest in kwargs["datas"]]


class PYZ(Recorder):
    pass


class EXE(Recorder):
    pass


class COLLECT(Recorder):
    pass


class BUNDLE(Recorder):
    pass


@pytest.fixture(scope="module")
def spec_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Recorder]]:
    Recorder.calls = {}
    work = tmp_path_factory.mktemp("work")
    code = compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
    namespace: dict[str, Any] = {"SPECPATH": str(PACKAGING), "workpath": str(work),
                                 "Analysis": Analysis, "PYZ": PYZ, "EXE": EXE,
                                 "COLLECT": COLLECT, "BUNDLE": BUNDLE, "__file__": str(SPEC)}
    path_before = list(sys.path)
    try:
        exec(code, namespace)
    finally:
        sys.path[:] = path_before
    return Recorder.calls


def test_spec_is_python_that_compiles() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "COLLECT" for n in ast.walk(tree))


def test_spec_names_the_app_and_its_version_from_pyproject(spec_run: dict[str, list[Recorder]]) -> None:
    collect = spec_run["COLLECT"][0]
    assert collect.kwargs["name"] == NAME == "orderchamp-desktop"
    assert spec_run["EXE"][0].kwargs["name"] == NAME
    assert helpers.project_meta(ROOT).version == VERSION
    metadata = [src for src, dest in spec_run["Analysis"][0].kwargs["datas"] if dest.endswith(".dist-info")]
    assert len(metadata) == 1
    assert f"Version: {VERSION}\n" in (Path(metadata[0]) / "METADATA").read_text(encoding="utf-8")


def test_spec_declares_keyring_backends_qasync_and_the_qt_modules_in_use(
        spec_run: dict[str, list[Recorder]]) -> None:
    analysis = spec_run["Analysis"][0].kwargs
    hidden = set(analysis["hiddenimports"])
    assert {"qasync", "keyring.backends.fail"} <= hidden
    platform_backend = {"linux": "keyring.backends.SecretService", "darwin": "keyring.backends.macOS",
                        "win32": "keyring.backends.Windows"}[sys.platform]
    assert platform_backend in hidden
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} <= hidden
    assert "orderchamp_desktop.selftest" in hidden
    excluded = set(analysis["excludes"])
    assert {"PyQt5", "PyQt6", "PySide2", "tkinter"} <= excluded
    assert not {m for m in hidden if m.startswith("PySide6.")} & excluded


def test_spec_filters_qt_plugins_and_defers_runtime_hooks(spec_run: dict[str, list[Recorder]]) -> None:
    analysis = spec_run["Analysis"][0]
    assert isinstance(analysis, Analysis)
    assert [dest for dest, _, _ in analysis.binaries] == ["PySide6/Qt/plugins/platforms/libqxcb.so"]
    hooks = {dest: src for dest, src, _ in analysis.scripts}
    assert hooks["pyi_rth_pyside6"] == str(PACKAGING / "rthook_qt.py")
    assert "pyi_rth_inspect" not in hooks and "rthook_deferred" in hooks
    deferred = Path(hooks["rthook_deferred"]).read_text(encoding="utf-8")
    assert "{'inspect': '_oc_deferred_pyi_rth_inspect'}" in deferred
    assert ("_oc_deferred_pyi_rth_inspect" in {name for name, _, _ in analysis.pure})
    compile(deferred, "rthook_deferred.py", "exec")


# ------------------------------------------------------------------ data files

def test_every_graphql_file_is_bundled_where_importlib_resources_looks() -> None:
    graphql = sorted((ROOT / "orderchamp_desktop").rglob("*.graphql"))
    assert len(graphql) >= 2  # the sandbox schema and at least one operation
    datas = dict(helpers.package_datas(ROOT))
    for path in graphql:
        assert str(path) in datas, f"{path} is not matched by the spec's data globs"
        assert datas[str(path)] == path.parent.relative_to(ROOT).as_posix()


def test_shared_fragment_files_in_a_subfolder_are_bundled_in_that_subfolder() -> None:
    folder = ROOT / "orderchamp_desktop" / "core" / "api" / "operations" / "fragments"
    fragments = sorted(folder.glob("*.graphql"))
    assert fragments, "the shared GraphQL fragments moved: update this test"
    datas = dict(helpers.package_datas(ROOT))
    for path in fragments:
        assert datas.get(str(path)) == "orderchamp_desktop/core/api/operations/fragments"


def test_resources_are_bundled_next_to_the_package() -> None:
    datas = dict(helpers.resource_datas(ROOT))
    assert datas[str(ICONS / "orderchamp-desktop.svg")] == "resources/icons/app"
    assert datas[str(ROOT / "resources" / "orderchamp-desktop.desktop")] == "resources"


def test_app_modules_cover_lazily_imported_ones() -> None:
    modules = helpers.app_modules(ROOT)
    assert "orderchamp_desktop.selftest" in modules
    assert "orderchamp_desktop.sandbox" in modules
    assert not any(m.endswith("__init__") for m in modules)


# ------------------------------------------------------------------ Qt filter

@pytest.mark.parametrize(("dest", "src", "platform", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", "", "linux", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "", "linux", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", "", "linux", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", "", "linux", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "", "linux", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", "", "linux", True),
    ("PySide6/Qt/plugins/imageformats/libqtiff.so", "", "linux", False),
    ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "", "linux", True),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", "", "linux", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", "", "linux", False),
    ("PySide6/Qt/lib/libQt6Quick.so.6", "", "linux", False),
    ("PySide6/Qt/lib/libQt6Widgets.so.6", "", "linux", True),
    ("PySide6/Qt/translations/qtbase_nl.qm", "", "linux", True),
    ("PySide6/Qt/translations/qtbase_ja.qm", "", "linux", False),
    ("PySide6/Qt/translations/qtdeclarative_nl.qm", "", "linux", False),
    ("libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "linux", False),
    ("libxcb-icccm.so.4", "/lib/x86_64-linux-gnu/libxcb-icccm.so.4", "linux", False),
    ("libssl.so.3", "/usr/lib/x86_64-linux-gnu/libssl.so.3", "linux", True),
    ("libpython3.11.so.1.0", "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", "linux", True),
    ("PySide6/plugins/platforms/qwindows.dll", "", "win32", True),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", "", "win32", True),
    ("PySide6/opengl32sw.dll", "", "win32", False),
    ("PySide6/Qt6Qml.dll", "", "win32", False),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", "", "darwin", True),
    ("PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick", "", "darwin", False),
    ("PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui", "", "darwin", True),
])
def test_keep_entry(dest: str, src: str, platform: str, kept: bool) -> None:
    assert helpers.keep_entry(dest, src, platform) is kept


def test_qtnetwork_stays_when_the_app_imports_it() -> None:
    toc = [("PySide6/Qt/lib/libQt6Network.so.6", "/x", "BINARY")]
    assert helpers.filter_toc(toc, "linux") == []
    assert helpers.filter_toc(toc, "linux", keep_network=True) == toc


def test_prune_keeps_only_libraries_something_kept_links_to() -> None:
    graph = {"/x/QtGui.abi3.so": ["libQt6Gui.so.6"], "/x/libQt6Gui.so.6": ["libicuuc.so.73"],
             "/x/libicuuc.so.73": [], "/x/libgtk-3.so.0": ["libcairo.so.2"], "/x/libcairo.so.2": []}
    toc = [("PySide6/QtGui.abi3.so", "/x/QtGui.abi3.so", "EXTENSION"),
           ("PySide6/Qt/lib/libQt6Gui.so.6", "/x/libQt6Gui.so.6", "BINARY"),
           ("PySide6/Qt/lib/libicuuc.so.73", "/x/libicuuc.so.73", "BINARY"),
           ("libgtk-3.so.0", "/x/libgtk-3.so.0", "BINARY"),
           ("libcairo.so.2", "/x/libcairo.so.2", "BINARY")]
    kept = helpers.prune_unreferenced_libs(toc, needed=lambda path: graph[path])
    assert [dest for dest, _, _ in kept] == [
        "PySide6/QtGui.abi3.so", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libicuuc.so.73"]


def test_symlinks_to_dropped_libraries_go_too() -> None:
    binaries = [("PySide6/Qt/lib/libQt6Gui.so.6", "/x", "BINARY")]
    datas = [("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
             ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
             ("PySide6/Qt/lib/libx.so", "../../../libx.so", "SYMLINK")]
    kept = helpers.drop_dangling_symlinks(datas, binaries)
    assert [dest for dest, _, _ in kept] == ["libQt6Gui.so.6"]


# ------------------------------------------------------------------ desktop file and icons

DESKTOP_KEYS = {"Type", "Version", "Name", "GenericName", "NoDisplay", "Comment", "Icon", "Hidden",
                "OnlyShowIn", "NotShowIn", "DBusActivatable", "TryExec", "Exec", "Path", "Terminal",
                "Actions", "MimeType", "Categories", "Implements", "Keywords", "StartupNotify",
                "StartupWMClass", "URL", "PrefersNonDefaultGPU", "SingleMainWindow"}


def test_desktop_file_is_valid_and_launches_the_installed_command() -> None:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(ROOT / "resources" / f"{NAME}.desktop", encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"]
    entry = parser["Desktop Entry"]
    for key in entry:
        base = re.sub(r"\[[A-Za-z_@.]+\]$", "", key)
        assert base in DESKTOP_KEYS or base.startswith("X-"), f"unknown key {key}"
    assert entry["Type"] == "Application"
    assert entry["Name"] == helpers.project_meta(ROOT).display_name
    assert entry["Exec"].split()[0] == NAME == next(iter(PYPROJECT["project"]["scripts"]))
    assert entry["Icon"] == NAME and entry["StartupWMClass"] == NAME
    assert entry["Terminal"] == "false"
    categories = entry["Categories"]
    assert categories.endswith(";") and "Office" in categories.split(";")


def test_icon_set_is_complete() -> None:
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        data = (ICONS / f"{NAME}-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    assert b"<svg" in (ICONS / f"{NAME}.svg").read_bytes()


def test_ico_holds_png_images_at_the_windows_sizes() -> None:
    data = (ICONS / f"{NAME}.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, _, _, _, _, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index: 22 + 16 * index])
        assert bits == 32 and data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(width or 256)
    assert {16, 32, 48, 256} <= set(sizes)


def test_icns_is_well_formed() -> None:
    data = (ICONS / f"{NAME}.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    position, kinds = 8, set()
    while position < len(data):
        kind, length = data[position:position + 4], struct.unpack(">I", data[position + 4:position + 8])[0]
        assert data[position + 8:position + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.add(kind)
        position += length
    assert position == len(data)
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= kinds


# ------------------------------------------------------------------ installers of the other OSes

def test_inno_setup_script_takes_its_version_from_outside() -> None:
    text = (PACKAGING / "windows" / "orderchamp-desktop.iss").read_text(encoding="utf-8")
    code = [line for line in text.splitlines() if not line.lstrip().startswith(";")]
    assert not [line for line in code if VERSION in line]
    assert 'GetEnv("ORDERCHAMP_VERSION")' in text and "AppVersion={#AppVersion}" in text
    assert re.search(r"^PrivilegesRequiredOverridesAllowed=dialog", text, re.MULTILINE)
    assert "{autoprograms}" in text  # Start menu entry
    assert "#ifdef Sign" in text and "SignTool=ocsign" in text


def test_windows_version_resource_template_fills_in() -> None:
    """PyInstaller eval()s this file with its versioninfo classes (which need pefile, a
    Windows-only dependency); plain recorders check the same expression here."""
    template = (PACKAGING / "windows" / "version_info.txt.in").read_text(encoding="utf-8")
    text = string.Template(template).substitute(
        VERSION="1.2.3", VERSION_TUPLE="1, 2, 3, 0", NAME="Orderchamp Desktop",
        EXE="orderchamp-desktop.exe", DESCRIPTION="it\\'s")

    def record(kind: str) -> Any:
        return lambda *args, **kwargs: (kind, args, kwargs)

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
             "VarFileInfo", "VarStruct")
    info = eval(text, {name: record(name) for name in names})
    assert info[0] == "VSVersionInfo"
    assert info[2]["ffi"][2]["filevers"] == (1, 2, 3, 0)
    string_file_info = info[2]["kids"][0]
    table = string_file_info[1][0][0]  # StringFileInfo([StringTable(lang, [StringStruct...])])
    strings = dict(struct_[1] for struct_ in table[1][1])
    assert strings["ProductVersion"] == "1.2.3" and strings["Comments"] == "it's"


def test_macos_plists_parse_and_carry_the_version() -> None:
    template = (PACKAGING / "macos" / "Info.plist").read_text(encoding="utf-8")
    meta = helpers.project_meta(ROOT)
    info = plistlib.loads(string.Template(template).substitute(
        DISPLAY_NAME=meta.display_name, EXECUTABLE=NAME, BUNDLE_ID=meta.bundle_id,
        VERSION=VERSION, ICON=f"{NAME}.icns").encode("utf-8"))
    assert info["CFBundleShortVersionString"] == VERSION
    assert info["CFBundleExecutable"] == NAME and info["CFBundleIdentifier"] == meta.bundle_id
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert "keychain-access-groups" not in entitlements  # needs a provisioning profile
    assert all(value is True for value in entitlements.values())


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg --compare-versions")
def test_deb_depends_merge_keeps_the_highest_minimum_version() -> None:
    merge = _load("deb_depends").merge
    assert merge(["libc6 (>= 2.34)", "libx11-6", "libc6 (>= 2.35)", "libx11-6 (>= 2:1.8.4)",
                  "libc6 (>= 2.9)", "zlib1g (>= 1:1.2.0)", "zlib1g (>= 1:1.2.3.4)"]) == [
        "libc6 (>= 2.35)", "libx11-6 (>= 2:1.8.4)", "zlib1g (>= 1:1.2.3.4)"]
