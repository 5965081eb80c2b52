//! Property tests of the request checks and of login links: each check never panics and
//! accepts exactly what its documentation says, compared with a plain reference predicate.

use api_test_support::invalid_field as field;
use fsflt::{
    AssignRequest, AuthToken, AvailableLicensesRequest, CustomerCode, DemoRequest, Error, Lang,
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewCustomer, Validate,
};
use proptest::prelude::*;

fn blank(value: &str) -> bool {
    value.trim().is_empty()
}

fn upper(value: &str, count: usize) -> bool {
    value.len() == count && value.bytes().all(|b| b.is_ascii_uppercase())
}

fn words() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9 -]{0,20}",
        "[A-Za-zàéßЖ0-9 \t-]{1,20}",
        "[A-Za-z0-9 /.,@#?%-]{1,20}",
        any::<String>(),
    ]
}

fn lang() -> impl Strategy<Value = Option<Lang>> {
    proptest::option::of(prop_oneof![
        Just(Lang::En),
        Just(Lang::It),
        "[a-zA-Z]{2}".prop_map(|s| Lang::from(s.as_str())),
    ])
}

proptest! {
    #![proptest_config(api_test_support::config(256))]

    /// The spec's bounds (generated, in the spec's order): password 8–15 characters,
    /// country two upper-case letters; then its `x-check` (hand-written): email non-blank
    /// with an `@`; name non-blank; company non-blank when given; lang a known language.
    #[test]
    fn new_customer(
        email in prop_oneof!["[a-z]{0,5}@?[a-z.]{0,8}", any::<String>()],
        password in prop_oneof![".{0,20}", any::<String>()],
        name in words(),
        country in prop_oneof!["[A-Z]{2}", "[A-Za-z]{1,3}", any::<String>()],
        company in proptest::option::of(words()),
        language in lang(),
    ) {
        let mut customer = NewCustomer::new(&email, &password, &name, &country, 3);
        customer.company_name = company.clone();
        customer.lang = language.clone();
        let chars = password.chars().count();
        let expected = if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            Some("password")
        } else if !upper(&country, 2) {
            Some("country_code")
        } else if blank(&email) || !email.contains('@') {
            Some("email")
        } else if blank(&name) {
            Some("customer_name")
        } else if company.as_deref().is_some_and(blank) {
            Some("company_name")
        } else if matches!(language, Some(Lang::Unknown(_))) {
            Some("lang")
        } else {
            None
        };
        let got = field(customer.validate())?;
        prop_assert_eq!(got.as_deref(), expected);
    }

    /// The spec's bounds: a duration of digits, a three-letter upper-case currency; then its
    /// `x-check`: a customer code above 0, a known language, a non-blank licence code.
    #[test]
    fn available_licenses(
        code in prop_oneof![Just(0u64), any::<u64>()],
        language in lang(),
        currency in proptest::option::of(prop_oneof!["[A-Z]{3}", "[A-Za-z€]{2,4}"]),
        duration in proptest::option::of(prop_oneof!["[0-9]{0,3}", "[0-9a-z ]{1,5}"]),
        licence in proptest::option::of(words()),
    ) {
        let mut request = AvailableLicensesRequest::for_customer(CustomerCode::from(code));
        request.lang = language.clone();
        request.currency_code = currency.clone();
        request.license_duration = duration.clone();
        request.license_code = licence.clone();
        let expected = if duration
            .as_deref()
            .is_some_and(|d| d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()))
        {
            Some("license_duration")
        } else if currency.as_deref().is_some_and(|c| !upper(c, 3)) {
            Some("currency_code")
        } else if code == 0 {
            Some("customer_code")
        } else if matches!(language, Some(Lang::Unknown(_))) {
            Some("lang")
        } else if licence.as_deref().is_some_and(blank) {
            Some("license_code")
        } else {
            None
        };
        let got = field(request.validate())?;
        prop_assert_eq!(got.as_deref(), expected);
        let mut demo = DemoRequest::for_customer(CustomerCode::from(code));
        demo.lang = language.clone();
        let expected = if code == 0 {
            Some("customer_code")
        } else if matches!(language, Some(Lang::Unknown(_))) {
            Some("lang")
        } else {
            None
        };
        let got = field(demo.validate())?;
        prop_assert_eq!(got.as_deref(), expected);
    }

    /// The currency (the spec's pattern), then the licence code and description (`x-check`):
    /// letters, digits, dashes and whitespace only (any script).
    #[test]
    fn assign(
        code in 1u64..,
        licence in words(),
        info in words(),
        currency in proptest::option::of(prop_oneof!["[A-Z]{3}", "[a-z]{3}"]),
    ) {
        let mut request = AssignRequest::new(CustomerCode::from(code), &licence, &info);
        request.currency_code = currency.clone();
        let expected = if currency.as_deref().is_some_and(|c| !upper(c, 3)) {
            Some("currency_code")
        } else if blank(&licence) {
            Some("license_code")
        } else if blank(&info)
            || !info.chars().all(|c| c.is_alphanumeric() || c == '-' || c.is_whitespace())
        {
            Some("license_info")
        } else {
            None
        };
        let got = field(request.validate())?;
        prop_assert_eq!(got.as_deref(), expected);
    }

    /// A white-label login link: the host must be a bare name (letters, digits, `.`, `-`,
    /// `:port`, not starting with a separator); when it is, the link is
    /// `https://<host>/?auth_token=<token>` with the token as its only query pair, whatever
    /// the token holds.
    #[test]
    fn login_links(
        host in prop_oneof![
            "[a-z0-9]{1,10}(\\.[a-z0-9-]{1,10}){0,2}(:[0-9]{1,5})?",
            "[a-z0-9./:?#@ -]{0,16}",
            any::<String>(),
        ],
        token in prop_oneof!["[A-Za-z0-9%._~-]{1,30}", any::<String>()],
    ) {
        let auth = AuthToken { token: token.clone(), expiration: "15 min".into() };
        let bare = !host.is_empty()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
            && !host.starts_with(['.', '-', ':']);
        match auth.login_url_for(&host) {
            Ok(link) => {
                prop_assert!(bare, "{:?} accepted", host);
                let prefix = format!("https://{host}/?auth_token=");
                let rest = link.strip_prefix(&prefix);
                prop_assert!(rest.is_some(), "{}", link);
                let rest = rest.unwrap_or_default();
                // One pair: nothing of the token can start another pair, a fragment or a path.
                prop_assert!(!rest.contains(['&', '#', '/', '?', ' ', '=']), "{}", rest);
            }
            Err(Error::InvalidInput(e)) => {
                prop_assert!(!bare, "{:?} refused", host);
                prop_assert_eq!(e.field.as_str(), "host");
            }
            Err(other) => prop_assert!(false, "{:?}", other),
        }
    }
}
