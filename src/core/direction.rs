//! Whether moving an installed version into a specifier range is an upgrade or a downgrade.

use std::cmp::Ordering;

use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};

use super::plan::PackageAction;
use super::python::specifier::contains;

/// The action that moves `installed` into `wanted`; `installed` must not satisfy `wanted`.
///
/// Each specifier the installed version fails points up or down; when they disagree, or a
/// `!=` is all that fails, the direction cannot be known and the action is `Change`.
pub fn direction(installed: &Version, wanted: &VersionSpecifiers) -> PackageAction {
    let mut directions = wanted
        .iter()
        .filter(|specifier| !contains(specifier, installed))
        .map(|specifier| specifier_direction(installed, specifier));
    let Some(first) = directions.next() else {
        return PackageAction::Change;
    };
    if directions.all(|other| other == first) {
        first
    } else {
        PackageAction::Change
    }
}

fn specifier_direction(installed: &Version, specifier: &VersionSpecifier) -> PackageAction {
    let towards = |ordering: Ordering| match ordering {
        Ordering::Greater => PackageAction::Upgrade,
        Ordering::Less => PackageAction::Downgrade,
        Ordering::Equal => PackageAction::Change,
    };
    match specifier.operator() {
        Operator::GreaterThan | Operator::GreaterThanEqual => PackageAction::Upgrade,
        Operator::LessThan | Operator::LessThanEqual => PackageAction::Downgrade,
        Operator::TildeEqual | Operator::Equal | Operator::ExactEqual | Operator::EqualStar => {
            towards(specifier.version().cmp(installed))
        }
        Operator::NotEqual | Operator::NotEqualStar => PackageAction::Change,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn directions_follow_the_failing_bounds() {
        let cases = [
            ("1.25.2", ">=1.26,<2", PackageAction::Upgrade),
            ("2.1", ">=1.26,<2", PackageAction::Downgrade),
            ("2.32.4", "==2.32.3", PackageAction::Downgrade),
            ("2.31", "==2.32.3", PackageAction::Upgrade),
            ("2.0", "~=3.0", PackageAction::Upgrade),
            ("4.0", "~=3.0", PackageAction::Downgrade),
            ("1.5", "==1.4.*", PackageAction::Downgrade),
            ("1.3.9", "==1.4.*", PackageAction::Upgrade),
            ("1.0", "!=1.0", PackageAction::Change),
            ("1.0", ">1.0", PackageAction::Upgrade),
        ];
        for (installed, wanted, expected) in cases {
            let installed = Version::from_str(installed).unwrap();
            let wanted = VersionSpecifiers::from_str(wanted).unwrap();
            assert_eq!(
                direction(&installed, &wanted),
                expected,
                "{installed} -> {wanted}"
            );
        }
    }
}
