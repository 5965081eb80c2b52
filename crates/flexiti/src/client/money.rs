//! POS API: the operations that move money (each carries an idempotency key).

use api_core::paginate::{Page as Paged, PageStyle, paginate};
use api_core::{Error, Response, Result};
use futures_core::Stream;

use crate::generated::operations;
use crate::*;

use super::checks::*;

/// POS API: money. Every call here carries an idempotency key.
impl Client {
    /// Posts a deposit, in-store payment or trade-in (v2.5.1 `transactions`).
    pub async fn post_transaction(
        &self,
        request: &TransactionRequest,
    ) -> Result<Response<TransactionResult>> {
        check_amount("amount", request.amount)?;
        if request.account_number.is_none()
            && request.vcc_number.is_none()
            && request.customer_id.is_none()
        {
            return Err(Error::invalid_input(
                "account_number",
                "one of account_number, vcc_number or customer_id is required",
            ));
        }
        let op = operations::post_transaction(self.id(), request, self.lang())?;
        self.send(op).await
    }

    /// Authorizes a purchase (v2.5.1), capturing it at once when `auto_capture` is set.
    pub async fn authorize(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<Response<Authorization>> {
        non_empty("account_number", &request.account_number.text())?;
        check_amount("amount", request.amount)?;
        if request.financing_option.transaction_type == FinancingType::PromotionalPurchase
            && request.financing_option.plan_id.is_none()
        {
            return Err(Error::invalid_input(
                "financing_option.plan_id",
                "a promotional purchase needs a plan_id (see calculate_interest)",
            ));
        }
        let op = operations::create_authorization(self.id(), request)?;
        self.send(op).await
    }

    /// One authorization.
    pub async fn authorization(&self, id: &Id) -> Result<Response<Authorization>> {
        non_empty("authorization_id", &id.text())?;
        let op = operations::get_authorization(self.id(), &id.text(), self.lang())?;
        self.send(op).await
    }

    /// One page of authorizations.
    pub async fn authorizations_page(
        &self,
        filter: &AuthorizationFilter,
        page_number: u32,
        page_size: u32,
    ) -> Result<Response<Page<Authorization>>> {
        let account = filter.account_number.as_ref().map(Id::text);
        let op = operations::list_authorizations(
            self.id(),
            self.lang(),
            account.as_deref(),
            filter.transaction_type.as_deref(),
            filter.authorization_status.as_deref(),
            filter.creation_date_from.as_deref(),
            filter.creation_date_to.as_deref(),
            Some(page_number),
            Some(page_size),
        )?;
        self.send(op).await
    }

    /// Every authorization matching `filter`, page by page ([`PAGE_SIZE`] a page, from the
    /// first page number the spec gives).
    pub fn authorizations(
        &self,
        filter: AuthorizationFilter,
    ) -> impl Stream<Item = Result<Authorization>> + use<> {
        let client = self.clone();
        paginate(
            PageStyle::PageNumber {
                first: spec::LIST_AUTHORIZATIONS_FIRST_PAGE,
                per_page: PAGE_SIZE,
            },
            move |page| {
                let (client, filter) = (client.clone(), filter.clone());
                async move {
                    let answer = client
                        .authorizations_page(&filter, page.page, page.limit)
                        .await?
                        .into_inner();
                    Ok(Paged::new(answer.items))
                }
            },
        )
    }

    /// Captures all or part of an authorization.
    pub async fn capture(
        &self,
        authorization: &Id,
        request: &CaptureRequest,
    ) -> Result<Response<Capture>> {
        non_empty("authorization_id", &authorization.text())?;
        check_amount("amount", request.amount)?;
        let op = operations::capture_authorization(self.id(), &authorization.text(), request)?;
        self.send(op).await
    }

    /// Releases (voids) what is left of an authorization.
    pub async fn release(
        &self,
        authorization: &Id,
        request: Option<&ReleaseRequest>,
    ) -> Result<Response<Release>> {
        non_empty("authorization_id", &authorization.text())?;
        if let Some(amount) = request.and_then(|r| r.amount) {
            check_amount("amount", amount)?;
        }
        let op = operations::release_authorization(self.id(), &authorization.text(), request)?;
        self.send(op).await
    }

    /// Returns all or part of a capture (promotional purchases, captures at most 100 days
    /// old).
    pub async fn return_capture(
        &self,
        authorization: &Id,
        capture: &Id,
        request: &ReturnRequest,
    ) -> Result<Response<ReturnResult>> {
        non_empty("authorization_id", &authorization.text())?;
        non_empty("capture_id", &capture.text())?;
        check_amount("amount", request.amount)?;
        let op =
            operations::return_capture(self.id(), &authorization.text(), &capture.text(), request)?;
        self.send(op).await
    }

    /// Refunds or credits an account, not tied to a capture. **Unconfirmed:** the body is not
    /// documented; we send `amount` and `reference`.
    #[cfg(feature = "unconfirmed")]
    #[cfg_attr(docsrs, doc(cfg(feature = "unconfirmed")))]
    pub async fn refund(&self, account: &Id, request: &RefundRequest) -> Result<Response<Refund>> {
        non_empty("account_number", &account.text())?;
        check_amount("amount", request.amount)?;
        let op = operations::refund_account(self.id(), &account.text(), request)?;
        self.send(op).await
    }

    /// One page of captures.
    pub async fn captures_page(
        &self,
        filter: &AuthorizationFilter,
        page_number: u32,
        page_size: u32,
    ) -> Result<Response<Page<Capture>>> {
        let account = filter.account_number.as_ref().map(Id::text);
        let op = operations::list_captures(
            self.id(),
            self.lang(),
            account.as_deref(),
            filter.transaction_type.as_deref(),
            filter.authorization_status.as_deref(),
            filter.creation_date_from.as_deref(),
            filter.creation_date_to.as_deref(),
            Some(page_number),
            Some(page_size),
        )?;
        self.send(op).await
    }
}
