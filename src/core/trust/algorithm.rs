//! The signature algorithms a trust file may pin a key to.

use std::fmt;

use jsonwebtoken::Algorithm;

/// One JOSE algorithm. A trusted key has exactly one, and a token must use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    EdDSA,
    ES256,
    RS256,
    /// A shared secret; opt-in, since anyone who can verify can also sign.
    HS256,
}

impl SigningAlgorithm {
    pub const ALL: [Self; 4] = [Self::EdDSA, Self::ES256, Self::RS256, Self::HS256];

    /// Parses the JOSE name exactly (`EdDSA`, `ES256`, `RS256`, `HS256`).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EdDSA => "EdDSA",
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
            Self::HS256 => "HS256",
        }
    }

    pub fn jwt(self) -> Algorithm {
        match self {
            Self::EdDSA => Algorithm::EdDSA,
            Self::ES256 => Algorithm::ES256,
            Self::RS256 => Algorithm::RS256,
            Self::HS256 => Algorithm::HS256,
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_are_exact() {
        for alg in SigningAlgorithm::ALL {
            assert_eq!(SigningAlgorithm::parse(alg.as_str()), Some(alg));
        }
        for bad in ["none", "eddsa", "Ed25519", "RS512", "HS512", ""] {
            assert_eq!(SigningAlgorithm::parse(bad), None, "{bad}");
        }
    }
}
