//! Standard output, written without panicking: `println!` panics when the reader has gone
//! (`taem-counter … | head -1`) or the disk is full (`> /dev/full`). Every answer goes through
//! here, so a closed pipe ends the program quietly and a failed write is an error like others.

use std::io::Write;

/// Exit code when the reader of standard output went away (`… | head -1`): the code a shell
/// reports for a program ended by SIGPIPE (128 + 13), which is how other Unix tools end there.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Standard output could not be written.
#[derive(Debug)]
pub struct OutputError(pub std::io::Error);

impl OutputError {
    /// Whether the reader closed the pipe (then the program ends quietly).
    pub fn is_broken_pipe(&self) -> bool {
        self.0.kind() == std::io::ErrorKind::BrokenPipe
    }
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot write the output ({}): free some disk space or send the output to another file",
            self.0
        )
    }
}

// No `source()`: the message already names the cause, and `{:#}` would repeat it.
impl std::error::Error for OutputError {}

/// Writes `text` and a newline to `out` and flushes it, so a POS reading line by line gets
/// each answer at once.
pub fn write_line(out: &mut impl Write, text: &str) -> Result<(), OutputError> {
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(OutputError)
}

/// Writes one line (or block of lines) to standard output.
pub fn print_line(text: &str) -> Result<(), OutputError> {
    write_line(&mut std::io::stdout().lock(), text)
}
