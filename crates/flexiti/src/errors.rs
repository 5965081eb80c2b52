//! Flexiti's error bodies and codes.
//!
//! Input errors: `{"url", "message": "Some inputs are wrong!", "error": "wrong_inputs",
//! "field_errors": [{"param", "msg", "value"}]}` (some pages say `error_fields`). Business
//! errors: `{"message", "error": "<code>"}` with HTTP 409, which the docs call "Bad Request":
//! a conflict, not a server error, and never retried. The OAuth server answers
//! `{"error", "error_description"}`.

use std::fmt;

use api_core::{ApiError, Error, ErrorBody, ErrorDecoder, ErrorKind};

use crate::generated::operations::UNCONFIRMED_OPERATIONS;

/// Every error code the documentation lists, and `Unknown` for the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the code it names
pub enum ErrorCode {
    InvalidClient,
    InvalidRequest,
    InvalidToken,
    /// "The Developer Portal account being used is not provisioned for the API being
    /// accessed": answered with **409** on every endpoint (the error tables), so it is an
    /// `ErrorKind::Conflict`, not a 403 scope refusal; never retried.
    InvalidRole,
    InsufficientScope,
    WrongInputs,
    GeneralError,
    NotFound,
    CustomerIdentityNotFound,
    SmsNotValidPhone,
    MerchantOverrideIsNotAllowed,
    RegularPurchaseBypassIsNotAllowed,
    PiwMismatch,
    SecretAnswerMismatch,
    TriesExceed,
    InvalidTransactionType,
    WrongVerificationCode,
    VerificationCodeRequired,
    UserNotActive,
    UserNotAbleToPurchase,
    LimitPaymentAmount24,
    NotEnoughCredit,
    NotVerified,
    ExternalLocationIdNotFound,
    AccountTypeNotPermitted,
    VccAccountMismatch,
    CreditExceeded,
    AuthNotAllowed,
    PlanTermNotSet,
    PlanTermNotAvailable,
    CaptureAmountExceeded,
    ReturnDateExceeded,
    WrongTransactionType,
    NotPermitted,
    RefundsLimitExceededAmount,
    ApplicationCreateError,
    TosAgreementRequired,
    CustomerAlreadyExists,
    ApplicationDeclined,
    AuthenticationFailure,
    InvalidCredentials,
    InvalidAccount,
    /// A code this version of the crate does not know.
    Unknown(String),
}

