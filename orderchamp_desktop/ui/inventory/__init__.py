"""Inventory UI."""
