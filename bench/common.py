"""What every benchmark module reports with: one line per target, and the exit status."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outcome:
    label: str
    value: float
    target: str
    ok: bool

    def line(self) -> str:
        mark = "ok  " if self.ok else "MISS"
        return f"   [{mark}] {self.label:<58} {self.value:>10.3f}   (target {self.target})"


Part = Callable[[Path], list[Outcome]]


def run_parts(parts: Mapping[str, Part], chosen: Collection[str], prefix: str) -> int:
    """Run the ``chosen`` parts (all when none), in ``parts`` order, in one scratch folder.

    Prints one line per outcome; returns the exit status: 0 when every target is met.
    """
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        work = Path(folder)
        for name, part in parts.items():
            if not chosen or name in chosen:
                outcomes += part(work)
    for outcome in outcomes:
        print(outcome.line())
    return 0 if all(o.ok for o in outcomes) else 1
