//! Which argon2id PHC strings pkgm accepts, checked before any hashing happens.
//!
//! The floor is OWASP's table of equivalent argon2id settings (m=47104 t=1 … m=7168 t=5, so
//! memory × passes of at least 35 840 KiB); the ceiling is libsodium's `SENSITIVE` preset
//! (1 GiB, 4 passes), beyond which verifying one login would tie up a small machine.
//! Parsing only: no hashing, no randomness, no I/O.

use argon2::password_hash::PasswordHash as Phc;

/// The argon2id cost of one hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    /// KiB of memory.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Argon2Cost {
    /// Memory × passes: the work a guess costs an attacker, in KiB-passes.
    pub fn work(self) -> u64 {
        u64::from(self.memory_kib) * u64::from(self.iterations)
    }

    /// Whether a hash made with this cost should be re-made with `CURRENT` at the next login.
    pub fn is_below_current(self) -> bool {
        self.memory_kib < CURRENT.memory_kib || self.work() < CURRENT.work()
    }
}

/// What `pkgm hash-password` uses: OWASP's current minimum (m=19 MiB, t=2, p=1).
pub const CURRENT: Argon2Cost = Argon2Cost {
    memory_kib: 19 * 1024,
    iterations: 2,
    parallelism: 1,
};

pub const MIN_MEMORY_KIB: u32 = 7 * 1024;
pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
pub const MIN_WORK: u64 = 7 * 1024 * 5;
pub const MAX_WORK: u64 = 4 * 1024 * 1024;
pub const MAX_ITERATIONS: u32 = 64;
pub const MAX_PARALLELISM: u32 = 16;
const SALT_BYTES: (usize, usize) = (8, 48);
const OUTPUT_BYTES: (usize, usize) = (16, 64);

const HINT: &str = "\nhint: run `pkgm hash-password` and paste its output";

/// Checks a PHC string's shape and cost; the error never repeats the string itself.
pub fn check_phc(text: &str) -> Result<Argon2Cost, String> {
    let phc = Phc::new(text).map_err(|err| {
        // The PHC parser's own words, with its typo mended.
        let err = err
            .to_string()
            .replace("to short", "too short")
            .replace("to long", "too long");
        format!("`password_hash` is not a valid PHC string ({err}){HINT}")
    })?;
    if phc.algorithm.as_str() != "argon2id" {
        return Err(format!(
            "`password_hash` must be an argon2id PHC string (`$argon2id$v=19$...`){HINT}"
        ));
    }
    if phc.version != Some(19) {
        return Err(format!(
            "`password_hash` must be argon2 version 19 (`v=19`){HINT}"
        ));
    }
    if let Some((name, _)) = phc
        .params
        .iter()
        .find(|(name, _)| !matches!(name.as_str(), "m" | "t" | "p"))
    {
        return Err(format!(
            "`password_hash` has the parameter `{name}`; pkgm accepts only `m`, `t` and `p`{HINT}"
        ));
    }
    // Strictly `m`, `t`, `p`, each once and in that order: with a repeated parameter the
    // bounds would be checked on one value while argon2 hashes with another.
    let names: Vec<&str> = phc.params.iter().map(|(name, _)| name.as_str()).collect();
    if names != ["m", "t", "p"] {
        return Err(format!(
            "`password_hash` must give its parameters as `m=…,t=…,p=…`, each once and in that \
             order (it has {}){HINT}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(",")
            }
        ));
    }
    let decimal = |name: &str| {
        phc.params
            .get_decimal(name)
            .ok_or_else(|| format!("`password_hash` lacks the parameter `{name}`{HINT}"))
    };
    let cost = Argon2Cost {
        memory_kib: decimal("m")?,
        iterations: decimal("t")?,
        parallelism: decimal("p")?,
    };
    check_cost(cost)?;
    let salt_bytes = phc.salt.map_or(0, |salt| salt.len() * 3 / 4);
    if !(SALT_BYTES.0..=SALT_BYTES.1).contains(&salt_bytes) {
        return Err(format!(
            "`password_hash` has a {salt_bytes}-byte salt; pkgm accepts {} to {} bytes{HINT}",
            SALT_BYTES.0, SALT_BYTES.1
        ));
    }
    let output_bytes = phc.hash.map_or(0, |hash| hash.len());
    if !(OUTPUT_BYTES.0..=OUTPUT_BYTES.1).contains(&output_bytes) {
        return Err(format!(
            "`password_hash` has a {output_bytes}-byte hash; pkgm accepts {} to {} bytes{HINT}",
            OUTPUT_BYTES.0, OUTPUT_BYTES.1
        ));
    }
    Ok(cost)
}

