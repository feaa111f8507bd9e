//! Signed manifests through the real binary: every refusal leaves the venv uncreated and
//! the applied state unchanged, records a `refused` run, exits 1 with one reason and a hint.

#[path = "signatures/claim_refusals.rs"]
mod claim_refusals;
#[path = "signatures/commands.rs"]
mod commands;
#[path = "signatures/examples.rs"]
mod examples;
#[path = "signatures/refusal.rs"]
mod refusal;
#[path = "signatures/state_refusals.rs"]
mod state_refusals;
#[path = "signatures/support.rs"]
mod support;
#[path = "signatures/token_refusals.rs"]
mod token_refusals;
