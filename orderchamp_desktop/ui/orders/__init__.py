"""Orders UI."""
