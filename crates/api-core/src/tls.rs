//! The TLS backend.
//!
//! With the default `rustls` feature, reqwest is built without a crypto provider
//! (`rustls-no-provider`) and api-core installs `ring` as the process default the first time
//! it builds a client: ring builds markedly faster than aws-lc-rs (see docs/architecture.md).
//! An application that installed its own provider first keeps it.

/// Installs rustls's `ring` provider as the process default, unless one is installed already.
///
/// api-core calls it before building its own HTTP client. Call it yourself before building
/// another `reqwest::Client` in the same program *first*, when your own reqwest dependency
/// has no TLS provider of its own (`default-features = false`): Cargo unifies reqwest's
/// features, so such a client would otherwise panic for want of a provider. Does nothing
/// without the `rustls` feature.
pub fn install_default_provider() {
    #[cfg(feature = "rustls")]
    {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Err means another thread installed one in between: that one is kept.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
}
