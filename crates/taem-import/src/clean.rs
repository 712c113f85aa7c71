//! Cells as Excel leaves them, made readable by the member rules: the wrappers Excel and our
//! own downloads put around numbers, invisible characters pasted from the web or a chat, a
//! midnight time after a date, `.00` after whole points. And values shown back to people as
//! they would write them, not as Rust escapes them.

/// Characters that show as nothing (or as a plain space) but are not the space a person
/// typed, with the name a person can look for.
const INVISIBLE: [(char, &str); 7] = [
    ('\u{00A0}', "a non-breaking space"),
    ('\u{200B}', "a zero-width space"),
    ('\u{200C}', "a zero-width non-joiner"),
    ('\u{200D}', "a zero-width joiner"),
    ('\u{2060}', "a word joiner"),
    ('\u{FEFF}', "a zero-width no-break space (BOM)"),
    ('\u{202F}', "a narrow no-break space"),
];

fn is_invisible(c: char) -> bool {
    INVISIBLE.iter().any(|(i, _)| *i == c)
}

/// A cell's text trimmed of spaces and invisible characters at both ends (a name pasted with
/// a zero-width space keeps the ones inside, where Thai text may use them between words).
pub(crate) fn trimmed(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

/// A number-like cell (phone, points, date) without what Excel or a paste wraps it in: the
/// `'` that keeps a leading 0 (our own downloads write it too), a `="…"` formula, and every
/// invisible character (a non-breaking space inside is a space).
pub(crate) fn number_text(text: &str) -> String {
    let text = trimmed(text);
    let text = text.strip_prefix('\'').unwrap_or(text);
    let text = text
        .strip_prefix("=\"")
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    text.chars()
        .filter_map(|c| match c {
            '\u{00A0}' | '\u{202F}' => Some(' '),
            c if is_invisible(c) => None,
            c => Some(c),
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Points as Excel's comma style writes whole numbers (`1,200.00`, `50.0`): the `.00` dropped.
/// A real fraction (`12.5`) is left for the points rule to refuse.
pub(crate) fn whole_points_text(text: &str) -> String {
    let text = number_text(text);
    match text.rsplit_once('.') {
        Some((whole, zeros))
            if !zeros.is_empty()
                && zeros.chars().all(|c| c == '0' || c == '๐')
                && whole.chars().last().is_some_and(char::is_numeric)
                && !whole.contains('.') =>
        {
            whole.to_string()
        }
        _ => text,
    }
}

/// Whether points text has a fraction (digits after a `.` that are not all zero).
pub(crate) fn has_fraction(text: &str) -> bool {
    text.rsplit_once('.').is_some_and(|(whole, fraction)| {
        whole.chars().last().is_some_and(char::is_numeric)
            && !fraction.is_empty()
            && fraction.chars().all(char::is_numeric)
    })
}

/// A date as Excel writes a date cell with its time (`15/08/1987 0:00`,
/// `1987-08-15 00:00:00`, `1987-08-15T00:00:00`): the midnight time dropped. Another time is
/// kept, for the date rule to refuse.
pub(crate) fn date_text(text: &str) -> String {
    let text = number_text(text);
    let midnight = |time: &str| {
        let parts: Vec<&str> = time.split(':').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| (1..=2).contains(&p.len()) && p.chars().all(|c| c == '0' || c == '๐'))
    };
    if let Some((date, time)) = text.rsplit_once([' ', 'T'])
        && midnight(time.trim())
        && !date.trim().is_empty()
    {
        return date.trim().to_string();
    }
    text
}

/// A value quoted for a message: as written (Thai and all), with the invisible characters it
/// holds named, e.g. `"081 234 5678" (with a non-breaking space, U+00A0)`.
pub(crate) fn shown(value: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    for c in value.chars() {
        let name = match INVISIBLE.iter().find(|(i, _)| *i == c) {
            Some((_, name)) => format!("{name}, U+{:04X}", u32::from(c)),
            None if c.is_control() => format!("a control character, U+{:04X}", u32::from(c)),
            None => continue,
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        format!("\"{value}\"")
    } else {
        format!("\"{value}\" (with {})", names.join("; "))
    }
}

/// A message of the member rules with the value it quotes the Rust way (`"ต\u{e48}อ"`) quoted
/// for people instead ([`shown`]).
pub(crate) fn humane(message: &str, value: &str) -> String {
    message.replace(&format!("{value:?}"), &shown(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_wrappers_and_invisible_characters_leave_number_cells() {
        assert_eq!(number_text("'0812340001"), "0812340001");
        assert_eq!(number_text("=\"0812340002\""), "0812340002");
        assert_eq!(number_text("081\u{a0}234\u{a0}5671"), "081 234 5671");
        assert_eq!(number_text("\u{200b}0870000012"), "0870000012");
        assert_eq!(trimmed("\u{200b}ซีโร่\u{200b}วิดท์\u{a0}"), "ซีโร่\u{200b}วิดท์");
    }

    #[test]
    fn whole_points_lose_their_zero_decimals_and_fractions_stay() {
        assert_eq!(whole_points_text("1,200.00"), "1,200");
        assert_eq!(whole_points_text("2,000.0"), "2,000");
        assert_eq!(whole_points_text("12.5"), "12.5");
        assert_eq!(whole_points_text("1.2.00"), "1.2.00");
        assert!(has_fraction("12.5") && has_fraction("1,200.50") && !has_fraction("1,200"));
    }

    #[test]
    fn a_midnight_time_after_a_date_is_dropped_and_another_kept() {
        assert_eq!(date_text("15/08/1987 0:00"), "15/08/1987");
        assert_eq!(date_text("1987-08-15 00:00:00"), "1987-08-15");
        assert_eq!(date_text("1987-08-15T00:00:00"), "1987-08-15");
        assert_eq!(date_text("15/08/1987 13:45"), "15/08/1987 13:45");
        assert_eq!(date_text("15 ส.ค. 2530"), "15 ส.ค. 2530");
    }

    #[test]
    fn values_are_shown_as_written_with_invisible_characters_named() {
        assert_eq!(shown("081-000-0025 ต่อ 12"), "\"081-000-0025 ต่อ 12\"");
        assert_eq!(
            shown("ก\u{a0}ข"),
            "\"ก\u{a0}ข\" (with a non-breaking space, U+00A0)"
        );
        let message = format!("phone number {:?} is wrong", "ต่อ");
        assert_eq!(humane(&message, "ต่อ"), "phone number \"ต่อ\" is wrong");
    }
}
