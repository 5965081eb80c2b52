//! A list page's bytes, and their decoding through the models (the plain structs' decoding
//! is in [`super::baseline`]).

use super::*;

/// A list page of `items` items, as the server sends it, for the decoding figures.
pub fn page_bytes(provider: Provider, items: usize) -> Option<Bytes> {
    let path = match provider {
        Provider::Netfinity => return None,
        Provider::Fsflt => LICENCES_PATH,
        Provider::Fl3xx => FLIGHTS_PATH,
        Provider::Flexiti => AUTHORIZATIONS_PATH,
    };
    let answers = answers(items, None);
    answers
        .paged
        .get(path)
        .map(|paged| crate::server::page_body(paged, items))
}

/// Decodes `bytes` into the provider's model; answers the item count.
pub fn decode_model(provider: Provider, bytes: &[u8]) -> Result<usize, String> {
    let err = |e: serde_json::Error| e.to_string();
    Ok(match provider {
        Provider::Netfinity => 0,
        Provider::Fsflt => {
            serde_json::from_slice::<fsflt::Envelope<Vec<fsflt::AvailableLicense>>>(bytes)
                .map_err(err)?
                .content
                .len()
        }
        Provider::Fl3xx => serde_json::from_slice::<fl3xx::List<fl3xx::Flight>>(bytes)
            .map_err(err)?
            .len(),
        Provider::Flexiti => serde_json::from_slice::<flexiti::Page<flexiti::Authorization>>(bytes)
            .map_err(err)?
            .len(),
    })
}
