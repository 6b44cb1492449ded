"""PySide6 user interface: the main window, its tabs, dialogs and widgets. Only here is Qt."""
