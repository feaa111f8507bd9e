//! `pkgm schema manifest|plan`: the JSON Schemas, exactly as committed under `schemas/`.

use std::process::ExitCode;

use crate::cli::{SchemaArgs, SchemaKind};
use crate::schema::{manifest_schema, plan_schema};

use super::print;

pub fn run(args: &SchemaArgs) -> anyhow::Result<ExitCode> {
    let schema = match args.kind {
        SchemaKind::Manifest => manifest_schema(),
        SchemaKind::Plan => plan_schema(),
    };
    print(&format!("{}\n", serde_json::to_string_pretty(&schema)?))?;
    Ok(ExitCode::SUCCESS)
}
