"""Orderchamp Desktop: a desktop app for brands selling wholesale on Orderchamp."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orderchamp-desktop")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"

APP_NAME = "Orderchamp Desktop"
APP_ID = "orderchamp-desktop"
