"""Dialogs UI."""
