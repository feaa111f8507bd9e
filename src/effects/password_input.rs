//! Reading a password: from the terminal without echo, or one line from stdin.

use std::io::BufRead;

/// Longer input is refused rather than hashed: nobody types a 4 KiB password.
const MAX_PASSWORD_BYTES: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum PasswordInputError {
    #[error(
        "cannot prompt for a password: there is no terminal ({0})\n\
         hint: pass `--password-stdin` and pipe the password in"
    )]
    NoTerminal(std::io::Error),
    #[error("cannot read the password from stdin: {0}")]
    Stdin(std::io::Error),
    #[error("the password is empty")]
    Empty,
    #[error("the password is longer than {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
}

/// Asks on the terminal (`/dev/tty`), echoing nothing.
pub fn prompt_password(prompt: &str) -> Result<String, PasswordInputError> {
    let password = rpassword::prompt_password(prompt).map_err(PasswordInputError::NoTerminal)?;
    checked(password)
}

/// The first line of stdin, without its line ending.
pub fn read_password_line(input: impl BufRead) -> Result<String, PasswordInputError> {
    let mut line = String::new();
    input
        .take(MAX_PASSWORD_BYTES as u64 + 2)
        .read_line(&mut line)
        .map_err(PasswordInputError::Stdin)?;
    let line = line
        .strip_suffix('\n')
        .map(|rest| rest.strip_suffix('\r').unwrap_or(rest))
        .unwrap_or(&line);
    checked(line.to_string())
}

fn checked(password: String) -> Result<String, PasswordInputError> {
    if password.is_empty() {
        return Err(PasswordInputError::Empty);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordInputError::TooLong);
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_is_read_without_its_ending() {
        for (input, expected) in [
            ("s3cret pass\nignored\n", "s3cret pass"),
            ("crlf\r\n", "crlf"),
            ("no newline", "no newline"),
            ("  spaces kept  \n", "  spaces kept  "),
        ] {
            assert_eq!(read_password_line(input.as_bytes()).unwrap(), expected);
        }
        assert!(matches!(
            read_password_line("\n".as_bytes()),
            Err(PasswordInputError::Empty)
        ));
        let long = "x".repeat(5000);
        assert!(matches!(
            read_password_line(long.as_bytes()),
            Err(PasswordInputError::TooLong)
        ));
    }
}
