//! The JSON Schemas of the manifest and of the plan document. `schemas/*.json` are exactly
//! this output; a test keeps them in step.

use serde_json::{json, Value};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

pub fn manifest_schema() -> Value {
    let name = json!({
        "type": "string",
        "pattern": "^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$"
    });
    json!({
        "$schema": DRAFT,
        "$id": "https://pkgm.dev/schemas/manifest.schema.json",
        "title": "pkgm manifest",
        "description": "Python packages and application accounts a machine must have (pkgm/v1). YAML or TOML, chosen by file extension.",
        "type": "object",
        "additionalProperties": false,
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {
            "apiVersion": { "const": "pkgm/v1" },
            "kind": { "const": "Manifest" },
            "metadata": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "revision"],
                "properties": {
                    "name": {
                        "description": "Identity of the manifest; history and anti-rollback are kept per name.",
                        "type": "string",
                        "pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"
                    },
                    "revision": {
                        "description": "Must grow with every signed change.",
                        "type": "integer",
                        "minimum": 0
                    }
                }
            },
            "environment": {
                "type": "object",
                "additionalProperties": false,
                "not": { "required": ["venv", "python"] },
                "properties": {
                    "venv": { "type": "string", "minLength": 1, "description": "Virtual environment, relative to the manifest's folder; created if missing. Default `.venv`." },
                    "python": { "type": "string", "minLength": 1, "description": "An existing interpreter to manage instead of a venv." },
                    "installer": { "enum": ["pip", "uv"], "default": "pip" },
                    "index_url": { "$ref": "#/$defs/url" },
                    "extra_index_urls": { "type": "array", "items": { "$ref": "#/$defs/url" } },
                    "find_links": { "type": "array", "items": { "type": "string", "minLength": 1, "pattern": "^[^-]" } },
                    "no_index": { "type": "boolean", "default": false },
                    "prune": { "type": "boolean", "default": false, "description": "Remove what is neither declared nor required by what is declared." },
                    "protected": { "type": "array", "items": name, "default": ["pip", "setuptools", "wheel"] },
                    "pass_env": { "type": "array", "items": { "type": "string", "pattern": "^(PIP|UV)_[A-Z0-9_]+$" }, "description": "PIP_*/UV_* variables the installer may see; all others are removed." }
                }
            },
            "packages": {
                "type": "object",
                "propertyNames": name,
                "additionalProperties": {
                    "anyOf": [
                        { "const": "absent" },
                        { "type": "string", "description": "A PEP 440 specifier such as `>=1.26,<2`, or `*` for any version." },
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "properties": {
                                "version": { "type": "string" },
                                "extras": { "type": "array", "items": name }
                            }
                        }
                    ]
                }
            },
            "users": {
                "type": "object",
                "propertyNames": { "type": "string", "pattern": "^[a-z_][a-z0-9_.-]{0,31}$" },
                "additionalProperties": {
                    "anyOf": [
                        { "const": "absent" },
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["email", "role", "password_hash"],
                            "properties": {
                                "email": { "type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$" },
                                "role": { "enum": ["admin", "maintainer", "viewer"] },
                                "password_hash": { "type": "string", "pattern": "^\\$argon2id\\$" }
                            }
                        }
                    ]
                }
            }
        },
        "$defs": {
            "url": { "type": "string", "pattern": "^(https?|file)://\\S+$" }
        }
    })
}

