//! The operation table: one `api_core::spec::OperationSpec` constant per operation (in
//! `operations.rs`), and the same facts as the endpoint table of
//! `docs/providers/<provider>.md`.

use std::fmt::Write;

use super::checks::option;
use super::emit::{doc, literal};
use super::names;
use super::spec::{Operation, Parameter};
use super::types::Context;

/// The security of an operation: the schemes of its first alternative, and every OAuth2
/// scope any alternative accepts (in order, the first being the one the client uses).
pub struct Security {
    pub credentials: Vec<String>,
    pub scopes: Vec<String>,
}

pub fn security(cx: &Context, operation: &Operation, at: &str) -> Result<Security, String> {
    let requirements = operation.security.as_ref().unwrap_or(&cx.spec.security);
    let mut credentials = Vec::new();
    let mut scopes: Vec<String> = Vec::new();
    for (i, requirement) in requirements.iter().enumerate() {
        for (scheme, wanted) in requirement.iter() {
            let kind = cx
                .spec
                .components
                .security_schemes
                .get(scheme)
                .map(|s| s.kind.as_str())
                .ok_or_else(|| format!("{at}: `security` names `{scheme}`, which is no scheme"))?;
            if kind != "oauth2" && !wanted.is_empty() {
                return Err(format!(
                    "{at}: the `{scheme}` scheme ({kind}) has no scopes, but `security` lists some"
                ));
            }
            if i == 0 {
                credentials.push(scheme.to_owned());
            }
            for scope in wanted {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        }
    }
    Ok(Security {
        credentials,
        scopes,
    })
}

/// How an operation pages, checked against its parameters: `(style, size, position)` as
/// Rust source, or `None`.
fn pagination(
    operation: &Operation,
    parameters: &[Parameter],
    at: &str,
) -> Result<Option<String>, String> {
    let Some(page) = &operation.x_pagination else {
        return Ok(None);
    };
    for name in [&page.size, &page.position] {
        if !parameters
            .iter()
            .any(|p| p.location == "query" && p.name == *name)
        {
            return Err(format!(
                "{at}: `x-pagination` names `{name}`, which is no query parameter"
            ));
        }
    }
    let style = match (page.style.as_str(), page.first) {
        ("offset", None) => "api_core::spec::PageStyle::Offset".to_owned(),
        ("page-number", first) => format!(
            "api_core::spec::PageStyle::PageNumber {{ first: {} }}",
            first.unwrap_or(1)
        ),
        (other, _) => {
            return Err(format!(
                "{at}: `x-pagination.style: {other}` (expected offset, or page-number with an \
                 optional `first`)"
            ));
        }
    };
    Ok(Some(format!(
        "Some(api_core::spec::Pagination {{ style: {style}, size: {}, position: {} }})",
        literal(&page.size),
        literal(&page.position)
    )))
}

/// `pub const NAME: api_core::spec::OperationSpec = ...;` for one operation.
#[allow(clippy::too_many_arguments)] // Each is one fact of the operation.
pub fn emit_spec(
    cx: &Context,
    out: &mut String,
    const_name: &str,
    name: &str,
    method: &str,
    path: &str,
    operation: &Operation,
    parameters: &[Parameter],
    idempotency: &str,
    at: &str,
) -> Result<(), String> {
    let security = security(cx, operation, at)?;
    let pagination = pagination(operation, parameters, at)?;
    if operation.x_moves_money && idempotency != "SideEffect" {
        return Err(format!(
            "{at}: `x-moves-money` on an operation that is not a side effect"
        ));
    }
    if let Some(header) = &operation.x_idempotency_key
        && (header.is_empty()
            || !header
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        return Err(format!(
            "{at}: `x-idempotency-key: {header}` is not a header name"
        ));
    }
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| literal(i)).collect();
        format!("&[{}]", quoted.join(", "))
    };
    let mut params = Vec::new();
    for parameter in parameters {
        let location = match parameter.location.as_str() {
            "path" => "Path",
            "query" => "Query",
            _ => continue,
        };
        let mut spec = format!(
            "api_core::spec::ParameterSpec::{}({})",
            location.to_ascii_lowercase(),
            literal(&parameter.name)
        );
        if parameter.required && location == "Query" {
            spec.push_str(".required()");
        }
        if let Some(schema) = &parameter.schema {
            if schema.minimum.is_some() || schema.maximum.is_some() {
                let _ = write!(
                    spec,
                    ".bounds({}, {})",
                    option(schema.minimum),
                    option(schema.maximum)
                );
            }
            if schema.min_length.is_some() || schema.max_length.is_some() {
                let _ = write!(
                    spec,
                    ".lengths({}, {})",
                    option(schema.min_length),
                    option(schema.max_length)
                );
            }
            if schema.pattern.is_some() {
                let _ = write!(
                    spec,
                    ".pattern(&{const_name}_{}_PATTERN)",
                    names::snake_case(&parameter.name).to_ascii_uppercase()
                );
            }
            if let Some(format) = &schema.format {
                let _ = write!(spec, ".format({})", literal(format));
            }
            if let Some(default) = schema
                .default
                .as_ref()
                .and_then(serde_norway::Value::as_i64)
            {
                let _ = write!(spec, ".default_value({default})");
            }
        }
        params.push(spec);
    }
    doc(
        out,
        &format!("What the spec says about `{name}` (`{method} {path}`)."),
    );
    let _ = writeln!(
        out,
        "pub const {const_name}: api_core::spec::OperationSpec = api_core::spec::OperationSpec {{\n\
         id: {},\nmethod: api_core::Method::{method},\npath: {},\n\
         idempotency: api_core::Idempotency::{idempotency},\ncredentials: {},\nscopes: {},\n\
         idempotency_key_header: {},\nmoves_money: {},\nunconfirmed: {},\nunconfirmed_body: {},\n\
         empty_response: {},\npagination: {},\nparameters: &[{}],\n}};\n",
        literal(name),
        literal(path),
        list(&security.credentials),
        list(&security.scopes),
        operation
            .x_idempotency_key
            .as_deref()
            .map_or_else(|| "None".to_owned(), |h| format!("Some({})", literal(h))),
        operation.x_moves_money,
        operation.x_unconfirmed.is_set(),
        operation.x_unconfirmed_body.is_some(),
        operation.x_empty_response || super::operations::success_has_no_content(cx, operation),
        pagination.unwrap_or_else(|| "None".to_owned()),
        params.join(", ")
    );
    Ok(())
}

