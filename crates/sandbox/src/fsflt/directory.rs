//! The `directory/…` lists (unconfirmed paths): the codes the other endpoints take for
//! `version_code`, `currency_code`, `country_code` and `industry_code`.
//!
//! The docs show neither the paths nor the answers: each entry is `{"code", "name"}`, the
//! code as a string, as `specs/fsflt.yaml` guesses (`DirectoryEntry`).

use serde::Serialize;

use super::catalogue::{CATALOGUE, Currency};

/// One directory list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum List {
    LicenseVersions,
    Currencies,
    Countries,
    Industries,
}

/// One entry of a list.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(super) struct DirectoryEntry {
    code: String,
    name: &'static str,
}

/// The countries listed (create-customer takes any two letters; these are a sample).
const COUNTRIES: [(&str, &str); 6] = [
    ("IT", "Italy"),
    ("DE", "Germany"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
];

/// The industries; 1 is the "family" industry that needs no company name.
const INDUSTRIES: [(u32, &str); 4] = [
    (super::routes::FAMILY_INDUSTRY, "Family"),
    (2, "Business"),
    (3, "Education"),
    (4, "Public administration"),
];

/// The name of the catalogue's licence version `0` (the only one).
const VERSION_NAME: &str = "FlashStart Cloud";

impl List {
    /// The entries, in a fixed order.
    pub(super) fn entries(self) -> Vec<DirectoryEntry> {
        let entry = |code: String, name| DirectoryEntry { code, name };
        match self {
            List::LicenseVersions => {
                let mut versions: Vec<&str> = CATALOGUE.iter().map(|e| e.version).collect();
                versions.dedup();
                versions
                    .into_iter()
                    .map(|v| entry(v.to_owned(), VERSION_NAME))
                    .collect()
            }
            List::Currencies => [Currency::Eur, Currency::Usd]
                .into_iter()
                .map(|c| entry(c.code().to_owned(), c.name()))
                .collect(),
            List::Countries => COUNTRIES
                .into_iter()
                .map(|(code, name)| entry(code.to_owned(), name))
                .collect(),
            List::Industries => INDUSTRIES
                .into_iter()
                .map(|(code, name)| entry(code.to_string(), name))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_codes_as_strings() {
        let value = |list: List| serde_json::to_value(list.entries()).unwrap_or_default();
        assert_eq!(
            value(List::LicenseVersions),
            json!([{"code": "0", "name": "FlashStart Cloud"}])
        );
        assert_eq!(
            value(List::Currencies),
            json!([{"code": "EUR", "name": "Euro"}, {"code": "USD", "name": "US dollar"}])
        );
        assert_eq!(
            value(List::Industries)[0],
            json!({"code": "1", "name": "Family"})
        );
        assert_eq!(List::Countries.entries().len(), COUNTRIES.len());
    }
}
