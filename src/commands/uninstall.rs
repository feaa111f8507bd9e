//! `pkgm uninstall PKG…`: needs a maintainer session; recorded with the acting user.

use std::process::ExitCode;

use crate::cli::PackagesArgs;
use crate::core::request_planner::RequestVerb;

use super::package_request;
use super::Settings;

pub fn run(settings: &Settings, args: &PackagesArgs) -> anyhow::Result<ExitCode> {
    package_request::run(settings, args, RequestVerb::Uninstall)
}
