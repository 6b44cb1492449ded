"""Entry script of the frozen app (PyInstaller runs this file as ``__main__``).

It only forwards to the same ``main()`` that the ``orderchamp-desktop`` console script of a
pip install calls, so the frozen app and the venv app share one command line.
"""

import sys

from orderchamp_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
