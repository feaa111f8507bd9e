//! Who may run what: a table of session-gated commands and the least role each needs.
//!
//! `plan`, `apply`, `list`, `status` and `history` are not in the table: they are
//! authorised by the manifest's signature and by access to the state file and the
//! environment (`list` reads what `pip list` reads), so CI can run them without a login.

use super::user_spec::{Role, UserName};

/// A command that needs a login session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Whoami,
    ShowSelf,
    ShowOther,
    UsersList,
    Install,
    Upgrade,
    Uninstall,
}

/// The least role each action needs. Roles are ordered: admin > maintainer > viewer.
pub const MINIMUM_ROLE: [(Action, Role); 7] = [
    (Action::Whoami, Role::Viewer),
    (Action::ShowSelf, Role::Viewer),
    (Action::Install, Role::Maintainer),
    (Action::Upgrade, Role::Maintainer),
    (Action::Uninstall, Role::Maintainer),
    (Action::UsersList, Role::Admin),
    (Action::ShowOther, Role::Admin),
];

impl Action {
    pub fn command(self) -> &'static str {
        match self {
            Self::Whoami => "pkgm whoami",
            Self::ShowSelf | Self::ShowOther => "pkgm users show",
            Self::UsersList => "pkgm users list",
            Self::Install => "pkgm install",
            Self::Upgrade => "pkgm upgrade",
            Self::Uninstall => "pkgm uninstall",
        }
    }

    pub fn minimum_role(self) -> Role {
        MINIMUM_ROLE
            .iter()
            .find(|(action, _)| *action == self)
            .map_or(Role::Admin, |(_, role)| *role)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{name}` has the `{role}` role; `{command}`{what} needs `{needed}` or higher\n\
     hint: ask an admin to change the role of `{name}` in the manifest",
    command = action.command(),
    what = if *action == Action::ShowOther { " of another user" } else { "" },
    needed = action.minimum_role()
)]
pub struct Denied {
    pub name: UserName,
    pub role: Role,
    pub action: Action,
}

/// Allows `action` for an account with `role`, or says who needs what.
pub fn authorize(name: &UserName, role: Role, action: Action) -> Result<(), Denied> {
    if role >= action.minimum_role() {
        return Ok(());
    }
    Err(Denied {
        name: name.clone(),
        role,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_matrix_matches_the_design() {
        use Action::*;
        // viewer, maintainer, admin
        let matrix = [
            (Whoami, [true, true, true]),
            (ShowSelf, [true, true, true]),
            (Install, [false, true, true]),
            (Upgrade, [false, true, true]),
            (Uninstall, [false, true, true]),
            (UsersList, [false, false, true]),
            (ShowOther, [false, false, true]),
        ];
        let name = UserName::parse("sam").unwrap();
        for (action, allowed) in matrix {
            for (role, allowed) in [Role::Viewer, Role::Maintainer, Role::Admin]
                .into_iter()
                .zip(allowed)
            {
                assert_eq!(
                    authorize(&name, role, action).is_ok(),
                    allowed,
                    "{action:?} as {role}"
                );
            }
        }
    }

    #[test]
    fn a_refusal_names_the_role_needed() {
        let err = authorize(
            &UserName::parse("sam").unwrap(),
            Role::Viewer,
            Action::Install,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`sam` has the `viewer` role; `pkgm install` needs `maintainer` or higher\n\
             hint: ask an admin to change the role of `sam` in the manifest"
        );
    }
}
