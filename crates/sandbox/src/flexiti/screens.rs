//! The customer screens: localised strings, terms and conditions, the widget's start, and
//! the driver's licence decode that pre-fills an application.

use super::routes::Req;
use super::wire::{self, Answer, Fields, Problem};
use serde_json::{Value, json};

/// `POST customers/driverslicense` `{code}`: the AAMVA (PDF417) fields a form needs.
pub(super) fn drivers_license(req: &Req) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    let code = fields.string("code", true, 4000);
    let (Some(code), true) = (code, fields.is_ok()) else {
        return Err(fields.problem());
    };
    let element = |id: &str| {
        code.split(['\n', '\r'])
            .map(str::trim)
            .find_map(|line| line.strip_prefix(id))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let first = element("DAC").or_else(|| element("DCT"));
    let last = element("DCS");
    if first.is_none() || last.is_none() {
        return Err(Problem::wrong_input(
            "code",
            "not a driver's licence code",
            Value::String(code),
        ));
    }
    let dob = element("DBB").and_then(|d| aamva_date(&d));
    wire::ok(&json!({
        "first_name": first,
        "last_name": last,
        "dob": dob,
        "address_1": element("DAG"),
        "city": element("DAI"),
        "province": element("DAJ"),
        "postal_code": element("DAK").map(|p| p.replace(' ', "")),
    }))
}

/// An AAMVA date, `CCYYMMDD` (Canada) or `MMDDCCYY` (USA), as `YYYY-MM-DD`.
fn aamva_date(text: &str) -> Option<String> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year_first = format!("{}-{}-{}", &text[0..4], &text[4..6], &text[6..8]);
    let year_last = format!("{}-{}-{}", &text[4..8], &text[0..2], &text[2..4]);
    [year_first, year_last]
        .into_iter()
        .find(|d| wire::parse_date(d).is_some())
}

/// `GET` (or `POST`) `i18n`: a few UI strings.
pub(super) fn i18n(req: &Req) -> Answer {
    let strings = if req.lang == "fr" {
        json!({
            "widget.title": "Payez au fil du temps avec Flexiti",
            "widget.apply": "Faire une demande",
            "widget.buy": "Acheter avec Flexiti",
            "widget.verify": "Vérifier",
            "widget.cancel": "Annuler",
        })
    } else {
        json!({
            "widget.title": "Pay over time with Flexiti",
            "widget.apply": "Apply now",
            "widget.buy": "Buy with Flexiti",
            "widget.verify": "Verify",
            "widget.cancel": "Cancel",
        })
    };
    wire::ok(&strings)
}

/// `GET terms-and-conditions`.
pub(super) fn terms(req: &Req) -> Answer {
    let text = if req.lang == "fr" {
        "Conditions générales du bac à sable Flexiti : aucun crédit réel n'est accordé."
    } else {
        "Flexiti sandbox terms and conditions: no real credit is granted."
    };
    wire::ok(&json!({"lang": req.lang, "text": text}))
}

/// `POST widget/init` `{flow, lang?, customer_identification?, ...}`: the URL of the hosted
/// widget.
pub(super) fn widget_init(req: &Req) -> Answer {
    let body = req.body()?;
    let mut fields = Fields::new(&body);
    fields.choice("flow", true, &["purchase", "apply"]);
    let lang = fields.choice("lang", false, &["en", "fr"]);
    fields.finish()?;
    let url = format!(
        "{}/#/widget/{}/{}?lang={}&x-reference-id={}&widget_session_id={}",
        req.url,
        wire::percent_encode(req.client_id),
        req.token,
        lang.unwrap_or(req.lang),
        wire::percent_encode(&req.reference_id),
        crate::common::ids::uuid_v4(),
    );
    wire::ok(&json!({ "redirection_url": url }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_aamva_dates() {
        assert_eq!(aamva_date("19850412").as_deref(), Some("1985-04-12"));
        assert_eq!(aamva_date("04121985").as_deref(), Some("1985-04-12"));
        assert_eq!(aamva_date("1985041"), None);
        assert_eq!(aamva_date("99999999"), None);
    }
}
