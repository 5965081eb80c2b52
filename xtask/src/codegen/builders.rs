//! `builders.rs`: one request builder per operation, octocrab style. The client's method of
//! the operation's name takes the required inputs; setters take the optional ones; `send()`
//! (and `paginate()` on paged operations) goes through `api_core::Execute`, which the
//! provider's client implements with its policy. The builder checks nothing itself: it calls
//! the operation's function in `operations.rs`, which checks the spec's bounds.

use std::fmt::Write;

use super::emit::{doc, doc_paragraph, sentence, wrap};
use super::names;
use super::operations::{Arg, ArgKind, Function};
use super::spec::{Operation, Parameter};
use super::types::Context;

/// The `use` lines of `builders.rs`.
pub const IMPORTS: &str = "#[allow(unused_imports)]\nuse super::models::*;\nuse api_core::{Operation, Response, Result};\n\n";

/// The setters every builder has (per-call overrides of the client's settings); no spec
/// parameter may take their names.
const CALL_SETTINGS: &str =
    "/// For this call only: the whole call's time limit, every attempt and wait included (the
/// client's `request_timeout` otherwise).
pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
self.settings = self.settings.timeout(timeout);
self
}

/// For this call only: the most attempts, the first included (the client's
/// `RetryConfig::max_attempts` otherwise). A side effect is still repeated only when the
/// server cannot have acted on it.
pub fn max_attempts(mut self, attempts: u32) -> Self {
self.settings = self.settings.max_attempts(attempts);
self
}

/// For this call only: the longest wait for a rate limit, the client's own or the server's
/// `Retry-After` (the client's `RetryConfig::max_rate_limit_wait` otherwise).
pub fn max_wait(mut self, wait: std::time::Duration) -> Self {
self.settings = self.settings.max_wait(wait);
self
}

";

/// Names a builder's own methods take.
const RESERVED: &[&str] = &[
    "timeout",
    "max_attempts",
    "max_wait",
    "send",
    "paginate",
    "into_operation",
];

