//! What every emulated provider shares: its routes mounted from the spec's operation table
//! ([`routes`]), ids ([`ids`]), what is recorded of each request ([`recorded`]), the small
//! wire helpers ([`wire`]), the fixed request window of the throttles ([`window`]), the
//! Laravel answers of FlashStart and Netfinity ([`laravel`]), a request the specs' schemas
//! refuse ([`refusal`]), faults on demand ([`faults`], on the wire by [`delivery`]) and
//! revoked credentials ([`revoked`]).

pub(crate) mod clock;
pub(crate) mod delivery;
pub(crate) mod faults;
pub(crate) mod ids;
pub(crate) mod laravel;
pub(crate) mod recorded;
pub(crate) mod refusal;
pub(crate) mod revoked;
pub(crate) mod routes;
pub(crate) mod window;
pub(crate) mod wire;
