"""Run every benchmark: `python -m bench` (or `make bench`)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("bench.bench_core", "bench.bench_ui", "bench.bench_package")


def main() -> int:
    failures = 0
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"   skipped: {exc}")
            continue
        failures += int(module.main() != 0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