/// Appends the builder of one operation.
pub fn emit(
    cx: &Context,
    out: &mut String,
    function: &Function,
    operation: &Operation,
    parameters: &[Parameter],
    at: &str,
) -> Result<(), String> {
    let client = operation
        .x_client
        .as_deref()
        .or(cx.spec.x_client.as_deref())
        .ok_or_else(|| format!("{at}: `x-client` is set here but not at the spec's root"))?;
    if !names::is_path(client) {
        return Err(format!("{at}: `x-client: {client}` is not a Rust path"));
    }
    // The operation's name, unless a model has it (`CalculateInterest` is also an answer):
    // in this module the builder would hide the model.
    let builder = match names::type_name(&function.trace_name) {
        name if cx.has_model(&name) => format!("{name}Builder"),
        name => name,
    };
    let params = format!("{builder}Params");
    let has_body = function
        .args
        .iter()
        .any(|arg| matches!(arg.kind, ArgKind::Body(_)));
    let lifetime = if has_body { "<'a>" } else { "" };
    let gate = if operation.x_unconfirmed.is_set() {
        "#[cfg(feature = \"unconfirmed\")]\n"
    } else {
        ""
    };
    if operation.x_unconfirmed_body.is_some()
        && !function
            .args
            .iter()
            .any(|arg| matches!(arg.kind, ArgKind::Body(_)) && !arg.required)
    {
        return Err(format!(
            "{at}: `x-unconfirmed-body` needs an optional request body"
        ));
    }
    if let Some(arg) = function
        .args
        .iter()
        .find(|arg| RESERVED.contains(&arg.ident.as_str()))
    {
        return Err(format!(
            "{at}: the parameter `{}` takes the name of a builder method; give it an \
             `x-rust-name`",
            arg.ident
        ));
    }
    let page = paging(function, operation, parameters, at)?;
    if page.is_some() && has_body {
        return Err(format!(
            "{at}: a paged operation with a body is not supported"
        ));
    }
    if page.is_some() && cx.spec.x_envelope.is_some() {
        return Err(format!(
            "{at}: a paged operation inside `x-envelope` is not supported"
        ));
    }
    let summary = operation
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(sentence)
        .unwrap_or_else(|| format!("The `{}` operation.", function.trace_name));
    let route = format!(
        "`{} {}` · {}",
        function.method, function.path, function.idempotency.1
    );

    // The builder.
    doc(out, &summary);
    doc_paragraph(
        out,
        &format!(
            "Made by [`{client}::{name}`]; set the optional inputs, then `.send().await`{}.\n\
             {route}",
            if page.is_some() {
                " or `.paginate()` for every item"
            } else {
                ""
            },
            name = function.name,
        ),
    );
    out.push_str(gate);
    out.push_str(
        "#[derive(Debug, Clone)]\n#[must_use = \"a request builder sends nothing until `.send()`\"]\n",
    );
    let _ = writeln!(
        out,
        "pub struct {builder}<'a> {{\nclient: &'a {client},\nparams: {params}{lifetime},\nsettings: api_core::CallSettings,\n}}\n"
    );

    // Its inputs, apart from the client.
    let _ = writeln!(
        out,
        "/// The inputs of [`{builder}`].\n{gate}#[derive(Debug, Clone)]\nstruct {params}{lifetime} {{"
    );
    for arg in function.args.iter().filter(|arg| stored(arg)) {
        let ty = storage(&arg.kind);
        if arg.required {
            let _ = writeln!(out, "{}: {ty},", arg.ident);
        } else {
            let _ = writeln!(out, "{}: Option<{ty}>,", arg.ident);
        }
    }
    out.push_str("}\n\n");

    // The client's method.
    let _ = writeln!(out, "{gate}impl {client} {{");
    super::operations::operation_docs(out, operation, &function.trace_name);
    let required: Vec<&Arg> = function
        .args
        .iter()
        .filter(|arg| arg.required && arg.client_value.is_none())
        .collect();
    let documented: Vec<String> = required
        .iter()
        .filter_map(|arg| {
            let text = arg.description.as_deref()?.trim();
            Some(format!(
                "- `{}`: {}",
                arg.ident,
                text.lines().collect::<Vec<_>>().join("\n  ")
            ))
        })
        .collect();
    if !documented.is_empty() {
        doc_paragraph(out, &documented.join("\n"));
    }
    if operation.x_unconfirmed.is_set() {
        let note = match operation.x_unconfirmed.note() {
            None => "**Unconfirmed path.** The public documentation describes this operation \
                     but does not show its path."
                .to_owned(),
            Some(text) => format!("**Unconfirmed.** {}", sentence(text)),
        };
        doc_paragraph(out, &wrap(&note, 92));
    }
    doc_paragraph(out, &route);
    let arguments: Vec<String> = required
        .iter()
        .map(|arg| format!("{}: {}", arg.ident, setter_type(&arg.kind)))
        .collect();
    // A borrowed body lives as long as the builder, which borrows the client for as long.
    let (generics, receiver, builder_lifetime) = if has_body {
        ("<'a>", "&'a self", "'a")
    } else {
        ("", "&self", "'_")
    };
    let _ = writeln!(
        out,
        "pub fn {}{generics}({receiver}, {}) -> {builder}<{builder_lifetime}> {{\n{builder} {{\nclient: self,\nparams: {params} {{",
        function.name,
        arguments.join(", ")
    );
    for arg in function.args.iter().filter(|arg| stored(arg)) {
        let value = if arg.required {
            setter_value(&arg.kind, &arg.ident)
        } else {
            "None".to_owned()
        };
        if value == arg.ident {
            let _ = writeln!(out, "{value},");
        } else {
            let _ = writeln!(out, "{}: {value},", arg.ident);
        }
    }
    out.push_str("},\nsettings: api_core::CallSettings::default(),\n}\n}\n}\n\n");

    // Setters, per-call settings, `into_operation`, `send`, `paginate`.
    let _ = writeln!(out, "{gate}impl<'a> {builder}<'a> {{");
    out.push_str(CALL_SETTINGS);
    for arg in function.args.iter().filter(|arg| !arg.required) {
        match &arg.description {
            Some(text) if !text.trim().is_empty() => doc(out, text.trim()),
            _ => doc(
                out,
                &format!("Sets `{}`.", arg.param.as_deref().unwrap_or("the body")),
            ),
        }
        if let Some(method) = &arg.client_value {
            doc_paragraph(
                out,
                &format!("Default: the client's own (`{client}::{method}`)."),
            );
        }
        if let Some(page) = &page
            && [&page.size, &page.position].contains(&&arg.ident)
        {
            doc_paragraph(out, "`paginate` sets it for each page.");
        }
        let body_gate = match (&arg.kind, &operation.x_unconfirmed_body) {
            (ArgKind::Body(_), Some(note)) => {
                doc_paragraph(
                    out,
                    &wrap(
                        &format!(
                            "**Unconfirmed body.** {} Enable the `unconfirmed` feature to send one.",
                            sentence(note)
                        ),
                        92,
                    ),
                );
                "#[cfg(feature = \"unconfirmed\")]\n"
            }
            _ => "",
        };
        out.push_str(body_gate);
        let _ = writeln!(
            out,
            "pub fn {ident}(mut self, {ident}: {}) -> Self {{\nself.params.{ident} = Some({});\nself\n}}\n",
            setter_type(&arg.kind),
            setter_value(&arg.kind, &arg.ident),
            ident = arg.ident,
        );
    }
    let passed: Vec<String> = function.args.iter().map(pass).collect();
    let operation_type = format!("Operation<{}>", function.response);
    doc(
        out,
        "The checked operation, not sent: for a look at the request, or a custom executor.\n\n\
         # Errors\n[`api_core::Error::InvalidInput`] when an input breaks the spec's bounds.",
    );
    let _ = writeln!(
        out,
        "pub fn into_operation(self) -> Result<{operation_type}> {{\napi_core::configure(self.params.operation(self.client), self.settings)\n}}\n"
    );
    doc(
        out,
        "Sends the request; an input that breaks the spec's bounds is answered as\n\
         [`api_core::Error::InvalidInput`] without one.",
    );
    match &cx.spec.x_envelope {
        None => {
            let _ = writeln!(
                out,
                "pub fn send(self) -> impl Future<Output = Result<Response<{}>>> + Send + 'a {{\n\
                 let operation = api_core::configure(self.params.operation(self.client), self.settings);\n\
                 api_core::send(self.client, operation)\n}}\n",
                function.response
            );
        }
        Some(envelope) => {
            let _ = writeln!(
                out,
                "pub fn send(self) -> impl Future<Output = Result<Response<{}>>> + Send + 'a {{\n\
                 let operation = api_core::configure(self.params.operation(self.client), self.settings);\n\
                 let sent = api_core::send(self.client, operation);\n\
                 futures_util::FutureExt::map(sent, |sent| sent.map(|response| response.map({envelope}::into_content)))\n}}\n",
                function.content
            );
        }
    }
    if let Some(page) = &page {
        doc(
            out,
            &format!(
                "Every item, page by page ({} a page unless `{}` is set), one page in memory at a\n\
                 time. A failed page ends the stream with its error.",
                page.per_page, page.size
            ),
        );
        let item = item_type(&function.response);
        let style = match page.first {
            None => "api_core::paginate::PageStyle::Offset { limit: per_page }".to_owned(),
            Some(first) => {
                format!("api_core::paginate::PageStyle::PageNumber {{ first: {first}, per_page }}")
            }
        };
        let (position, source_type) = if page.first.is_some() {
            ("page.page", "u32")
        } else {
            ("page.offset", "u64")
        };
        let _ = writeln!(
            out,
            "pub fn paginate(self) -> api_core::Pages<{item}> {{\n\
             let size = self.params.{size}.unwrap_or({per_page});\n\
             {per_page_line}\n\
             let (mut params, settings) = (self.params, self.settings);\n\
             params.{size} = Some(size);\n\
             api_core::pages(self.client.clone(), {style}, move |client, page| {{\n\
             {position_line}\n\
             api_core::configure(params.operation(client), settings)\n}})\n}}\n",
            size = page.size,
            per_page = page.per_page,
            per_page_line = if page.size_type == "u32" {
                "let per_page = size;".to_owned()
            } else if ["u8", "u16"].contains(&page.size_type.as_str()) {
                "let per_page = u32::from(size);".to_owned()
            } else {
                "// A size the type cannot hold fails the first page's check.\n\
                 let per_page = u32::try_from(size).unwrap_or(0);"
                    .to_owned()
            },
            position_line = if page.position_type == source_type {
                format!("params.{} = Some({position});", page.position)
            } else {
                format!(
                    "params.{} = Some(TryFrom::try_from({position}).map_err(|_| \
                     api_core::Error::invalid_input({:?}, \"beyond the parameter's type\"))?);",
                    page.position, page.position_name
                )
            },
        );
    }
    out.push_str("}\n\n");

    // The inputs become the operation.
    let _ = writeln!(
        out,
        "{gate}impl{lifetime} {params}{lifetime} {{\n\
         fn operation(&self, client: &{client}) -> Result<{operation_type}> {{\n\
         {}super::operations::{}({})\n}}\n}}\n",
        if function.args.iter().any(|a| a.client_value.is_some()) {
            ""
        } else {
            "let _ = client;\n"
        },
        function.name,
        passed.join(", ")
    );
    Ok(())
}

