//! The printer: the one writer of results (stdout) and of the transcript
//! and errors (stderr), injected so tests can capture both. It writes what
//! it is given: secrets are redacted in the values before they get here
//! (see `secret`). A reader that went away (`| head`) ends output quietly;
//! any other write error is an error (exit 3), so a full disk never passes
//! for an empty report.

use std::cell::RefCell;
use std::io::{self, Write};

use crate::error::CliError;

struct Sink {
    writer: Box<dyn Write>,
    /// The reader went away: write nothing more.
    closed: bool,
}

impl Sink {
    fn write(&mut self, text: &str) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self
            .writer
            .write_all(text.as_bytes())
            .and_then(|()| self.writer.flush());
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

/// What a printer kept in memory: the run's document, its colours removed.
#[derive(Clone, Default)]
pub struct Document(std::rc::Rc<RefCell<Vec<u8>>>);

impl Document {
    /// The document written so far, without escape sequences.
    pub fn take(&self) -> Vec<u8> {
        let bytes = std::mem::take(&mut *self.0.borrow_mut());
        anstream::adapter::strip_bytes(&bytes).into_vec()
    }
}

impl Write for Document {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub struct Printer {
    out: RefCell<Sink>,
    err: RefCell<Sink>,
    /// The terminal's width when stderr is one: status lines wrap to it.
    status_width: Option<u16>,
}

impl Printer {
    /// Standard output and error, colour stripped where the choice says so.
    pub fn stdio() -> Printer {
        let mut printer = Printer::new(Box::new(anstream::stdout()), Box::new(anstream::stderr()));
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            printer.status_width = Some(super::status_width());
        }
        printer
    }

    /// Results kept in memory, without colour (for `--output-file`);
    /// stderr as `stdio`'s.
    pub fn to_memory() -> (Printer, Document) {
        let document = Document::default();
        let mut printer = Printer::new(Box::new(document.clone()), Box::new(anstream::stderr()));
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            printer.status_width = Some(super::status_width());
        }
        (printer, document)
    }

    pub fn new(out: Box<dyn Write>, err: Box<dyn Write>) -> Printer {
        let sink = |writer| {
            RefCell::new(Sink {
                writer,
                closed: false,
            })
        };
        Printer {
            out: sink(out),
            err: sink(err),
            status_width: None,
        }
    }

    /// Writes a result. Fails when stdout cannot take it (other than a
    /// closed pipe).
    pub fn out(&self, text: &str) -> Result<(), CliError> {
        self.out
            .borrow_mut()
            .write(text)
            .map_err(|e| CliError::Output(format!("cannot write to standard output: {e}")))
    }

    /// Writes a value as the run's JSON document: pretty, streamed to
    /// standard output as it is encoded (a report of 100,000 clients is not
    /// built in memory first), ended by a newline. Errors as `out`.
    pub fn out_json<T: serde::Serialize>(&self, value: &T) -> Result<(), CliError> {
        let mut sink = self.out.borrow_mut();
        if sink.closed {
            return Ok(());
        }
        let result = {
            let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut sink.writer);
            serde_json::to_writer_pretty(&mut buffered, value)
                .map_err(io::Error::from)
                .and_then(|()| buffered.write_all(b"\n"))
                .and_then(|()| buffered.flush())
        };
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                sink.closed = true;
                Ok(())
            }
            Err(e) => Err(CliError::Output(format!(
                "cannot write to standard output: {e}"
            ))),
            Ok(()) => Ok(()),
        }
    }

    /// Writes a value as one line of JSON (a document per line, for a
    /// stream of them: `cachectl watch` without a terminal).
    pub fn out_json_line<T: serde::Serialize>(&self, value: &T) -> Result<(), CliError> {
        let mut line = serde_json::to_string(value)
            .map_err(|e| CliError::Other(anyhow::anyhow!("cannot encode JSON: {e}")))?;
        line.push('\n');
        self.out(&line)
    }

    /// Writes one line of transcript or diagnostics to stderr. Its errors
    /// are not the run's: the result on stdout is what counts.
    pub fn status(&self, text: &str) {
        // Every line made safe for the terminal: the transcript quotes
        // servers, applications and files (host names, source names), and
        // carries no escape sequences of its own.
        let safe: Vec<std::borrow::Cow<'_, str>> = text.split('\n').map(super::clean).collect();
        // On a terminal, a line longer than it is wrapped between words
        // rather than by the terminal mid-address; a log keeps it whole.
        let safe: Vec<std::borrow::Cow<'_, str>> = match self.status_width {
            Some(width) => safe
                .into_iter()
                .map(|l| {
                    if textwrap::core::display_width(&l) <= usize::from(width) {
                        l
                    } else {
                        super::table::wrap(&l, width, "", "  ").into()
                    }
                })
                .collect(),
            None => safe,
        };
        let _ = self
            .err
            .borrow_mut()
            .write(&format!("{}\n", safe.join("\n")));
    }

    /// Prints an error and its cause chain to stderr.
    pub fn error(&self, err: &CliError) {
        // Errors may quote what a server said: escape it for the terminal.
        let mut text = format!("cachectl: error: {}", super::clean(&err.to_string()));
        if let CliError::Other(e) = err {
            for cause in e.chain().skip(1) {
                text.push_str(&format!(
                    "\n  caused by: {}",
                    super::clean(&cause.to_string())
                ));
            }
        }
        self.status(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Failing(io::ErrorKind);
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_is_quiet_other_errors_are_not() {
        let p = Printer::new(
            Box::new(Failing(io::ErrorKind::BrokenPipe)),
            Box::new(io::sink()),
        );
        assert!(p.out("report").is_ok());
        assert!(p.out("more").is_ok());
        let p = Printer::new(
            Box::new(Failing(io::ErrorKind::StorageFull)),
            Box::new(io::sink()),
        );
        let err = p.out("report").unwrap_err();
        assert!(matches!(err, CliError::Output(_)));
        assert!(err.to_string().contains("standard output"), "{err}");
    }

    #[test]
    fn writes_to_the_injected_writers() {
        let (out, err) = (Shared::default(), Shared::default());
        let p = Printer::new(Box::new(out.clone()), Box::new(err.clone()));
        p.out("result\n").unwrap();
        p.status("note");
        assert_eq!(out.0.lock().unwrap().as_slice(), b"result\n");
        assert_eq!(err.0.lock().unwrap().as_slice(), b"note\n");
    }
}
