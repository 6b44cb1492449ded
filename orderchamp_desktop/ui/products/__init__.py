"""Products UI."""
