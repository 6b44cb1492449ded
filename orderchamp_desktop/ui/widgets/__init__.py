"""Widgets UI."""
