//! A one-line reading of why pip or uv failed, from its own output, put before that output
//! so a user sees the cause before the retries and tracebacks. Text only: no I/O.

use super::text::{clip, escape};

/// Why an installer failed, as one line and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub problem: String,
    pub hint: &'static str,
}

/// Reads the installer's output; `source` says where it was told to look (`the index
/// `URL``, already masked), for the message.
pub fn diagnose(output: &str, source: &str) -> Option<Diagnosis> {
    let index = source;
    let signs = [
        ("Connection refused", "connection refused"),
        (
            "Name or service not known",
            "its host name does not resolve",
        ),
        (
            "Temporary failure in name resolution",
            "its host name does not resolve",
        ),
        ("dns error", "its host name does not resolve"),
        ("Network is unreachable", "network unreachable"),
        ("timed out", "timed out"),
        (
            "CERTIFICATE_VERIFY_FAILED",
            "its TLS certificate is not trusted",
        ),
        (
            "invalid peer certificate",
            "its TLS certificate is not trusted",
        ),
    ];
    if let Some((_, why)) = signs.iter().find(|(needle, _)| output.contains(needle)) {
        return Some(unreachable(index, why));
    }
    let quoted = |text: &str| escape(&clip(text.trim().trim_end_matches('.'), 80)).into_owned();
    for line in output.lines() {
        let line = line.trim();
        if let Some(requirement) = line.strip_prefix("ERROR: No matching distribution found for ") {
            return Some(Diagnosis {
                problem: format!(
                    "no version of `{}` is available from {index}",
                    quoted(requirement)
                ),
                hint:
                    "check the package name and the specifier against the index (or `find_links`)",
            });
        }
        // uv: "Because foo was not found in the package registry and you require foo, …"
        if let Some(rest) = line
            .strip_prefix("╰─▶ Because ")
            .or_else(|| line.strip_prefix("Because "))
        {
            if let Some((name, _)) = rest.split_once(" was not found in the package registry") {
                return Some(Diagnosis {
                    problem: format!("`{}` was not found on {index}", quoted(name)),
                    hint: "check the package name against the index (or `find_links`)",
                });
            }
            if let Some((requirement, _)) = rest
                .strip_prefix("there is no version of ")
                .and_then(|rest| rest.split_once(" and"))
            {
                return Some(Diagnosis {
                    problem: format!("no version of `{}` is available from {index}", quoted(requirement)),
                    hint: "check the package name and the specifier against the index (or `find_links`)",
                });
            }
        }
    }
    None
}

/// Whether the installer found no versions at all (`from versions: none`): then the index
/// may simply be unreachable, which pip with no retries does not say.
pub fn found_no_versions(output: &str) -> bool {
    output.contains("(from versions: none)")
}

/// The diagnosis for an index that cannot be reached, `why` as the connection error said.
pub fn unreachable(source: &str, why: &str) -> Diagnosis {
    Diagnosis {
        problem: format!("cannot reach {source} ({why})"),
        hint: UNREACHABLE_HINT,
    }
}

const UNREACHABLE_HINT: &str = "check `index_url` (or `find_links`) and the network; \
                                `pkgm apply -v` streams the installer's output";

/// `host:port` of an `http(s)://` URL, for a reachability check.
pub fn host_and_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, rest) = bracketed.split_once(']')?;
        let port = rest
            .strip_prefix(':')
            .map_or(Some(default), |p| p.parse().ok())?;
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((authority.to_string(), default)),
    }
    .filter(|(host, _)| !host.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_and_uv_failures_are_read() {
        let refused = "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/six/\n\
                       ERROR: Could not find a version that satisfies the requirement six==1.16.0 (from versions: none)\n\
                       ERROR: No matching distribution found for six==1.16.0\n";
        assert_eq!(
            diagnose(refused, "the index `http://127.0.0.1:9/simple`")
                .unwrap()
                .problem,
            "cannot reach the index `http://127.0.0.1:9/simple` (connection refused)"
        );
        let missing = "ERROR: Could not find a version that satisfies the requirement alpha==9.9 (from versions: 1.0, 2.0)\n\
                       ERROR: No matching distribution found for alpha==9.9\n";
        assert_eq!(
            diagnose(missing, "the package index").unwrap().problem,
            "no version of `alpha==9.9` is available from the package index"
        );
        let uv = "  × No solution found when resolving dependencies:\n  ╰─▶ Because nosuchpkg was not found in the package registry and you require nosuchpkg, we can conclude that your requirements are unsatisfiable.\n";
        assert_eq!(
            diagnose(uv, "the package index").unwrap().problem,
            "`nosuchpkg` was not found on the package index"
        );
        let uv_version = "  ╰─▶ Because there is no version of alpha==9.9 and you require alpha==9.9, we can conclude that your requirements are unsatisfiable.\n";
        assert_eq!(
            diagnose(uv_version, "the package index").unwrap().problem,
            "no version of `alpha==9.9` is available from the package index"
        );
        assert_eq!(diagnose("ERROR: something else\n", "x"), None);
        assert!(found_no_versions(
            missing.replace("1.0, 2.0", "none").as_str()
        ));
    }

    #[test]
    fn index_hosts_are_found() {
        assert_eq!(
            host_and_port("https://u:p@pypi.example:8443/simple"),
            Some(("pypi.example".into(), 8443))
        );
        assert_eq!(
            host_and_port("http://127.0.0.1/simple"),
            Some(("127.0.0.1".into(), 80))
        );
        assert_eq!(host_and_port("https://[::1]:9/x"), Some(("::1".into(), 9)));
        assert_eq!(host_and_port("file:///srv/wheels"), None);
    }
}
