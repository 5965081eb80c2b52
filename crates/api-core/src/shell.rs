//! What every provider's client builder shares: the transport's settings, one credential
//! kept secret, the environment variables a `from_env` reads, and the builder methods that
//! only forward to the transport ([`shell_methods!`](crate::shell_methods)). A provider's
//! builder holds a [`ClientShell`] and adds only what is its own (a credential's name, a
//! default pace).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::config::TransportBuilder;
use crate::error::{Error, Result};
use crate::transport::Transport;

/// The shared part of a provider's client builder.
///
/// ```
/// use api_core::ClientShell;
///
/// let shell = ClientShell::new("example", "https://api.example.com", "example/0.1", "an API key")
///     .credential("k-123");
/// assert!(!format!("{shell:?}").contains("k-123"));
/// let (key, transport) = shell.finish()?;
/// assert_eq!(key, "k-123");
/// # let _ = transport;
/// # Ok::<(), api_core::Error>(())
/// ```
pub struct ClientShell {
    transport: TransportBuilder,
    credential: Option<SecretString>,
    credential_name: &'static str,
}

impl fmt::Debug for ClientShell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientShell")
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "[REDACTED]"),
            )
            .field("transport", &self.transport)
            .finish()
    }
}

impl ClientShell {
    /// A shell for `provider` at `default_base_url`, sending `user_agent`; `credential_name`
    /// names the credential in errors, article included ("a FlashStart API key").
    pub fn new(
        provider: &'static str,
        default_base_url: &str,
        user_agent: &'static str,
        credential_name: &'static str,
    ) -> Self {
        Self {
            transport: Transport::builder(provider, default_base_url).user_agent(user_agent),
            credential: None,
            credential_name,
        }
    }

    /// Sets the credential.
    pub fn credential(mut self, value: impl Into<String>) -> Self {
        self.credential = Some(SecretString::from(value.into()));
        self
    }

    /// Another base URL (the sandbox, a proxy). Plain `http://` is accepted for loopback only.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.transport = self.transport.base_url(url);
        self
    }

    /// Adjusts any transport setting.
    pub fn configure(mut self, f: impl FnOnce(TransportBuilder) -> TransportBuilder) -> Self {
        self.transport = f(self.transport);
        self
    }

    /// The credential from the environment variable `credential_var`, and the base URL from
    /// `base_url_var` when it is set.
    ///
    /// # Errors
    /// [`Error::Config`] when `credential_var` is not set (its name, never a value).
    pub fn from_env(self, credential_var: &str, base_url_var: &str) -> Result<Self> {
        let credential = std::env::var(credential_var)
            .map_err(|_| Error::Config(format!("{credential_var} is not set")))?;
        let shell = self.credential(credential);
        Ok(match std::env::var(base_url_var) {
            Ok(url) => shell.base_url(url),
            Err(_) => shell,
        })
    }

    /// The credential (not blank) and the transport settings, for the provider to attach its
    /// auth and build.
    ///
    /// # Errors
    /// [`Error::Config`] when the credential is missing or blank.
    pub fn finish(self) -> Result<(String, TransportBuilder)> {
        let credential = self
            .credential
            .as_ref()
            .map(|secret| secret.expose_secret().to_owned())
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| Error::Config(format!("{} is required", self.credential_name)))?;
        Ok((credential, self.transport))
    }
}

/// The builder methods that only forward to a [`ClientShell`] held in a field named `shell`:
/// `base_url` and `configure`. Written once here so that no provider repeats them.
///
/// ```
/// use api_core::{ClientShell, shell_methods};
///
/// pub struct Builder { shell: ClientShell }
/// impl Builder { shell_methods!(); }
///
/// let builder = Builder { shell: ClientShell::new("x", "https://x.example", "x/1", "a token") }
///     .base_url("http://127.0.0.1:9000")
///     .configure(|t| t.user_agent("x/2"));
/// # let _ = builder;
/// ```
#[macro_export]
macro_rules! shell_methods {
    () => {
        /// Another base URL (the sandbox, a proxy). Plain `http://` is accepted for loopback
        /// only.
        pub fn base_url(mut self, url: impl Into<String>) -> Self {
            self.shell = self.shell.base_url(url);
            self
        }

        /// Adjusts any transport setting: timeouts, retries, pace, response size, HTTP client.
        pub fn configure(
            mut self,
            f: impl FnOnce($crate::TransportBuilder) -> $crate::TransportBuilder,
        ) -> Self {
            self.shell = self.shell.configure(f);
            self
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell() -> ClientShell {
        ClientShell::new("p", "https://p.example", "p/1", "an API key")
    }

    #[test]
    fn a_missing_or_blank_credential_is_a_config_error_naming_it() {
        for shell in [shell(), shell().credential("  ")] {
            match shell.finish() {
                Err(Error::Config(text)) => assert_eq!(text, "an API key is required"),
                other => panic!("expected Config, got {:?}", other.map(|(c, _)| c)),
            }
        }
    }

    #[test]
    fn debug_redacts_the_credential() {
        let text = format!("{:?}", shell().credential("s3cret-value"));
        assert!(
            text.contains("[REDACTED]") && !text.contains("s3cret"),
            "{text}"
        );
    }
}
