//! Signed manifests through the real binary, on the harness's sandboxes: every refusal leaves the venv uncreated and
//! the applied state unchanged, records a `refused` run, exits 1 with one reason and a hint.

mod account_scope;
mod claim_refusals;
mod commands;
mod examples;
mod hostile_text;
mod key_formats;
mod real_venvs;
mod refusal;
mod signed_sandbox;
mod state_refusals;
mod takeover;
mod token_refusals;
mod trust_files;
mod unsigned_runs_nothing;
