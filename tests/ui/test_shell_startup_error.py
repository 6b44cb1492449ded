"""A data folder that cannot be created stops the app with a sentence a user can see."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def test_an_uncreatable_data_folder_is_explained_in_a_window(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should go", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("ORDERCHAMP_TOKEN", None)
    # Close the box as a user would, from a timer inside the app (a QMessageBox shown
    # offscreen never closes by itself).
    closer = ("import sys; from PySide6.QtCore import QTimer; from PySide6.QtWidgets import "
              "QApplication, QMessageBox; import orderchamp_desktop.app as app; "
              "real = app._tell_and_wait\n"
              "def tell(message):\n"
              "    def close():\n"
              "        box = QApplication.activeModalWidget()\n"
              "        print('BOX:', box.objectName(), box.text(), flush=True)\n"
              "        box.done(0)\n"
              "    QTimer.singleShot(300, close)\n"
              "    real(message)\n"
              "app._tell_and_wait = tell\n"
              "from orderchamp_desktop.__main__ import main; sys.exit(main())")
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", closer, "--data-dir", str(blocker / "data")],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 9, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot create its data folder" in result.stderr
    shown = [line for line in result.stdout.splitlines() if line.startswith("BOX:")]
    assert shown and shown[0].startswith("BOX: startupError")
    assert "cannot create its data folder" in shown[0] and "--data-dir" in shown[0]
    assert time.monotonic() - started < 30
