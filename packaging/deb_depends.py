"""Print the Debian ``Depends`` of a PyInstaller one-folder build: what its binaries need
from the system, with minimum versions, as dpkg-shlibdeps computes them.

    python packaging/deb_depends.py dist/orderchamp-desktop

dpkg-shlibdeps reads every binary's undefined symbols against the packages' symbols files,
which is exact but slow (~15 s of CPU for ~100 files). It runs here on one chunk of files per
core and the answers are merged, keeping the highest minimum version per package.
Libraries bundled in the folder are found through ``-l`` and belong to no package, so they
are skipped (``--ignore-missing-info``). Exit status 2: dpkg-shlibdeps is not installed.

The answer is cached (``~/.cache/orderchamp-desktop-build``) under a hash of the binaries and
of dpkg's package database, so a rebuild with the same binaries and system skips the work.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_ENTRY = re.compile(r"^(?P<pkg>[^\s(]+)(\s*\(>=\s*(?P<version>[^)]+)\))?$")


def elf_files(app_dir: Path) -> list[Path]:
    """Shared libraries, extension modules and the executables of the build."""
    found = []
    for path in sorted(app_dir.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if ".so" in path.name or os.access(path, os.X_OK):
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _start_chunk(files: list[Path], search_dirs: list[Path], work: Path) -> subprocess.Popen[str]:
    (work / "debian").mkdir(parents=True)
    (work / "debian" / "control").write_text(
        "Source: bundle\n\nPackage: bundle\nArchitecture: any\n", encoding="utf-8")
    command = ["dpkg-shlibdeps", "-O", "--ignore-missing-info", "--warnings=0",
               *(f"-l{folder}" for folder in search_dirs), *map(str, files)]
    return subprocess.Popen(command, cwd=work, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def _parse(output: str) -> list[str]:
    for line in output.splitlines():
        if line.startswith("shlibs:Depends="):
            return [part.strip() for part in line.split("=", 1)[1].split(",") if part.strip()]
    return []


def _newer(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "gt", b], check=False).returncode == 0


def merge(entries: list[str]) -> list[str]:
    """One entry per package, with the highest ``>=`` version any chunk asked for."""
    versions: dict[str, str | None] = {}
    for entry in entries:
        match = _ENTRY.match(entry)
        if match is None:  # alternatives ("a | b") or other relations: keep verbatim
            versions.setdefault(entry, None)
            continue
        pkg, version = match.group("pkg"), match.group("version")
        current = versions.get(pkg)
        if pkg not in versions or (version and (current is None or _newer(version, current))):
            versions[pkg] = version
    return [f"{pkg} (>= {v})" if v else pkg for pkg, v in sorted(versions.items())]


def depends(app_dir: Path, jobs: int | None = None) -> list[str]:
    files = elf_files(app_dir)
    internal = app_dir / "_internal"
    search = [internal, internal / "PySide6" / "Qt" / "lib"]
    count = max(1, min(jobs or os.cpu_count() or 2, len(files)))
    with tempfile.TemporaryDirectory(prefix="shlibdeps-") as tmp:
        procs = [_start_chunk(files[i::count], search, Path(tmp) / str(i)) for i in range(count)]
        outputs = [proc.communicate()[0] for proc in procs]
        if any(proc.returncode for proc in procs):
            raise SystemExit("dpkg-shlibdeps failed")
    return merge([entry for output in outputs for entry in _parse(output)])


DPKG_STATUS = Path("/var/lib/dpkg/status")


def cache_key(app_dir: Path) -> str:
    """Same binaries and same installed packages: same answer.

    The executables at the top are PyInstaller's bootloader with the app's code archive
    appended, which changes with every code change; the bootloader's own needs change only
    with PyInstaller's version, which stands in for them.
    """
    digest = hashlib.sha256()
    try:
        import PyInstaller

        digest.update(f"pyinstaller {PyInstaller.__version__}".encode())
    except ImportError:
        pass
    for path in elf_files(app_dir):
        relative = path.relative_to(app_dir).as_posix()
        digest.update(relative.encode())
        if "/" in relative:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    if DPKG_STATUS.exists():
        digest.update(DPKG_STATUS.read_bytes())
    return digest.hexdigest()[:32]


def cached_depends(app_dir: Path, cache_dir: Path) -> list[str]:
    entry = cache_dir / f"depends-{cache_key(app_dir)}.txt"
    if entry.exists():
        return [part.strip() for part in entry.read_text(encoding="utf-8").split(",") if part.strip()]
    found = depends(app_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    entry.write_text(", ".join(found), encoding="utf-8")
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    if shutil.which("dpkg-shlibdeps") is None:
        return 2
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "orderchamp-desktop-build"
    print(", ".join(cached_depends(Path(argv[1]).resolve(), cache)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
