//! Log lines on stderr: `warning: ...` for people, one JSON object per event for machines.

use std::fmt;

use anstyle::{AnsiColor, Style};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::cli::LogFormat;
use crate::core::text::shown;

/// Installs the global subscriber; called once before any output.
pub fn init(format: LogFormat, level: Level, color: bool) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(color)
            .event_format(PlainFormat { color })
            .try_init(),
        LogFormat::Json => builder.json().with_target(false).try_init(),
    };
}

/// `warning: message key=value`, like compilers print.
struct PlainFormat {
    color: bool,
}

impl<S, N> FormatEvent<S, N> for PlainFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let (label, style) = match *event.metadata().level() {
            Level::ERROR => ("error", AnsiColor::Red.on_default().bold()),
            Level::WARN => ("warning", AnsiColor::Yellow.on_default().bold()),
            Level::INFO => ("info", Style::new().bold()),
            Level::DEBUG => ("debug", Style::new().dimmed()),
            Level::TRACE => ("trace", Style::new().dimmed()),
        };
        if self.color {
            write!(writer, "{style}{label}:{style:#} ")?;
        } else {
            write!(writer, "{label}: ")?;
        }
        // Fields carry paths, package metadata and installer output: escaped, so none of it
        // drives the terminal.
        let mut fields = String::new();
        context
            .field_format()
            .format_fields(Writer::new(&mut fields), event)?;
        writeln!(writer, "{}", shown(&fields))
    }
}