pub fn plan_schema() -> Value {
    let nullable_string = json!({ "type": ["string", "null"] });
    let count = json!({ "type": "integer", "minimum": 0 });
    json!({
        "$schema": DRAFT,
        "$id": "https://pkgm.dev/schemas/plan.schema.json",
        "title": "pkgm plan",
        "description": "What `pkgm apply` would do, as printed by `pkgm plan --output json`.",
        "type": "object",
        "additionalProperties": false,
        "required": ["format_version", "manifest", "changes", "summary"],
        "properties": {
            "format_version": { "const": 1 },
            "manifest": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "revision", "sha256", "signed_by"],
                "properties": {
                    "name": { "type": "string" },
                    "revision": { "type": "integer", "minimum": 0 },
                    "sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                    "signed_by": nullable_string
                }
            },
            "changes": {
                "type": "array",
                "items": {
                    "oneOf": [
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["kind", "action", "name", "from", "to", "reason"],
                            "properties": {
                                "kind": { "const": "package" },
                                "action": { "enum": ["install", "upgrade", "downgrade", "change", "remove"] },
                                "name": { "type": "string" },
                                "from": nullable_string,
                                "to": nullable_string,
                                "reason": { "type": "string" },
                                "extras": { "type": "array", "items": { "type": "string" } },
                                "breaks": { "type": "array", "items": { "type": "string" } },
                                "conditional": {
                                    "description": "A prune removal that waits for the install and happens only if nothing installed needs it.",
                                    "const": true
                                }
                            }
                        },
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["kind", "action", "name", "fields"],
                            "properties": {
                                "kind": { "const": "user" },
                                "action": { "enum": ["create", "update", "delete"] },
                                "name": { "type": "string" },
                                "fields": { "type": "array", "items": { "enum": ["email", "role", "password"] } }
                            }
                        },
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["kind", "action", "name", "reason"],
                            "properties": {
                                "kind": { "const": "environment" },
                                "action": { "const": "create" },
                                "name": { "type": "string" },
                                "reason": { "type": "string" }
                            }
                        }
                    ]
                }
            },
            "signature": {
                "description": "Whether the manifest's signature was accepted; `problem` says why not.",
                "type": "object",
                "additionalProperties": false,
                "required": ["state"],
                "properties": {
                    "state": { "enum": ["valid", "missing", "refused"] },
                    "kid": { "type": "string" },
                    "problem": { "type": "string" }
                }
            },
            "manifest_diff": {
                "description": "With `--diff`: a unified diff of the manifest against the last applied one.",
                "type": "string"
            },
            "summary": {
                "type": "object",
                "additionalProperties": false,
                "required": ["venv", "install", "upgrade", "downgrade", "change", "remove", "remove_if_unneeded", "create", "update", "delete"],
                "properties": {
                    "venv": { "type": "integer", "minimum": 0, "maximum": 1 },
                    "install": count, "upgrade": count, "downgrade": count, "change": count,
                    "remove": count, "remove_if_unneeded": count, "create": count, "update": count, "delete": count
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::core::manifest_parse::parse_manifest;

    fn committed(text: &str) -> Value {
        serde_json::from_str(text).expect("committed schema is JSON")
    }

    #[test]
    fn committed_schemas_are_exactly_the_generated_ones() {
        let pretty = |value: &Value| format!("{}\n", serde_json::to_string_pretty(value).unwrap());
        assert_eq!(
            include_str!("../schemas/manifest.schema.json"),
            pretty(&manifest_schema()),
            "run `pkgm schema manifest > schemas/manifest.schema.json`"
        );
        assert_eq!(
            include_str!("../schemas/plan.schema.json"),
            pretty(&plan_schema()),
            "run `pkgm schema plan > schemas/plan.schema.json`"
        );
        committed(include_str!("../schemas/plan.schema.json"));
    }

    #[test]
    fn the_example_manifests_parse_and_agree_across_formats() {
        let yaml = parse_manifest(
            Path::new("manifest.yaml"),
            include_bytes!("../examples/analytics/manifest.yaml"),
        )
        .unwrap();
        let toml = parse_manifest(
            Path::new("manifest.toml"),
            include_bytes!("../examples/analytics/manifest.toml"),
        )
        .unwrap();
        assert_eq!(yaml, toml);
        parse_manifest(
            Path::new("manifest.yaml"),
            include_bytes!("../examples/quickstart/manifest.yaml"),
        )
        .unwrap();
    }
}
