//! Rust names from JSON names: `snake_case` fields and functions, `UpperCamelCase` types and
//! variants, keywords escaped.

/// Keywords that `r#` can escape (strict, reserved, and edition 2024's `gen`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const PLAIN_KEYWORDS: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Splits `fooBar`, `FooBar`, `foo_bar`, `foo-bar`, `HTTPStatus`, `X-RateLimit-Limit` into
/// lowercase words.
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // `fooBar` -> foo|Bar; `HTTPStatus` -> HTTP|Status; `value2X` -> value2|X.
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_is_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `msisdn` -> `msisdn`, `messageId` -> `message_id`, `X-RateLimit-Limit` ->
/// `x_rate_limit_limit`; not escaped (see [`field_ident`]).
pub fn snake_case(text: &str) -> String {
    let name = words(text).join("_");
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

/// `side-effect` -> `SideEffect`, `ACTIVE` -> `Active`, `fooBar` -> `FooBar`.
pub fn upper_camel_case(text: &str) -> String {
    let mut name: String = words(text)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// A type name: kept when it already is `UpperCamelCase`, converted otherwise.
pub fn type_name(text: &str) -> String {
    let is_camel = text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.chars().all(|c| c.is_ascii_alphanumeric());
    if is_camel {
        text.to_owned()
    } else {
        upper_camel_case(text)
    }
}

/// A field, argument or function identifier for a JSON name: snake case, then `r#` for
/// keywords, or a trailing `_` for the few keywords that cannot be raw.
pub fn field_ident(json_name: &str) -> String {
    escape(snake_case(json_name))
}

/// Escapes a snake-case name that may be a keyword.
pub fn escape(name: String) -> String {
    if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if PLAIN_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The name serde sees for an identifier (`r#type` -> `type`).
pub fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// True for a plain identifier (no keyword check).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// True for a Rust path such as `api_core::lenient::option_u64` or `crate::Envelope`
/// (identifiers separated by `::`, no generics).
pub fn is_path(text: &str) -> bool {
    !text.is_empty() && text.split("::").all(is_identifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(snake_case("messageId"), "message_id");
        assert_eq!(snake_case("X-RateLimit-Limit"), "x_rate_limit_limit");
        assert_eq!(snake_case("HTTPStatus"), "http_status");
        assert_eq!(snake_case("customer_id"), "customer_id");
        assert_eq!(snake_case("2fa"), "_2fa");
        assert_eq!(upper_camel_case("side-effect"), "SideEffect");
        assert_eq!(upper_camel_case("ACTIVE"), "Active");
        assert_eq!(upper_camel_case("in_progress"), "InProgress");
        assert_eq!(upper_camel_case("2fa"), "V2fa");
        assert_eq!(type_name("SmsStatusCode"), "SmsStatusCode");
        assert_eq!(type_name("sms_status"), "SmsStatus");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
        assert_eq!(unraw("r#type"), "type");
        assert!(is_path("api_core::lenient::option_u64"));
        assert!(is_path("crate::Envelope"));
        assert!(!is_path("crate::"));
        assert!(!is_path("Vec<u8>"));
        assert!(!is_path("a\"b"));
    }
}
