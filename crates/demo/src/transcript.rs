//! What the demo prints, and whether every step held.

use std::process::ExitCode;

/// Collects checked steps; a failed one makes the demo exit non-zero.
#[derive(Default)]
pub struct Transcript {
    passed: usize,
    failed: usize,
}

impl Transcript {
    /// A section heading.
    pub fn section(&self, title: &str) {
        println!("\n{title}");
    }

    /// A line of context that checks nothing.
    pub fn note(&self, text: impl AsRef<str>) {
        println!("    {}", text.as_ref());
    }

    /// A step that behaved as documented.
    pub fn pass(&mut self, text: impl AsRef<str>) {
        self.passed += 1;
        println!("  ✓ {}", text.as_ref());
    }

    /// A step that did not.
    pub fn fail(&mut self, text: impl AsRef<str>) {
        self.failed += 1;
        println!("  ✗ {}", text.as_ref());
    }

    /// Records `ok` with `text` as a pass or a failure.
    pub fn check(&mut self, ok: bool, text: impl AsRef<str>) {
        if ok {
            self.pass(text);
        } else {
            self.fail(text);
        }
    }

    /// Prints the summary line and gives the exit code.
    pub fn finish(self) -> ExitCode {
        println!("\ndemo: {} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 && self.passed > 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
