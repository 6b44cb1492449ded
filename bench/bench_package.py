"""Package sizes and the frozen app's start-up time against the venv's, in one run.

    python -m bench.bench_package        (after `make package`: needs dist/)

Start-up is timed two ways, each as a whole process from exec to exit, frozen and venv
runs interleaved so both see the same machine load, median of several runs:

- ``--version``: interpreter start and the app's entry module;
- window: ``--self-test`` restricted to its ``qt`` and ``window`` steps (offscreen): Qt
  loaded, QApplication created, the main window built and painted, the process exited.

The page cache is warm after the first run of each (the first pair is shown separately):
what a user sees from the second launch on. ``BENCH_PACKAGE_DROP_CACHES=1`` (root, Linux)
adds truly cold starts: the kernel's page cache is dropped before every run, which slows
everything else on the machine for a moment, hence opt-in.
Targets (issue 5): installer < 60 MB; frozen start <= 1.2 x venv start.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
RUNS = int(os.environ.get("BENCH_PACKAGE_RUNS", "7"))
SIZE_TARGET_MB = 60.0
START_TARGET_RATIO = 1.2
MB = 1024 * 1024
DROP_CACHES = Path("/proc/sys/vm/drop_caches")
COLD_RUNS = 3


def _project() -> tuple[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["name"]), str(project["version"])


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _newest(pattern: str) -> Path | None:
    found = sorted(DIST.glob(pattern), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def report_sizes(name: str, version: str) -> bool:
    folder = DIST / name
    deb = _newest(f"{name}_{version}_*.deb")
    tarball = _newest(f"{name}-{version}-linux-*.tar.gz")
    print(f"one-folder build  {folder_size(folder) / MB:7.1f} MiB  {folder.relative_to(ROOT)}/")
    ok = True
    for label, path in ((".deb", deb), ("tarball", tarball)):
        if path is None:
            print(f"{label:<17} missing (run `make package`)")
            continue
        size = path.stat().st_size / MB
        verdict = "ok" if size < SIZE_TARGET_MB else f"OVER the {SIZE_TARGET_MB:.0f} MB target"
        ok = ok and size < SIZE_TARGET_MB
        print(f"{label:<17} {size:7.1f} MiB  {path.name}  ({verdict})")
    return ok


def _venv_command() -> list[str]:
    """The installed console script when there is one (what `make demo` runs), else -m."""
    script = Path(sys.executable).parent / "orderchamp-desktop"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "orderchamp_desktop"]


def _time_once(command: Sequence[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr[-500:]}")
    return elapsed


def compare(label: str, frozen: list[str], venv: list[str], env: dict[str, str]) -> float:
    """Interleaved runs; prints medians, the first (coldest) pair, and the ratio."""
    times: dict[str, list[float]] = {"frozen": [], "venv": []}
    for _ in range(RUNS):
        times["venv"].append(_time_once(venv, env))
        times["frozen"].append(_time_once(frozen, env))
    med = {kind: statistics.median(values[1:] or values) for kind, values in times.items()}
    ratio = med["frozen"] / med["venv"]
    verdict = "ok" if ratio <= START_TARGET_RATIO else f"OVER the {START_TARGET_RATIO} target"
    print(f"start {label:<26} venv {med['venv'] * 1000:6.0f} ms   frozen {med['frozen'] * 1000:6.0f} ms"
          f"   frozen/venv {ratio:4.2f}  ({verdict}; first run: venv "
          f"{times['venv'][0] * 1000:.0f} ms, frozen {times['frozen'][0] * 1000:.0f} ms; "
          f"median of {max(1, RUNS - 1)})")
    return ratio


def _drop_caches() -> None:
    os.sync()
    DROP_CACHES.write_text("3\n", encoding="ascii")


def compare_cold(label: str, frozen: list[str], venv: list[str], env: dict[str, str]) -> float:
    """Each run after dropping the page cache: libraries and modules come from the disk."""
    times: dict[str, list[float]] = {"frozen": [], "venv": []}
    for _ in range(COLD_RUNS):
        for kind, command in (("venv", venv), ("frozen", frozen)):
            _drop_caches()
            times[kind].append(_time_once(command, env))
    med = {kind: statistics.median(values) for kind, values in times.items()}
    ratio = med["frozen"] / med["venv"]
    verdict = "ok" if ratio <= START_TARGET_RATIO else f"OVER the {START_TARGET_RATIO} target"
    print(f"cold  {label:<26} venv {med['venv'] * 1000:6.0f} ms   frozen {med['frozen'] * 1000:6.0f} ms"
          f"   frozen/venv {ratio:4.2f}  ({verdict}; page cache dropped, median of {COLD_RUNS})")
    return ratio


def main() -> int:
    name, version = _project()
    executable = DIST / name / name
    if not executable.exists():
        print(f"skipped: no frozen build at {executable.relative_to(ROOT)} (run `make package`)")
        return 0
    sizes_ok = report_sizes(name, version)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERCHAMP_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    frozen, venv = [str(executable)], _venv_command()
    ratios = [compare("(--version)", [*frozen, "--version"], [*venv, "--version"], env)]
    window_env = {**env, "ORDERCHAMP_SELF_TEST_STEPS": "qt,window"}
    ratios.append(compare("(Qt + main window painted)", [*frozen, "--self-test"],
                          [*venv, "--self-test"], window_env))
    if os.environ.get("BENCH_PACKAGE_DROP_CACHES") == "1":
        if os.access(DROP_CACHES, os.W_OK):
            ratios.append(compare_cold("(--version)", [*frozen, "--version"], [*venv, "--version"], env))
            ratios.append(compare_cold("(Qt + main window painted)", [*frozen, "--self-test"],
                                       [*venv, "--self-test"], window_env))
        else:
            print("cold starts skipped: /proc/sys/vm/drop_caches is not writable (run as root)")
    print(f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} during the run)")
    ok = sizes_ok and all(r <= START_TARGET_RATIO for r in ratios)
    print("targets met" if ok else "targets MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
