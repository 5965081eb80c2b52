//! Small text helpers shared by the model and operation emitters.

use std::fmt::Write;

/// Appends `text` as `///` doc lines (trailing blank lines dropped).
pub fn doc(out: &mut String, text: &str) {
    let lines: Vec<&str> = text.trim_end().lines().map(str::trim_end).collect();
    for line in lines {
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
}

/// Appends an empty `///` line and then `text` as a new doc paragraph.
pub fn doc_paragraph(out: &mut String, text: &str) {
    out.push_str("///\n");
    doc(out, text);
}

/// A one-line summary ends with a full stop.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?', ':']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// A Rust string literal for `text`.
pub fn literal(text: &str) -> String {
    format!("{text:?}")
}

/// `text` re-flowed into lines of at most `width` characters (words are never split).
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_chars = 0;
    for word in text.split_whitespace() {
        let chars = word.chars().count();
        if line_chars > 0 && line_chars + 1 + chars > width {
            out.push('\n');
            line_chars = 0;
        } else if line_chars > 0 {
            out.push(' ');
            line_chars += 1;
        }
        out.push_str(word);
        line_chars += chars;
    }
    out
}

/// `text` as `//!` lines of at most 100 columns.
pub fn module_doc(text: &str) -> String {
    wrap(text, 96)
        .lines()
        .map(|line| format!("//! {line}\n"))
        .collect()
}