fn check_cost(cost: Argon2Cost) -> Result<(), String> {
    let Argon2Cost {
        memory_kib: m,
        iterations: t,
        parallelism: p,
    } = cost;
    if !(MIN_MEMORY_KIB..=MAX_MEMORY_KIB).contains(&m) {
        return Err(format!(
            "`password_hash` uses m={m} KiB of memory; pkgm accepts {MIN_MEMORY_KIB} to \
             {MAX_MEMORY_KIB} KiB (7 MiB to 1 GiB){HINT}"
        ));
    }
    if !(1..=MAX_ITERATIONS).contains(&t) || !(1..=MAX_PARALLELISM).contains(&p) {
        return Err(format!(
            "`password_hash` has t={t}, p={p}; pkgm accepts t from 1 to {MAX_ITERATIONS} and \
             p from 1 to {MAX_PARALLELISM}{HINT}"
        ));
    }
    if cost.work() < MIN_WORK {
        return Err(format!(
            "`password_hash` is too cheap (m={m}, t={t}): OWASP asks for at least m=19456 with \
             t=2, or m×t of {MIN_WORK}{HINT}"
        ));
    }
    if cost.work() > MAX_WORK {
        return Err(format!(
            "`password_hash` is too expensive to verify (m={m}, t={t}): pkgm accepts m×t up to \
             {MAX_WORK} (1 GiB with 4 passes){HINT}"
        ));
    }
    // argon2 needs at least 8 KiB of memory per lane.
    if m < 8 * p {
        return Err(format!(
            "`password_hash` has more lanes (p={p}) than its memory allows{HINT}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real salt and output; only the parameters vary between cases.
    fn phc(params: &str) -> String {
        format!("$argon2id$v=19${params}$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
    }

    #[test]
    fn sane_parameters_are_accepted() {
        for (params, below_current) in [
            ("m=19456,t=2,p=1", false),
            ("m=47104,t=1,p=1", false),
            ("m=65536,t=3,p=4", false),
            ("m=7168,t=5,p=1", true),
            ("m=12288,t=3,p=1", true),
            ("m=1048576,t=4,p=8", false),
        ] {
            let cost = check_phc(&phc(params)).unwrap_or_else(|err| panic!("{params}: {err}"));
            assert_eq!(cost.is_below_current(), below_current, "{params}");
        }
    }

    #[test]
    fn absurd_or_weak_parameters_are_refused_with_a_reason() {
        for (text, expected) in [
            (phc("m=4194304,t=1,p=1"), "7 MiB to 1 GiB"),
            (phc("m=1024,t=50,p=1"), "7 MiB to 1 GiB"),
            (phc("m=19456,t=1,p=1"), "too cheap"),
            (phc("m=1048576,t=8,p=1"), "too expensive"),
            (phc("m=19456,t=2,p=255"), "p from 1 to 16"),
            (phc("m=19456,t=0,p=1"), "t from 1"),
            (phc("m=19456,t=2,p=1,keyid=abc"), "parameter `keyid`"),
            (phc("m=19456,p=1"), "it has m,p"),
            (
                phc("m=19456,t=2,p=1,m=4194304"),
                "each once and in that order (it has m,t,p,m)",
            ),
            (phc("m=19456,t=2,t=100000,p=1"), "it has m,t,t,p"),
            (phc("t=2,m=19456,p=1"), "it has t,m,p"),
            (
                "$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA"
                    .into(),
                "version 19",
            ),
            (
                "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA"
                    .into(),
                "must be an argon2id",
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA".into(),
                "4-byte salt",
            ),
            (
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNo".into(),
                "12-byte hash",
            ),
            ("$argon2id$v=19$m=19456,t=2,p=1".into(), "0-byte salt"),
            ("hunter2".into(), "not a valid PHC string"),
        ] {
            let err = check_phc(&text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(
                err.contains("hint: run `pkgm hash-password`"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn errors_never_repeat_the_hash() {
        let text = phc("m=4194304,t=1,p=1");
        let err = check_phc(&text).unwrap_err();
        assert!(!err.contains("c29tZXNhbHRzb21lc2FsdA"), "{err}");
    }
}
