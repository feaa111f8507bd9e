//! When `pkgm watch` runs a cycle: file events, rescans, the interval and shutdown folded
//! into one decision. Pure: times are milliseconds on a clock the caller reads.
//!
//! File events are hints that arrive in bursts (an editor's save is several events, a
//! `git pull` many). A change waits until the folder has been quiet for `settle_ms`, but
//! never longer than `max_delay_ms` after the first event, so a storm of saves runs one
//! cycle and an endless stream still runs one every `max_delay_ms`. Events that arrive
//! while a cycle runs are noted as they are read afterwards and make one follow-up cycle.

/// Why a cycle runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trigger {
    /// The periodic drift check.
    Interval,
    /// The manifest or its signature changed.
    Change,
    /// The watcher lost events (queue overflow) or failed: state unknown, check everything.
    Rescan,
    /// The first cycle.
    Start,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interval => "interval",
            Self::Change => "change",
            Self::Rescan => "rescan",
            Self::Start => "start",
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Run(Trigger),
    /// Nothing is due before this time; an event may still arrive earlier.
    WaitUntil(u64),
    Stop,
}

/// How long to wait for what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub interval_ms: u64,
    pub settle_ms: u64,
    pub max_delay_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    trigger: Trigger,
    first_ms: u64,
    last_ms: u64,
}

/// The scheduler's state between cycles.
#[derive(Debug, Clone)]
pub struct Schedule {
    timing: Timing,
    pending: Option<Pending>,
    next_interval_ms: u64,
    stopping: bool,
}

impl Schedule {
    /// A schedule whose first cycle (`Start`) is due at once.
    pub fn new(timing: Timing, now_ms: u64) -> Self {
        Self {
            timing,
            pending: Some(Pending {
                trigger: Trigger::Start,
                first_ms: now_ms,
                last_ms: now_ms,
            }),
            next_interval_ms: now_ms.saturating_add(timing.interval_ms),
            stopping: false,
        }
    }

    /// The manifest or its signature changed at `at_ms`.
    pub fn note_change(&mut self, at_ms: u64) {
        self.note(Trigger::Change, at_ms);
    }

    /// The watcher lost events or failed at `at_ms`.
    pub fn note_rescan(&mut self, at_ms: u64) {
        self.note(Trigger::Rescan, at_ms);
    }

    /// Shutdown began: no cycle starts after this.
    pub fn shut_down(&mut self) {
        self.stopping = true;
    }

    fn note(&mut self, trigger: Trigger, at_ms: u64) {
        self.pending = Some(match self.pending {
            None => Pending {
                trigger,
                first_ms: at_ms,
                last_ms: at_ms,
            },
            Some(pending) => Pending {
                trigger: pending.trigger.max(trigger),
                first_ms: pending.first_ms.min(at_ms),
                last_ms: pending.last_ms.max(at_ms),
            },
        });
    }

    pub fn next(&self, now_ms: u64) -> Next {
        if self.stopping {
            return Next::Stop;
        }
        if let Some(pending) = self.pending {
            if pending.trigger == Trigger::Start {
                return Next::Run(Trigger::Start);
            }
            let quiet = pending.last_ms.saturating_add(self.timing.settle_ms);
            let longest = pending.first_ms.saturating_add(self.timing.max_delay_ms);
            let due = quiet.min(longest);
            return if now_ms >= due {
                Next::Run(pending.trigger)
            } else {
                Next::WaitUntil(due)
            };
        }
        if now_ms >= self.next_interval_ms {
            Next::Run(Trigger::Interval)
        } else {
            Next::WaitUntil(self.next_interval_ms)
        }
    }

    /// A cycle starts: it covers everything noted so far.
    pub fn cycle_started(&mut self) {
        self.pending = None;
    }

