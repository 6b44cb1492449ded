"""Orderchamp Desktop: a desktop app for brands selling wholesale on Orderchamp."""

# A literal, not importlib.metadata: scanning installed distributions costs ~40 ms of every
# start-up. tests/unit/test_version.py keeps it equal to pyproject.toml's version.
__version__ = "0.1.0"

APP_NAME = "Orderchamp Desktop"
APP_ID = "orderchamp-desktop"