const CODES: &[(&str, ErrorCode)] = &[
    ("invalid_client", ErrorCode::InvalidClient),
    ("invalid_request", ErrorCode::InvalidRequest),
    ("invalid_token", ErrorCode::InvalidToken),
    ("invalid_role", ErrorCode::InvalidRole),
    ("insufficient_scope", ErrorCode::InsufficientScope),
    ("wrong_inputs", ErrorCode::WrongInputs),
    ("wrong_input", ErrorCode::WrongInputs),
    ("general_error", ErrorCode::GeneralError),
    ("not_found", ErrorCode::NotFound),
    (
        "customer_identity_not_found",
        ErrorCode::CustomerIdentityNotFound,
    ),
    ("sms_not_valid_phone", ErrorCode::SmsNotValidPhone),
    (
        "merchant_override_is_not_allowed",
        ErrorCode::MerchantOverrideIsNotAllowed,
    ),
    (
        "regular_purchase_bypass_is_not_allowed",
        ErrorCode::RegularPurchaseBypassIsNotAllowed,
    ),
    ("piw_mismatch", ErrorCode::PiwMismatch),
    ("secret_answer_mismatch", ErrorCode::SecretAnswerMismatch),
    ("tries_exceed", ErrorCode::TriesExceed),
    (
        "invalid_transaction_type",
        ErrorCode::InvalidTransactionType,
    ),
    ("wrong_verification_code", ErrorCode::WrongVerificationCode),
    (
        "verification_code_required",
        ErrorCode::VerificationCodeRequired,
    ),
    ("user_not_active", ErrorCode::UserNotActive),
    (
        "user_not_able_to_purchase",
        ErrorCode::UserNotAbleToPurchase,
    ),
    ("limit_payment_amount_24", ErrorCode::LimitPaymentAmount24),
    ("not_enough_credit", ErrorCode::NotEnoughCredit),
    ("not_verified", ErrorCode::NotVerified),
    (
        "external_location_id_not_found",
        ErrorCode::ExternalLocationIdNotFound,
    ),
    (
        "account_type_not_permitted",
        ErrorCode::AccountTypeNotPermitted,
    ),
    ("vcc_account_mismatch", ErrorCode::VccAccountMismatch),
    ("credit_exceeded", ErrorCode::CreditExceeded),
    ("auth_not_allowed", ErrorCode::AuthNotAllowed),
    ("plan_term_not_set", ErrorCode::PlanTermNotSet),
    ("plan_term_not_available", ErrorCode::PlanTermNotAvailable),
    ("capture_amount_exceeded", ErrorCode::CaptureAmountExceeded),
    ("return_date_exceeded", ErrorCode::ReturnDateExceeded),
    ("wrong_transaction_type", ErrorCode::WrongTransactionType),
    ("not_permitted", ErrorCode::NotPermitted),
    (
        "refunds_limit_exceeded_amount",
        ErrorCode::RefundsLimitExceededAmount,
    ),
    (
        "application_create_error",
        ErrorCode::ApplicationCreateError,
    ),
    ("tos_agreement_required", ErrorCode::TosAgreementRequired),
    ("customer_already_exists", ErrorCode::CustomerAlreadyExists),
    ("application_declined", ErrorCode::ApplicationDeclined),
    ("authentication_failure", ErrorCode::AuthenticationFailure),
    ("invalid_credentials", ErrorCode::InvalidCredentials),
    ("invalid_account", ErrorCode::InvalidAccount),
];

