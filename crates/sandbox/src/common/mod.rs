//! What every emulated provider shares: its routes mounted from the spec's operation table
//! ([`routes`]), the request recorder and the small wire helpers ([`wire`]), the fixed
//! request window of the throttles ([`window`]), and the Laravel answers of FlashStart and
//! Netfinity ([`laravel`]).

pub(crate) mod clock;
pub(crate) mod faults;
pub(crate) mod laravel;
pub(crate) mod routes;
pub(crate) mod window;
pub(crate) mod wire;
