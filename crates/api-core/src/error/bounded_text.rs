//! Keeping the texts a server chose within the limits errors promise: a cut keeps the start
//! of a text, falls on a character boundary and ends with `… [+N bytes]`.

use std::fmt::{self, Write as _};

use super::ApiError;

/// [`ApiError::body_excerpt`] as [`excerpt`] makes it: the limit and a `…`.
pub(super) const EXCERPT_TEXT_LIMIT: usize = ApiError::EXCERPT_LIMIT + '…'.len_utf8();

/// The first `limit` bytes of `body` as lossy UTF-8, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(ApiError::EXCERPT_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if body.len() > cut.len() {
        text.push('…');
    }
    text
}

/// `text` cut to at most `limit` bytes (its marker included), as [`bound_in_place`] cuts it;
/// for a text that quotes a server's (an OAuth2 `error_description`) before it goes into
/// [`Error::Auth`](crate::Error::Auth) or [`Error::Config`](crate::Error::Config).
pub(crate) fn bounded(text: &str, limit: usize) -> String {
    Clipped::new(text, limit).to_string()
}

/// The marker after a text cut by `cut` bytes: `… [+N bytes]`.
fn write_marker(out: &mut (impl fmt::Write + ?Sized), cut: usize) -> fmt::Result {
    write!(out, "… [+{cut} bytes]")
}

/// The length of [`write_marker`]'s text for `cut`.
fn marker_len(cut: usize) -> usize {
    // At most 20 digits (`usize::MAX`), so neither sum can overflow.
    let digits = cut
        .checked_ilog10()
        .map_or(1, |d| (d as usize).saturating_add(1));
    "… [+ bytes]".len().saturating_add(digits)
}

/// The longest marker: for a cut of `usize::MAX` bytes.
const MAX_MARKER_LEN: usize = "… [+ bytes]".len() + 20;

/// The largest index `<= at` on a character boundary of `text`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    // 0 is always a boundary: the loop ends there at the latest.
    while !text.is_char_boundary(at) {
        at = at.saturating_sub(1);
    }
    at
}

/// Where `text` is cut to fit `limit` bytes with its marker: the head kept and the bytes cut.
/// Within the limit, the whole text and 0.
fn split_at_limit(text: &str, limit: usize) -> (&str, usize) {
    if text.len() <= limit {
        return (text, 0);
    }
    // The marker names fewer bytes than the whole text: reserving for that many digits keeps
    // head and marker within `limit`, so cutting again changes nothing.
    let end = floor_boundary(text, limit.saturating_sub(marker_len(text.len())));
    (&text[..end], text.len().saturating_sub(end))
}

/// Cuts `text` to at most `limit` bytes, its marker included (for a `limit` of at least
/// [`MAX_MARKER_LEN`]); releases the memory of the rest. Allocates nothing within the limit.
pub(crate) fn bound_in_place(text: &mut String, limit: usize) {
    let (head, cut) = split_at_limit(text, limit);
    if cut == 0 {
        return;
    }
    let head = head.len();
    text.truncate(head);
    let _ = write_marker(text, cut);
    text.shrink_to_fit();
}

/// What sets the kept end of a text cut in the middle apart from the marker.
const TAIL_MARKER: &str = " …";

/// Cuts `text` to at most `limit` bytes like [`bound_in_place`], but keeps up to `tail` bytes
/// of its end after the marker as well: `head… [+N bytes] …tail`.
pub(super) fn bound_middle_in_place(text: &mut String, limit: usize, tail: usize) {
    if text.len() <= limit {
        return;
    }
    let reserve = marker_len(text.len())
        .saturating_add(TAIL_MARKER.len())
        .saturating_add(tail);
    let head = floor_boundary(text, limit.saturating_sub(reserve));
    // The first character boundary at or after `len - tail`.
    let mut tail_start = text.len().saturating_sub(tail).max(head);
    // `text.len()` is always a boundary: the loop ends there at the latest.
    while !text.is_char_boundary(tail_start) {
        tail_start = tail_start.saturating_add(1);
    }
    let mut out = String::with_capacity(limit);
    out.push_str(&text[..head]);
    let _ = write_marker(&mut out, tail_start.saturating_sub(head));
    out.push_str(TAIL_MARKER);
    out.push_str(&text[tail_start..]);
    *text = out;
}

/// Displays (or debugs) a text cut to `limit` bytes as [`bound_in_place`] would cut it,
/// without allocating.
pub(crate) struct Clipped<'a> {
    text: &'a str,
    limit: usize,
}

