//! The one integration-test binary: drives the real `pkgm` against real, offline venvs.
//!
//! `support` is the harness (wheels built at test time, copied venvs, a runner for the
//! binary, output filters); `harness` proves the harness itself against real pip.

mod correctness;
mod harness;
mod reconcile;
mod signatures;
mod support;
mod users;
mod watch;