/// An operation's idempotency class, `x-idempotency` or else from the method: the
/// `api_core::Idempotency` variant and the spec's word for it.
pub fn idempotency(
    operation: &Operation,
    method: &str,
    at: &str,
) -> Result<(&'static str, &'static str), String> {
    Ok(match operation.x_idempotency.as_deref() {
        Some("safe") => ("Safe", "safe"),
        Some("idempotent") => ("Idempotent", "idempotent"),
        Some("side-effect") => ("SideEffect", "side-effect"),
        Some(other) => {
            return Err(format!(
                "{at}: `x-idempotency: {other}` (expected safe, idempotent or side-effect)"
            ));
        }
        None => match method {
            "GET" | "HEAD" | "OPTIONS" => ("Safe", "safe"),
            "PUT" | "DELETE" => ("Idempotent", "idempotent"),
            _ => ("SideEffect", "side-effect"),
        },
    })
}

/// Constants for the security schemes: `<SCHEME>_SCHEME` (its name), and for OAuth2
/// `<SCHEME>_TOKEN_PATH` (the path of its token URL) and `<SCHEME>_<SCOPE>_SCOPE`.
pub fn emit_schemes(cx: &Context, out: &mut String) -> Result<(), String> {
    for (name, scheme) in cx.spec.components.security_schemes.iter() {
        let at = format!("components.securitySchemes.{name}");
        let upper = names::snake_case(name).to_ascii_uppercase();
        doc(
            out,
            &format!("The `{name}` security scheme ({}).", scheme.kind),
        );
        let _ = writeln!(out, "pub const {upper}_SCHEME: &str = {};\n", literal(name));
        let mut token_path: Option<String> = None;
        let mut scopes: Vec<&str> = Vec::new();
        for (flow_name, flow) in scheme.flows.iter() {
            if let Some(url) = &flow.token_url {
                let path = url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
                    .ok_or_else(|| {
                        format!("{at}.flows.{flow_name}: `tokenUrl: {url}` has no path")
                    })?;
                if token_path.as_ref().is_some_and(|p| *p != path) {
                    return Err(format!("{at}: its flows have different token paths"));
                }
                token_path = Some(path);
            }
            for (scope, _) in flow.scopes.iter() {
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
        if let Some(path) = token_path {
            doc(
                out,
                &format!(
                    "The path of the `{name}` token endpoint (its host is the environment's)."
                ),
            );
            let _ = writeln!(
                out,
                "pub const {upper}_TOKEN_PATH: &str = {};\n",
                literal(&path)
            );
        }
        for scope in scopes {
            doc(out, &format!("The `{scope}` scope of `{name}`."));
            let _ = writeln!(
                out,
                "pub const {upper}_{}_SCOPE: &str = {};\n",
                names::snake_case(scope).to_ascii_uppercase(),
                literal(scope)
            );
        }
    }
    Ok(())
}

/// The endpoint table of `docs/providers/<provider>.md`: one row per operation.
pub fn docs_table(cx: &Context) -> Result<String, String> {
    let mut out = String::from(
        "| operation | method and path | class | credentials | bounds | notes |\n\
         |---|---|---|---|---|---|\n",
    );
    for (path, item) in cx.spec.paths.iter() {
        for (method, operation) in item.operations() {
            let at = format!("paths.{path}.{}", method.to_ascii_lowercase());
            let id = operation
                .operation_id
                .as_deref()
                .ok_or_else(|| format!("{at}: `operationId` is missing"))?;
            let parameters = super::operations::merged_parameters(
                cx,
                &item.parameters,
                &operation.parameters,
                &at,
            )?;
            let security = security(cx, operation, &at)?;
            let (_, class) = idempotency(operation, method, &at)?;
            let mut credentials = security.credentials.join(" + ");
            if !security.scopes.is_empty() {
                let _ = write!(credentials, " ({})", security.scopes.join(" or "));
            }
            // The parameters' bounds, then those of the request body's fields.
            let body_fields: Vec<(&str, &super::spec::Schema)> = operation
                .request_body
                .as_ref()
                .and_then(|body| body.content.iter().next())
                .and_then(|(_, media)| media.schema.as_ref())
                .and_then(|schema| schema.reference.as_deref())
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| cx.spec.components.schemas.get(name))
                .map(|schema| schema.properties.iter().collect())
                .unwrap_or_default();
            let named = parameters
                .iter()
                .filter_map(|p| p.schema.as_ref().map(|schema| (p.name.as_str(), schema)))
                .chain(body_fields);
            let bounds: Vec<String> = named
                .filter_map(|(name, schema)| {
                    let mut rules = Vec::new();
                    match (schema.minimum, schema.maximum) {
                        (Some(min), Some(max)) => rules.push(format!("{min}–{max}")),
                        (Some(min), None) => rules.push(format!("≥ {min}")),
                        (None, Some(max)) => rules.push(format!("≤ {max}")),
                        (None, None) => {}
                    }
                    match (schema.min_length, schema.max_length) {
                        (Some(min), Some(max)) => rules.push(format!("{min}–{max} chars")),
                        (Some(min), None) => rules.push(format!("≥ {min} chars")),
                        (None, Some(max)) => rules.push(format!("≤ {max} chars")),
                        (None, None) => {}
                    }
                    if let Some(pattern) = &schema.pattern {
                        rules.push(format!("`{pattern}`"));
                    }
                    (!rules.is_empty()).then(|| format!("`{name}` {}", rules.join(", ")))
                })
                .collect();
            let mut notes = Vec::new();
            if let Some(page) = &operation.x_pagination {
                notes.push(format!("pages by `{}` and `{}`", page.size, page.position));
            }
            if operation.x_moves_money {
                notes.push("moves money".to_owned());
            }
            if let Some(header) = &operation.x_idempotency_key {
                notes.push(format!("key in `{header}`"));
            }
            if operation.x_unconfirmed.is_set() {
                notes.push("**unconfirmed** (feature `unconfirmed`)".to_owned());
            }
            if operation.x_unconfirmed_body.is_some() {
                notes.push("its body is **unconfirmed** (feature `unconfirmed`)".to_owned());
            }
            let _ = writeln!(
                out,
                "| `{id}` | {method} `{}` | {class} | {credentials} | {} | {} |",
                path.replace('|', "\\|"),
                bounds.join("; "),
                notes.join("; ")
            );
        }
    }
    Ok(out)
}
