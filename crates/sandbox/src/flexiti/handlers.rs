//! One handler per operation of `specs/flexiti.yaml` (the generated `Handlers` trait: an
//! operation without one does not compile). Each reads its path parameters and calls the
//! emulation in `accounts.rs`, `transactions.rs` or `online.rs`.

use super::routes::Req;
use super::wire::Answer;
use super::{State, accounts, online, payments, screens, transactions};
use crate::generated::flexiti::Handlers;

impl Handlers for State {
    type Call<'a> = Req<'a>;
    type Answer = Answer;

    fn search_customers(&mut self, req: &Req<'_>) -> Answer {
        accounts::search(self, req)
    }

    fn lookup_customer(&mut self, req: &Req<'_>) -> Answer {
        accounts::lookup(self, req)
    }

    fn decode_drivers_license(&mut self, req: &Req<'_>) -> Answer {
        screens::drivers_license(req)
    }

    fn verify_account(&mut self, req: &Req<'_>) -> Answer {
        accounts::verify(self, req, req.param("account_number"))
    }

    fn close_account(&mut self, req: &Req<'_>) -> Answer {
        accounts::close(self, req.param("account_number"))
    }

    fn calculate_interest(&mut self, req: &Req<'_>) -> Answer {
        accounts::calculate_interest(self, req, req.param("account_number"))
    }

    fn post_transaction(&mut self, req: &Req<'_>) -> Answer {
        payments::transaction(self, req)
    }

    fn create_authorization(&mut self, req: &Req<'_>) -> Answer {
        transactions::authorize(self, req)
    }

    fn get_authorization(&mut self, req: &Req<'_>) -> Answer {
        transactions::get(self, req.id("authorization_id")?)
    }

    fn list_authorizations(&mut self, req: &Req<'_>) -> Answer {
        transactions::list(self, req)
    }

    fn capture_authorization(&mut self, req: &Req<'_>) -> Answer {
        transactions::capture(self, req, req.id("authorization_id")?)
    }

    fn release_authorization(&mut self, req: &Req<'_>) -> Answer {
        transactions::release(self, req, req.id("authorization_id")?)
    }

    fn return_capture(&mut self, req: &Req<'_>) -> Answer {
        let (authorization, capture) = (req.id("authorization_id")?, req.id("capture_id")?);
        transactions::give_back(self, req, authorization, capture)
    }

    fn refund_account(&mut self, req: &Req<'_>) -> Answer {
        payments::refund(self, req, req.param("account_number"))
    }

    fn list_captures(&mut self, req: &Req<'_>) -> Answer {
        transactions::captures(self, req)
    }

    fn widget_init(&mut self, req: &Req<'_>) -> Answer {
        screens::widget_init(req)
    }

    fn terms_and_conditions(&mut self, req: &Req<'_>) -> Answer {
        screens::terms(req)
    }

    fn i18n(&mut self, req: &Req<'_>) -> Answer {
        screens::i18n(req)
    }

    fn online_init(&mut self, req: &Req<'_>) -> Answer {
        online::init(self, req)
    }

    fn online_init_apply_only(&mut self, req: &Req<'_>) -> Answer {
        online::init(self, req)
    }

    fn online_learn_more(&mut self, req: &Req<'_>) -> Answer {
        online::init(self, req)
    }

    fn online_payment_calculator(&mut self, req: &Req<'_>) -> Answer {
        online::calculator(req)
    }

    fn online_notification_by_order_id(&mut self, req: &Req<'_>) -> Answer {
        online::notification_by_order(self, req.param("order_id"))
    }

    fn online_notification_by_merchant_order_id(&mut self, req: &Req<'_>) -> Answer {
        online::notification_by_merchant_order(self, req.param("merchant_order_id"))
    }

    fn online_payment_availability(&mut self, req: &Req<'_>) -> Answer {
        online::payment_availability(req)
    }
}
