//! What every emulated provider shares: its routes mounted from the spec's operation table
//! ([`routes`]), the request recorder and the small wire helpers ([`wire`]).

pub(crate) mod routes;
pub(crate) mod wire;
