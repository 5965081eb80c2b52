//! Flexiti's environments and their hosts.

/// Where the client talks to. Each environment has its own credentials, and nothing crosses
/// between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// TRAINING: production code, data scrubbed daily.
    Training,
    /// MERCHANT INTEGRATION: pre-release code, persistent data, maintenance windows on Monday
    /// and Wednesday mornings; recommended for POS integration work.
    MerchantIntegration,
    /// PRODUCTION: credentials are issued after UAT.
    Production,
    /// Your own hosts (a proxy, the sandbox): the POS API and the Online API.
    Custom {
        /// The POS API host, e.g. `https://posapi.example.com`.
        pos: String,
        /// The Online API host.
        online: String,
    },
}

impl Environment {
    /// The same host for both APIs (the sandbox serves both).
    pub fn custom(host: impl Into<String>) -> Self {
        let host = host.into();
        Self::Custom {
            pos: host.clone(),
            online: host,
        }
    }

    /// The POS API host.
    pub fn pos_host(&self) -> &str {
        match self {
            Self::Training => "https://posapi-training.flexiti.fi",
            Self::MerchantIntegration => "https://posapi-mi.flexiti.fi",
            Self::Production => "https://posapi.flexiti.fi",
            Self::Custom { pos, .. } => pos,
        }
    }

    /// The Online API host. The merchant-integration host is INFERRED (not seen in the docs).
    pub fn online_host(&self) -> &str {
        match self {
            Self::Training => "https://onlineapi-training.flexiti.fi",
            Self::MerchantIntegration => "https://onlineapi-mi.flexiti.fi",
            Self::Production => "https://onlineapi.flexiti.fi",
            Self::Custom { online, .. } => online,
        }
    }
}