impl ErrorCode {
    /// The code for its wire text.
    pub fn parse(text: &str) -> Self {
        CODES
            .iter()
            .find(|(name, _)| *name == text)
            .map_or_else(|| Self::Unknown(text.to_owned()), |(_, code)| code.clone())
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown(text) => text,
            known => CODES
                .iter()
                .find(|(_, code)| code == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// The code of an API error, when Flexiti sent one.
    ///
    /// ```
    /// # fn handle(error: flexiti::Error) {
    /// if flexiti::ErrorCode::of(&error) == Some(flexiti::ErrorCode::CreditExceeded) {
    ///     println!("not enough credit for this purchase");
    /// }
    /// # }
    /// ```
    pub fn of(error: &Error) -> Option<Self> {
        error.as_api()?.code.as_deref().map(Self::parse)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Flexiti's error decoder, as the [`Client`](crate::Client) plugs it into its transport;
/// public for a hand-built [`api_core::Transport`] and for the fuzz targets.
///
/// It reads the body once with api-core's [`ErrorBody`] and departs from the common reading
/// ([`api_core::JsonErrorDecoder`]) where Flexiti does: the per-field messages are under
/// `field_errors` (or `error_fields`), not `errors`; the code is `error` even when the Online
/// API also sends a numeric `code` (which the common reading prefers); and `error` may be a
/// number.
#[derive(Debug, Clone, Copy, Default)]
pub struct FlexitiErrors;

impl ErrorDecoder for FlexitiErrors {
    fn decode_error(&self, error: &mut ApiError, body: &[u8]) {
        if let Some(body) = ErrorBody::parse(body) {
            Self::refine(error, body);
        }
        if UNCONFIRMED_OPERATIONS.contains(&error.operation) {
            // The failure may be our guess of the request, not the caller's input: say so.
            error.add_note(&format!(
                "(`{}` is unconfirmed: its request or answer is our guess)",
                error.operation
            ));
        }
    }
}

impl FlexitiErrors {
    fn refine(error: &mut ApiError, body: ErrorBody) {
        let code = body.error_text();
        let fields = ["field_errors", "error_fields"]
            .iter()
            .find_map(|key| body.other.get(*key));
        error.message = body
            .message
            .or(body.error_description)
            .or_else(|| code.clone());
        error.code = code;
        if let Some(fields) = fields {
            error.field_errors = api_core::field_errors(fields);
        }
        if matches!(
            error.code.as_deref().map(ErrorCode::parse),
            Some(ErrorCode::WrongInputs)
        ) || !error.field_errors.is_empty()
        {
            error.kind = ErrorKind::Validation;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_core::StatusCode;

    fn decoded(status: u16, body: &str) -> ApiError {
        api_test_support::decoded(
            &FlexitiErrors,
            "flexiti",
            "capture_authorization",
            status,
            body,
        )
    }

    #[test]
    fn documented_bodies() {
        let e = decoded(
            409,
            r#"{"url":"/flexiti/pos-api/v2.5/client-id/flexitidemo/customers/828930/verify","message":"Some inputs are wrong!","error":"wrong_input","field_errors":[{"param":"email","msg":"invalid","value":"johndoe@"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.code.as_deref(), Some("wrong_input"));
        assert_eq!(e.field_errors["email"], ["invalid"]);
        assert_eq!(e.message.as_deref(), Some("Some inputs are wrong!"));

        let e = decoded(
            409,
            r#"{"message":"User is not active","error":"user_not_active"}"#,
        );
        assert_eq!(e.kind, ErrorKind::Conflict);
        let error = Error::from(e);
        assert_eq!(ErrorCode::of(&error), Some(ErrorCode::UserNotActive));
        assert!(!error.is_retryable());

        let e = decoded(
            400,
            r#"{"error":"invalid_client","error_description":"Bad client credentials"}"#,
        );
        assert_eq!(e.message.as_deref(), Some("Bad client credentials"));
        assert_eq!(
            ErrorCode::parse(e.code.as_deref().unwrap_or_default()),
            ErrorCode::InvalidClient
        );

        let e = decoded(
            409,
            r#"{"message":"x","error":"brand_new_code","error_fields":[{"param":"amount","msg":"too many decimals"}]}"#,
        );
        assert_eq!(
            ErrorCode::parse("brand_new_code"),
            ErrorCode::Unknown("brand_new_code".into())
        );
        assert_eq!(e.field_errors["amount"], ["too many decimals"]);
    }

    /// Why `FlexitiErrors` does not build on `api_core::JsonErrorDecoder`: the common
    /// decoder would lose the field errors and take the Online API's numeric `code` for the
    /// code.
    #[test]
    fn the_common_json_decoder_would_lose_flexiti_fields() {
        let status = StatusCode::CONFLICT;
        let bodies = [
            r#"{"message":"Some inputs are wrong!","error":"wrong_inputs","field_errors":[{"param":"amount","msg":"invalid"}]}"#,
            r#"{"code":1042,"error":"invalid_account","error_description":"No such account"}"#,
        ];
        for body in bodies {
            let ours = decoded(409, body);
            let common = api_core::decode_error_body(
                &api_core::JsonErrorDecoder,
                "flexiti",
                "online_init",
                status,
                body.as_bytes(),
            );
            assert_ne!(
                (&ours.code, &ours.field_errors),
                (&common.code, &common.field_errors),
                "{body}"
            );
        }
        let online = decoded(409, bodies[1]);
        assert_eq!(online.code.as_deref(), Some("invalid_account"));
        assert_eq!(online.message.as_deref(), Some("No such account"));
    }

    #[test]
    fn codes_round_trip() {
        for (name, code) in CODES.iter().filter(|(n, _)| *n != "wrong_input") {
            assert_eq!(ErrorCode::parse(name), *code);
            assert_eq!(code.as_str(), *name);
        }
    }
}
