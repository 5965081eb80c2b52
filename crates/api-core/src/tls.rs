//! The TLS backend.
//!
//! With the default `rustls` feature, reqwest is built without a crypto provider
//! (`rustls-no-provider`) and api-core installs `ring` as the process default the first time
//! it builds a client: ring builds markedly faster than aws-lc-rs (see docs/architecture.md).
//! An application that installed its own provider first keeps it.

/// Installs ring as the process-wide rustls provider unless one is installed already.
pub(crate) fn install_default_provider() {
    #[cfg(feature = "rustls")]
    {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Err means another thread installed one in between: that one is kept.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
}