/// Whether the builder stores the argument (a required client value is read at send time).
fn stored(arg: &Arg) -> bool {
    !(arg.required && arg.client_value.is_some())
}

fn storage(kind: &ArgKind) -> String {
    match kind {
        ArgKind::Text => "String".to_owned(),
        ArgKind::Borrowed(ty) | ArgKind::Copy(ty) => ty.clone(),
        ArgKind::Body(ty) => ty.replacen('&', "&'a ", 1),
    }
}

fn setter_type(kind: &ArgKind) -> String {
    match kind {
        ArgKind::Text => "impl std::fmt::Display".to_owned(),
        other => storage(other),
    }
}

fn setter_value(kind: &ArgKind, ident: &str) -> String {
    match kind {
        ArgKind::Text => format!("{ident}.to_string()"),
        _ => ident.to_owned(),
    }
}

/// The expression that passes a stored argument to the operation's function.
fn pass(arg: &Arg) -> String {
    let field = format!("self.{}", arg.ident);
    match (&arg.client_value, arg.required, &arg.kind) {
        (Some(method), true, _) => format!("client.{method}()"),
        (Some(method), false, ArgKind::Text) => {
            format!("{field}.as_deref().or_else(|| client.{method}())")
        }
        (Some(method), false, ArgKind::Borrowed(_)) => {
            format!("{field}.as_ref().or_else(|| client.{method}())")
        }
        (Some(method), false, _) => format!("{field}.or_else(|| client.{method}())"),
        (None, true, ArgKind::Text | ArgKind::Borrowed(_)) => format!("&{field}"),
        (None, false, ArgKind::Text) => format!("{field}.as_deref()"),
        (None, false, ArgKind::Borrowed(_)) => format!("{field}.as_ref()"),
        (None, _, ArgKind::Copy(_) | ArgKind::Body(_)) => field,
    }
}

