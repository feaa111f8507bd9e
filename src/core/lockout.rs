//! The failed-login policy: after 5 failures within 15 minutes an account is locked for
//! 15 minutes; a success clears the count. Pure decisions; the store keeps the counts.

/// How many failures, within what window, lock an account for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window_ms: i64,
    pub lock_ms: i64,
}

pub const LOCKOUT: LockoutPolicy = LockoutPolicy {
    max_failures: 5,
    window_ms: 15 * 60 * 1000,
    lock_ms: 15 * 60 * 1000,
};

/// What a login attempt comes to, once the password has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Accepted,
    /// Refused; `counts` says whether the attempt adds to the failure count. Attempts on a
    /// locked account do not, so a lock ends on time even while someone keeps guessing.
    Refused {
        counts: bool,
    },
}

impl LockoutPolicy {
    pub fn is_locked(&self, locked_until_ms: Option<i64>, now_ms: i64) -> bool {
        locked_until_ms.is_some_and(|until| until > now_ms)
    }

    /// Failures before this instant no longer count.
    pub fn window_start(&self, now_ms: i64) -> i64 {
        now_ms - self.window_ms
    }

    /// After a failure, given the failures now in the window (this one included): until when
    /// the account is locked, if it now is.
    pub fn lock_after(&self, failures_in_window: u32, now_ms: i64) -> Option<i64> {
        (failures_in_window >= self.max_failures).then_some(now_ms + self.lock_ms)
    }

    /// Unknown users and wrong passwords are alike: `password_matches` is false for both.
    pub fn decide(
        &self,
        password_matches: bool,
        locked_until_ms: Option<i64>,
        now_ms: i64,
    ) -> LoginOutcome {
        match (self.is_locked(locked_until_ms, now_ms), password_matches) {
            (true, _) => LoginOutcome::Refused { counts: false },
            (false, true) => LoginOutcome::Accepted,
            (false, false) => LoginOutcome::Refused { counts: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60 * 1000;

    #[test]
    fn logins_are_decided_by_password_and_lock() {
        let now = 100 * MINUTE;
        let cases = [
            (true, None, LoginOutcome::Accepted),
            (false, None, LoginOutcome::Refused { counts: true }),
            (true, Some(now + 1), LoginOutcome::Refused { counts: false }),
            (
                false,
                Some(now + 1),
                LoginOutcome::Refused { counts: false },
            ),
            (true, Some(now), LoginOutcome::Accepted),
            (
                false,
                Some(now - MINUTE),
                LoginOutcome::Refused { counts: true },
            ),
        ];
        for (matches, locked_until, expected) in cases {
            assert_eq!(
                LOCKOUT.decide(matches, locked_until, now),
                expected,
                "{matches} {locked_until:?}"
            );
        }
    }

    #[test]
    fn the_fifth_failure_in_the_window_locks_for_fifteen_minutes() {
        let now = 100 * MINUTE;
        assert_eq!(LOCKOUT.lock_after(4, now), None);
        assert_eq!(LOCKOUT.lock_after(5, now), Some(now + 15 * MINUTE));
        assert_eq!(LOCKOUT.window_start(now), now - 15 * MINUTE);
    }
}