impl<'a> Clipped<'a> {
    pub(crate) fn new(text: &'a str, limit: usize) -> Self {
        Self { text, limit }
    }
}

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, cut) = split_at_limit(self.text, self.limit);
        f.write_str(head)?;
        if cut > 0 {
            write_marker(f, cut)?;
        }
        Ok(())
    }
}

/// Quotes the cut text with its marker, as the `Debug` of a text cut by [`bound_in_place`]
/// would print.
impl fmt::Debug for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.len() <= self.limit {
            fmt::Debug::fmt(self.text, f)
        } else {
            // Allocates at most `limit` bytes, only for a text over the limit.
            fmt::Debug::fmt(&self.to_string(), f)
        }
    }
}

/// A writer that passes on at most `limit` bytes, its final marker included, and counts the
/// rest. Formatting cannot be stopped without an error (which `to_string` turns into a
/// panic), so what is over the limit is dropped instead.
pub(super) struct Capped<'a, W: fmt::Write + ?Sized> {
    out: &'a mut W,
    room: usize,
    cut: usize,
}

impl<'a, W: fmt::Write + ?Sized> Capped<'a, W> {
    pub(super) fn new(out: &'a mut W, limit: usize) -> Self {
        Self {
            out,
            room: limit.saturating_sub(MAX_MARKER_LEN),
            cut: 0,
        }
    }

    /// Writes the marker if anything was cut.
    pub(super) fn finish(self) -> fmt::Result {
        if self.cut > 0 {
            write_marker(self.out, self.cut)?;
        }
        Ok(())
    }
}

impl<W: fmt::Write + ?Sized> fmt::Write for Capped<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() <= self.room {
            self.room = self.room.saturating_sub(s.len());
            return self.out.write_str(s);
        }
        let end = floor_boundary(s, self.room);
        self.room = 0;
        self.cut = self.cut.saturating_add(s.len().saturating_sub(end));
        self.out.write_str(&s[..end])
    }
}

/// Runs a `Debug` body through a [`Capped`] writer of `limit` bytes, keeping `{:#?}`.
pub(super) fn capped_debug(
    f: &mut fmt::Formatter<'_>,
    limit: usize,
    body: impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result,
) -> fmt::Result {
    struct Body<F>(F);
    impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Debug for Body<F> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            (self.0)(f)
        }
    }
    let alternate = f.alternate();
    let mut out = Capped::new(f, limit);
    if alternate {
        write!(out, "{:#?}", Body(body))?;
    } else {
        write!(out, "{:?}", Body(body))?;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::MIB;

    #[test]
    fn excerpt_is_bounded_and_marks_the_cut() {
        let body = vec![b'a'; ApiError::EXCERPT_LIMIT + 10];
        let text = excerpt(&body);
        assert_eq!(text.chars().count(), ApiError::EXCERPT_LIMIT + 1);
        assert!(text.ends_with('…'));
        assert_eq!(excerpt(b"short"), "short");
    }

    #[test]
    fn cuts_fall_on_character_boundaries_and_say_how_much_was_cut() {
        // 'é' is two bytes, so every other byte index is inside a character.
        for extra in 0..4 {
            let text = format!("{}{}", "x".repeat(extra), "é".repeat(MIB));
            let mut cut = text.clone();
            bound_in_place(&mut cut, ApiError::TEXT_LIMIT);
            assert!(cut.len() <= ApiError::TEXT_LIMIT);
            let head = cut.split('…').next().expect("a head");
            assert!(text.starts_with(head));
            assert_eq!(cut, format!("{head}… [+{} bytes]", text.len() - head.len()));
            assert_eq!(Clipped::new(&text, ApiError::TEXT_LIMIT).to_string(), cut);
            assert_eq!(bounded(&text, ApiError::TEXT_LIMIT), cut);
        }
        let mut short = String::from("short");
        bound_in_place(&mut short, 5);
        assert_eq!(short, "short");
        // A cut just over the limit still fits, the marker included.
        for len in ApiError::TEXT_LIMIT..ApiError::TEXT_LIMIT + 20 {
            let mut text = "a".repeat(len);
            bound_in_place(&mut text, ApiError::TEXT_LIMIT);
            assert!(text.len() <= ApiError::TEXT_LIMIT, "{len}: {}", text.len());
        }
    }

    #[test]
    fn capped_writes_at_most_its_limit_and_marks_the_cut() {
        let mut out = String::new();
        let mut capped = Capped::new(&mut out, 100);
        for _ in 0..50 {
            capped.write_str("é").expect("writes");
        }
        capped.write_str(&"é".repeat(MIB)).expect("writes");
        capped.finish().expect("writes");
        assert!(out.len() <= 100, "{}", out.len());
        assert!(out.starts_with("éé") && out.ends_with(" bytes]"), "{out}");
    }
}