/// How a paged operation's builder pages.
struct Paging {
    /// The size and position arguments, and their types.
    size: String,
    size_type: String,
    position: String,
    position_type: String,
    position_name: String,
    /// The size `paginate` asks for by default.
    per_page: i64,
    /// The first page number (page-number style), `None` for offsets.
    first: Option<u32>,
}

fn paging(
    function: &Function,
    operation: &Operation,
    parameters: &[Parameter],
    at: &str,
) -> Result<Option<Paging>, String> {
    let Some(page) = &operation.x_pagination else {
        return Ok(None);
    };
    let find = |name: &str| -> Result<&Arg, String> {
        function
            .args
            .iter()
            .find(|arg| arg.param.as_deref() == Some(name) && !arg.required)
            .ok_or_else(|| {
                format!("{at}: `x-pagination` names `{name}`, which is no optional query parameter")
            })
    };
    let size = find(&page.size)?;
    let position = find(&page.position)?;
    let maximum = parameters
        .iter()
        .find(|p| p.name == page.size)
        .and_then(|p| p.schema.as_ref())
        .and_then(|schema| schema.maximum);
    let per_page = page.per_page.map(i64::from).or(maximum).ok_or_else(|| {
        format!(
            "{at}: `x-pagination` needs `per-page` when `{}` has no `maximum`",
            page.size
        )
    })?;
    let type_of = |arg: &Arg| match &arg.kind {
        ArgKind::Copy(ty) => ty.clone(),
        _ => String::new(),
    };
    Ok(Some(Paging {
        size: size.ident.clone(),
        size_type: type_of(size),
        position: position.ident.clone(),
        position_type: type_of(position),
        position_name: page.position.clone(),
        per_page,
        first: (page.style == "page-number").then(|| page.first.unwrap_or(1)),
    }))
}

/// The item type of a list answer: `Vec<T>`'s or a one-parameter wrapper's `T`.
fn item_type(response: &str) -> String {
    match (response.find('<'), response.rfind('>')) {
        (Some(open), Some(close)) if open < close => response[open + 1..close].to_owned(),
        _ => format!("<{response} as IntoIterator>::Item"),
    }
}
