//! Self-tests of the harness: its wheels, venvs, runner and filters behave as tests assume.

mod filter_tests;
mod runner_tests;
mod venv_tests;
mod wheels_tests;
