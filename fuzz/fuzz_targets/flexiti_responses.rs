//! Flexiti's success bodies (POS and Online API, paged lists).
#![no_main]

use flexiti::{
    Authorization, CalculateInterest, Capture, CustomerAccount, CustomerLookup, DriversLicense,
    OnlineInit, OnlineNotification, Page, PaymentAvailability, PaymentCalculator, Refund, Release,
    ReturnResult, TransactionResult, VerifyResponse, WidgetInit,
};
use fuzz_support::{Input, decode_model};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let model = input.byte();
    let body = input.rest();
    match model % 18 {
        0 => decode_model::<Authorization>(body),
        1 => decode_model::<CalculateInterest>(body),
        2 => decode_model::<Capture>(body),
        3 => decode_model::<CustomerLookup>(body),
        4 => decode_model::<DriversLicense>(body),
        5 => decode_model::<OnlineInit>(body),
        6 => decode_model::<OnlineNotification>(body),
        7 => decode_model::<PaymentAvailability>(body),
        8 => decode_model::<PaymentCalculator>(body),
        9 => decode_model::<Refund>(body),
        10 => decode_model::<Release>(body),
        11 => decode_model::<ReturnResult>(body),
        12 => decode_model::<TransactionResult>(body),
        13 => decode_model::<Vec<CustomerAccount>>(body),
        14 => decode_model::<VerifyResponse>(body),
        15 => decode_model::<WidgetInit>(body),
        16 => decode_model::<Page<Authorization>>(body),
        _ => decode_model::<Page<Capture>>(body),
    }
});