    /// A cycle ended: the next drift check is one interval from now.
    pub fn cycle_finished(&mut self, now_ms: u64) {
        self.next_interval_ms = now_ms.saturating_add(self.timing.interval_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMING: Timing = Timing {
        interval_ms: 10_000,
        settle_ms: 300,
        max_delay_ms: 2_000,
    };

    /// A schedule whose start cycle ran at 0 and finished at `finished_ms`.
    fn after_start(finished_ms: u64) -> Schedule {
        let mut schedule = Schedule::new(TIMING, 0);
        assert_eq!(schedule.next(0), Next::Run(Trigger::Start));
        schedule.cycle_started();
        schedule.cycle_finished(finished_ms);
        schedule
    }

    #[test]
    fn the_first_cycle_runs_at_once_even_with_events_pending() {
        let mut schedule = Schedule::new(TIMING, 5);
        schedule.note_change(6);
        assert_eq!(schedule.next(6), Next::Run(Trigger::Start));
    }

    #[test]
    fn a_change_waits_for_the_folder_to_be_quiet() {
        let mut schedule = after_start(100);
        schedule.note_change(1_000);
        assert_eq!(schedule.next(1_000), Next::WaitUntil(1_300));
        assert_eq!(schedule.next(1_299), Next::WaitUntil(1_300));
        assert_eq!(schedule.next(1_300), Next::Run(Trigger::Change));
    }

    #[test]
    fn a_storm_of_saves_makes_one_cycle_after_it_ends() {
        let mut schedule = after_start(0);
        let mut runs = 0;
        // 100 saves in a second, one every 10 ms, checked at every millisecond.
        for now in 1_000..=3_000 {
            if now <= 1_990 && now % 10 == 0 {
                schedule.note_change(now);
            }
            if let Next::Run(trigger) = schedule.next(now) {
                assert_eq!(trigger, Trigger::Change);
                runs += 1;
                schedule.cycle_started();
                schedule.cycle_finished(now);
            }
        }
        assert_eq!(runs, 1);
    }

    #[test]
    fn an_endless_stream_still_runs_every_max_delay() {
        let mut schedule = after_start(0);
        let mut runs = Vec::new();
        for now in 1_000..=6_000 {
            if now % 100 == 0 {
                schedule.note_change(now);
            }
            if let Next::Run(_) = schedule.next(now) {
                runs.push(now);
                schedule.cycle_started();
                schedule.cycle_finished(now);
            }
        }
        assert_eq!(runs, vec![3_000, 5_100]);
    }

    #[test]
    fn changes_during_a_cycle_make_one_follow_up() {
        let mut schedule = after_start(0);
        schedule.note_change(1_000);
        assert_eq!(schedule.next(1_300), Next::Run(Trigger::Change));
        schedule.cycle_started();
        // The cycle runs from 1 300 to 4 000; these arrive meanwhile and are read after it.
        for at in [1_500, 2_000, 3_900] {
            schedule.note_change(at);
        }
        schedule.cycle_finished(4_000);
        assert_eq!(schedule.next(4_000), Next::Run(Trigger::Change));
        schedule.cycle_started();
        schedule.cycle_finished(4_100);
        assert_eq!(schedule.next(4_100), Next::WaitUntil(14_100));
    }

    #[test]
    fn the_interval_counts_from_the_end_of_the_last_cycle() {
        let schedule = after_start(500);
        assert_eq!(schedule.next(600), Next::WaitUntil(10_500));
        assert_eq!(schedule.next(10_500), Next::Run(Trigger::Interval));
    }

    #[test]
    fn a_pending_change_takes_the_place_of_the_interval() {
        let mut schedule = after_start(0);
        schedule.note_change(9_900);
        assert_eq!(schedule.next(10_000), Next::WaitUntil(10_200));
        assert_eq!(schedule.next(10_200), Next::Run(Trigger::Change));
    }

    #[test]
    fn a_rescan_outranks_a_change_in_the_same_burst() {
        for order in [[true, false], [false, true]] {
            let mut schedule = after_start(0);
            for rescan in order {
                if rescan {
                    schedule.note_rescan(1_000);
                } else {
                    schedule.note_change(1_000);
                }
            }
            assert_eq!(schedule.next(1_300), Next::Run(Trigger::Rescan));
        }
    }

    #[test]
    fn nothing_runs_once_shutdown_began() {
        let mut schedule = Schedule::new(TIMING, 0);
        schedule.note_change(0);
        schedule.shut_down();
        for now in [0, 1_000, 20_000] {
            assert_eq!(schedule.next(now), Next::Stop);
        }
    }

    #[test]
    fn trigger_names_are_stable() {
        let names: Vec<&str> = [
            Trigger::Start,
            Trigger::Change,
            Trigger::Interval,
            Trigger::Rescan,
        ]
        .iter()
        .map(|trigger| trigger.as_str())
        .collect();
        assert_eq!(names, ["start", "change", "interval", "rescan"]);
    }
}
