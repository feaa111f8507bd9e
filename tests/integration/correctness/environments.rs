//! pkgm's view of real venvs against `importlib.metadata`.
