//! FL3XX's success bodies (v2 objects, paged lists, v1 arrays).
#![no_main]

use fl3xx::{
    Airport, CrewQualification, Flight, FlightPermit, FuelPrice, List, QualificationType, SlotPpr,
    V1Account, V1Aircraft, V1Airport, V1Crew, V1Flight, V1FlightCrew, WebhookSubscription,
};
use fuzz_support::{Input, decode_model};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let model = input.byte();
    let body = input.rest();
    match model % 20 {
        0 => decode_model::<Airport>(body),
        1 => decode_model::<CrewQualification>(body),
        2 => decode_model::<FlightPermit>(body),
        3 => decode_model::<FuelPrice>(body),
        4 => decode_model::<QualificationType>(body),
        5 => decode_model::<SlotPpr>(body),
        6 => decode_model::<WebhookSubscription>(body),
        7 => decode_model::<List<Flight>>(body),
        8 => decode_model::<List<CrewQualification>>(body),
        9 => decode_model::<List<FlightPermit>>(body),
        10 => decode_model::<List<FuelPrice>>(body),
        11 => decode_model::<List<QualificationType>>(body),
        12 => decode_model::<List<SlotPpr>>(body),
        13 => decode_model::<List<WebhookSubscription>>(body),
        14 => decode_model::<V1Airport>(body),
        15 => decode_model::<V1Crew>(body),
        16 => decode_model::<V1FlightCrew>(body),
        17 => decode_model::<Vec<V1Flight>>(body),
        18 => decode_model::<Vec<V1Account>>(body),
        _ => decode_model::<Vec<V1Aircraft>>(body),
    }
});
