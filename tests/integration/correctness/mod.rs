//! pkgm's Python rules against the reference: the same specifier and marker questions
//! decided by pkgm's library and by `packaging` (`tests/data/packaging/reference.py`),
//! and the environment pkgm reads against `importlib.metadata` on real venvs.

mod environments;
mod reference;
