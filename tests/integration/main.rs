//! The one integration-test binary: drives the real `pkgm` against real, offline venvs.

mod support;
