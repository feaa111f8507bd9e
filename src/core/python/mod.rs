//! Python packaging rules, decided as `packaging` (and pip) decide them: PEP 440
//! specifier membership, PEP 508 markers and the `Requires-Dist` entries that carry them.

pub mod marker;
pub mod requirement;
pub mod specifier;
