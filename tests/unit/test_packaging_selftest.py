"""`orderchamp-desktop --self-test`, run for real from the venv (the frozen run is .ci/run's).

It must pass here with an empty stderr, and fail loudly when the installation is broken.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orderchamp_desktop import selftest

STEP_NAMES = list(selftest.STEPS)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ORDERCHAMP_") and k != "QT_QPA_PLATFORM"}
    return {**env, **extra}


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orderchamp_desktop", "--self-test"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.e2e
def test_self_test_passes_with_nothing_on_stderr(tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    result = _run(_env(ORDERCHAMP_SELF_TEST_SCREENSHOT=str(shot)))
    assert result.stderr == ""
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    statuses = {line.split()[2]: line.split()[1] for line in lines[:-1]}
    assert statuses == dict.fromkeys(STEP_NAMES, "ok")
    assert "offscreen" in next(line for line in lines if " qt " in line)
    assert "orders listed" in next(line for line in lines if " window " in line)
    assert lines[-1].startswith(f"self-test: passed, {len(STEP_NAMES)} steps")
    assert shot.stat().st_size > 10_000  # the painted window, for a person to look at


@pytest.mark.e2e
def test_a_missing_platform_plugin_fails_loudly() -> None:
    """What a user sees when the build lost the Qt plugin it runs on."""
    result = _run(_env(ORDERCHAMP_SELF_TEST_PLATFORM="no-such-platform",
                       ORDERCHAMP_SELF_TEST_STEPS="qt"))
    assert result.returncode != 0
    assert "no-such-platform" in result.stderr


def test_a_failing_step_is_reported_and_the_rest_still_runs(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    report = selftest.Report(out, err)
    ctx = selftest.Context(tmp=tmp_path)

    def broken(_ctx: selftest.Context) -> str:
        raise OSError("resources/icons missing")

    selftest._run_step(report, "broken", broken, ctx)
    selftest._run_step(report, "data-dir", selftest.step_data_dir, ctx)
    assert report.failed == ["broken"]
    assert "FAIL broken     OSError: resources/icons missing" in out.getvalue()
    assert "ok   data-dir" in out.getvalue()
    assert "Traceback" in err.getvalue()
    assert selftest._finish(report, 2, 0.1) == 1
    assert "FAILED (broken)" in out.getvalue().splitlines()[-1]


def test_a_windowed_build_without_a_console_does_not_crash() -> None:
    report = selftest.Report(None, None)  # sys.stdout is None in a windowed Windows exe
    report.line("ok", "runtime", "fine", 0.01)
    report.problem("noise")
    assert report.unexpected == ["noise"]


def test_unknown_steps_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(selftest.STEPS_ENV, "qt,warp-drive")
    with pytest.raises(SystemExit, match="warp-drive"):
        selftest._chosen_steps()
