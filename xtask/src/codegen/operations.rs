//! `operations.rs`: one function per operation, building an `api_core::Request` and
//! returning it as an `Operation<Response>`.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::checks::{self, Value};
use super::emit::{doc, doc_paragraph, literal, sentence, wrap};
use super::names;
use super::spec::{Operation, Parameter, Response};
use super::table;
use super::types::{Context, Kind, Ty};

const PARAMETER_PREFIX: &str = "#/components/parameters/";
const RESPONSE_PREFIX: &str = "#/components/responses/";

/// Clippy's `too_many_arguments` threshold.
const MAX_ARGUMENTS: usize = 7;

/// What [`emit`] writes, unformatted and without headers.
pub struct Emitted {
    /// `operations.rs`: imports and functions.
    pub operations: String,
    /// `spec.rs`: the operation table.
    pub table: String,
    /// `builders.rs`, when the spec names its client (`x-client`).
    pub builders: Option<String>,
    /// The sandbox's `Handlers` trait and `dispatch`, appended to its copy of the table.
    pub handlers: String,
}

/// The generated text of one spec's operations.
pub fn emit(cx: &Context) -> Result<Emitted, String> {
    if let Some(envelope) = &cx.spec.x_envelope
        && !names::is_path(envelope)
    {
        return Err(format!(
            "`x-envelope: {envelope}` is not a Rust path (such as `crate::Envelope`)"
        ));
    }
    let mut functions = String::new();
    let mut builders = cx
        .spec
        .x_client
        .is_some()
        .then(|| super::builders::IMPORTS.to_owned());
    let mut specs = String::new();
    let mut spec_names = Vec::new();
    let mut handler_methods = String::new();
    let mut dispatch_arms = String::new();
    table::emit_schemes(cx, &mut specs)?;
    let validated = super::models::validated(cx);
    let mut seen = BTreeSet::new();
    let mut unconfirmed = Vec::new();
    let (mut any_confirmed, mut any_unconfirmed) = (false, false);
    let (mut models_confirmed, mut models_unconfirmed) = (false, false);
    // An `x-unconfirmed` sentence: more than a path may be a guess.
    let mut noted = false;
    for (path, item) in cx.spec.paths.iter() {
        for (method, operation) in item.operations() {
            let at = format!("paths.{path}.{}", method.to_ascii_lowercase());
            let id = operation
                .operation_id
                .as_deref()
                .ok_or_else(|| format!("{at}: `operationId` is missing"))?;
            let name = names::snake_case(id);
            if !seen.insert(name.clone()) {
                return Err(format!("{at}: a second operation is named `{name}`"));
            }
            let parameters = merged_parameters(cx, &item.parameters, &operation.parameters, &at)?;
            let const_name = name.to_ascii_uppercase();
            let function = Function::new(
                cx,
                path,
                method,
                &name,
                &const_name,
                operation,
                &parameters,
                &validated,
                &at,
            )?;
            table::emit_spec(
                cx,
                &mut specs,
                &const_name,
                &name,
                method,
                path,
                operation,
                &parameters,
                function.idempotency.0,
                &at,
            )?;
            if let Some(sizes) = function.page_sizes.as_ref() {
                let _ = writeln!(
                    specs,
                    "/// The page sizes `{name}` accepts (the `minimum` and `maximum` of its page-size \
                     parameter).\npub const {const_name}_PAGE_SIZES: std::ops::RangeInclusive<{}> = {}..={};\n",
                    sizes.0, sizes.1, sizes.2
                );
            }
            if let Some(page) = &operation.x_pagination
                && page.style == "page-number"
            {
                let _ = writeln!(
                    specs,
                    "/// The number of the first page of `{name}`.\npub const {const_name}_FIRST_PAGE: u32 = {};\n",
                    page.first.unwrap_or(1)
                );
            }
            let _ = writeln!(
                handler_methods,
                "/// `{method} {path}`\nfn {fn_name}(&mut self, call: &Self::Call<'_>) -> Self::Answer;\n",
                fn_name = function.name,
            );
            let _ = writeln!(
                dispatch_arms,
                "{id:?} => handlers.{fn_name}(call),",
                id = name,
                fn_name = function.name,
            );
            spec_names.push(const_name);
            if operation.x_unconfirmed.is_set() {
                if operation
                    .x_unconfirmed
                    .note()
                    .is_some_and(|note| note.trim().is_empty())
                {
                    return Err(format!(
                        "{at}: `x-unconfirmed` is empty (say what is unconfirmed, or write `true`)"
                    ));
                }
                any_unconfirmed = true;
                noted |= operation.x_unconfirmed.note().is_some();
                unconfirmed.push(literal(&name));
                models_unconfirmed |= function.uses_models;
            } else {
                any_confirmed = true;
                models_confirmed |= function.uses_models;
            }
            specs.push_str(&function.consts);
            function.emit(&mut functions, operation, &parameters);
            match builders.as_mut() {
                Some(out) => {
                    super::builders::emit(cx, out, &function, operation, &parameters, &at)?
                }
                None if operation.x_client.is_some() => {
                    return Err(format!(
                        "{at}: `x-client` is set here but not at the spec's root"
                    ));
                }
                None => {}
            }
        }
    }

    let mut out = String::new();
    let gate = "#[cfg(feature = \"unconfirmed\")]\n";
    if models_confirmed {
        out.push_str("use super::models::*;\n");
    } else if models_unconfirmed {
        out.push_str(gate);
        out.push_str("use super::models::*;\n");
    }
    if any_confirmed || any_unconfirmed {
        for line in [
            "use super::spec::*;\n",
            "use api_core::{Operation, Request, Result};\n",
        ] {
            if !any_confirmed {
                out.push_str(gate);
            }
            out.push_str(line);
        }
        out.push('\n');
    }
    doc(
        &mut specs,
        "Every operation of the spec, in its order (the `unconfirmed` ones included: the\n\
         sandbox and the docs list them too).",
    );
    let _ = writeln!(
        specs,
        "pub const OPERATIONS: &[&api_core::spec::OperationSpec] = &[{}];\n",
        spec_names
            .iter()
            .map(|n| format!("&{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !unconfirmed.is_empty() {
        // Not gated: callers can list what the feature would add without enabling it.
        doc(
            &mut out,
            if noted {
                "The operations the public documentation does not fully show (compiled with the \
                 `unconfirmed` feature)."
            } else {
                "The operations whose paths the public documentation does not show (compiled \
                 with the `unconfirmed` feature)."
            },
        );
        let _ = writeln!(
            out,
            "pub const UNCONFIRMED_OPERATIONS: &[&str] = &[{}];\n",
            unconfirmed.join(", ")
        );
    }
    out.push_str(&functions);
    let handlers = format!(
        "/// One method per operation of the spec: the sandbox's emulation of it. An operation \
         without\n/// a handler does not compile.\npub trait Handlers {{\n\
         /// What a handler reads: the request and its path parameters.\ntype Call<'a>;\n\
         /// What a handler answers.\ntype Answer;\n\n{handler_methods}}}\n\n\
         /// Calls the handler of `operation` (`None` for an operation of another spec).\n\
         pub fn dispatch<H: Handlers>(handlers: &mut H, operation: &api_core::spec::OperationSpec, \
         call: &H::Call<'_>) -> Option<H::Answer> {{\nSome(match operation.id {{\n{dispatch_arms}\
         _ => return None,\n}})\n}}\n"
    );
    Ok(Emitted {
        operations: out,
        table: specs,
        builders,
        handlers,
    })
}

/// Path-level parameters, overridden by operation-level ones of the same name and location;
/// `$ref`s to `components.parameters` resolved.
pub fn merged_parameters(
    cx: &Context,
    path_level: &[Parameter],
    operation_level: &[Parameter],
    at: &str,
) -> Result<Vec<Parameter>, String> {
    let resolve = |parameter: &Parameter| -> Result<Parameter, String> {
        match &parameter.reference {
            None => Ok(parameter.clone()),
            Some(reference) => reference
                .strip_prefix(PARAMETER_PREFIX)
                .and_then(|name| cx.spec.components.parameters.get(name))
                .cloned()
                .ok_or_else(|| format!("{at}: `$ref: {reference}` names no parameter")),
        }
    };
    let mut merged: Vec<Parameter> = Vec::new();
    for parameter in path_level.iter().chain(operation_level) {
        let parameter = resolve(parameter)?;
        match merged
            .iter_mut()
            .find(|p| p.name == parameter.name && p.location == parameter.location)
        {
            Some(existing) => *existing = parameter,
            None => merged.push(parameter),
        }
    }
    Ok(merged)
}

/// How one operation's function is spelled.
pub(super) struct Function {
    pub(super) name: String,
    pub(super) trace_name: String,
    /// The name of its `OperationSpec` constant.
    spec: String,
    pub(super) method: &'static str,
    pub(super) path: String,
    pub(super) idempotency: (&'static str, &'static str),
    /// Checks of the arguments, before the request is built.
    checks: Vec<String>,
    /// Pattern constants of its parameters.
    consts: String,
    /// The page-size parameter's type, minimum and maximum, when it pages with both bounds.
    page_sizes: Option<(String, i64, i64)>,
    /// `name: Type` for each argument, in order.
    arguments: Vec<String>,
    /// Builder calls chained onto `Request::new(..)`.
    chain: Vec<String>,
    /// Statements after the chain (`if let Some(..)` for optional parts).
    statements: Vec<String>,
    pub(super) response: String,
    /// The response inside `x-envelope`'s wrapper (the response itself without one).
    pub(super) content: String,
    uses_models: bool,
    /// The arguments as a request builder holds them, in the function's order.
    pub(super) args: Vec<Arg>,
}

/// One argument of an operation's function, as its request builder holds and passes it.
pub(super) struct Arg {
    pub(super) ident: String,
    /// The spec's name (path or query), `None` for the body.
    pub(super) param: Option<String>,
    pub(super) required: bool,
    pub(super) kind: ArgKind,
    /// `x-client-value`: the client's method that supplies it.
    pub(super) client_value: Option<String>,
    pub(super) description: Option<String>,
}

/// How a builder stores an argument and passes it on.
pub(super) enum ArgKind {
    /// Text: stored as a `String`, passed as `&str`, set from any `Display`.
    Text,
    /// Stored as the type, passed by reference.
    Borrowed(String),
    /// Stored and passed by value.
    Copy(String),
    /// The request body, borrowed for the builder's lifetime: the argument's type (`&T`).
    Body(String),
}

impl Function {
    #[allow(clippy::too_many_arguments)] // Each is one fact of the operation.
    fn new(
        cx: &Context,
        path: &str,
        method: &'static str,
        name: &str,
        spec: &str,
        operation: &Operation,
        parameters: &[Parameter],
        validated: &BTreeSet<String>,
        at: &str,
    ) -> Result<Self, String> {
        let (variant, _) = table::idempotency(operation, method, at)?;
        // The words of the generated doc line.
        let idempotency = match variant {
            "Safe" => ("Safe", "safe"),
            "Idempotent" => ("Idempotent", "idempotent"),
            _ => ("SideEffect", "side effect"),
        };
        let mut function = Function {
            name: names::escape(name.to_owned()),
            trace_name: name.to_owned(),
            spec: spec.to_owned(),
            method,
            path: path.to_owned(),
            idempotency,
            checks: Vec::new(),
            consts: String::new(),
            page_sizes: None,
            arguments: Vec::new(),
            chain: Vec::new(),
            statements: Vec::new(),
            response: String::new(),
            content: String::new(),
            uses_models: false,
            args: Vec::new(),
        };
        let mut idents = BTreeSet::new();
        let mut take = |ident: &str, at: &str| {
            if idents.insert(ident.to_owned()) {
                Ok(())
            } else {
                Err(format!("{at}: two arguments are named `{ident}`"))
            }
        };

        // Path parameters, in the order of the template.
        let placeholders = placeholders(path, at)?;
        for placeholder in &placeholders {
            let parameter = parameters
                .iter()
                .find(|p| p.location == "path" && p.name == *placeholder)
                .ok_or_else(|| format!("{at}: `{{{placeholder}}}` has no path parameter"))?;
            let param_at = format!("{at}.parameters.{placeholder}");
            let ident = argument_ident(parameter, &param_at)?;
            take(&ident, at)?;
            if let Some(schema) = &parameter.schema {
                function.checks.extend(checks::statements(
                    schema,
                    &Ty::String,
                    &parameter.name,
                    Value::Text(&ident),
                    &format!(
                        "{spec}_{}",
                        names::snake_case(&parameter.name).to_ascii_uppercase()
                    ),
                    false,
                    &mut function.consts,
                    &param_at,
                )?);
            }
            function.arguments.push(format!("{ident}: &str"));
            function.args.push(Arg {
                ident: ident.clone(),
                param: Some(placeholder.clone()),
                required: true,
                kind: ArgKind::Text,
                client_value: client_value(parameter, &param_at)?,
                description: parameter.description.clone(),
            });
            function
                .chain
                .push(format!(".path_param({}, {ident})?", literal(placeholder)));
        }

        let response = response_type(cx, operation, at)?;
        function.uses_models |= response.as_ref().is_some_and(Ty::uses_models);
        // No response content (any body, or none, is accepted and dropped: the spec constant's
        // `empty_response`).
        let content = response.map_or_else(|| "api_core::NoContent".to_owned(), |ty| ty.owned());
        // `x-envelope`: the body wraps the content; the envelope type unwraps it.
        function.response = match &cx.spec.x_envelope {
            Some(envelope) => format!("{envelope}<{content}>"),
            None => content.clone(),
        };
        function.content = content;

        // The request body: chained when required, else a statement at the end.
        let mut body_statement = None;
        if let Some(body) = &operation.request_body {
            if let Some(reference) = &body.reference {
                return Err(format!(
                    "{at}: `requestBody: $ref: {reference}` is not supported; inline it"
                ));
            }
            let (encoder, media) = ["application/json", "application/x-www-form-urlencoded"]
                .iter()
                .zip(["json", "form"])
                .find_map(|(content_type, encoder)| {
                    body.content.get(content_type).map(|media| (encoder, media))
                })
                .ok_or_else(|| {
                    let types: Vec<&str> = body.content.iter().map(|(k, _)| k).collect();
                    format!(
                        "{at}: request bodies of type {types:?} are not supported (only JSON \
                         and form)"
                    )
                })?;
            let schema = media
                .schema
                .as_ref()
                .ok_or_else(|| format!("{at}: the request body has no schema"))?;
            let ty = cx.ty(schema, &format!("{at}.requestBody"))?;
            function.uses_models |= ty.uses_models();
            take("body", at)?;
            let checked = schema
                .reference
                .as_deref()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .is_some_and(|name| validated.contains(name));
            if checked {
                function.checks.push(if body.required {
                    "api_core::validate::Validate::validate(body)?;".to_owned()
                } else {
                    "if let Some(body) = body {\napi_core::validate::Validate::validate(body)?;\n}"
                        .to_owned()
                });
            }
            function.args.push(Arg {
                ident: "body".to_owned(),
                param: None,
                required: body.required,
                kind: ArgKind::Body(ty.argument()),
                client_value: None,
                description: None,
            });
            if body.required {
                function.arguments.push(format!("body: {}", ty.argument()));
                function.chain.push(format!(".{encoder}(body)?"));
            } else {
                function
                    .arguments
                    .push(format!("body: Option<{}>", ty.argument()));
                body_statement = Some(format!(
                    "if let Some(body) = body {{\nrequest = request.{encoder}(body)?;\n}}"
                ));
            }
        }

        // Query parameters, in spec order: chained until the first optional one.
        for parameter in parameters {
            let param_at = format!("{at}.parameters.{}", parameter.name);
            match parameter.location.as_str() {
                "path" => {
                    if !placeholders.contains(&parameter.name) {
                        return Err(format!(
                            "{param_at}: the path has no `{{{}}}`",
                            parameter.name
                        ));
                    }
                    continue;
                }
                "query" => {}
                other => {
                    return Err(format!(
                        "{param_at}: `in: {other}` parameters are not supported by the \
                         generator (set them in hand-written code)"
                    ));
                }
            }
            let schema = parameter
                .schema
                .as_ref()
                .ok_or_else(|| format!("{param_at}: no `schema`"))?;
            checks::reject_unsupported(schema, &param_at)?;
            let ty = checks::narrow(cx.ty(schema, &param_at)?, schema);
            let scalar = match &ty {
                Ty::String
                | Ty::Int(_)
                | Ty::F64
                | Ty::Bool
                | Ty::External(_)
                | Ty::Date
                | Ty::DateTime => true,
                Ty::Model { .. } => match &schema.reference {
                    Some(reference) => cx.component(reference, &param_at)?.2 != Kind::Struct,
                    None => false,
                },
                _ => false,
            };
            if !scalar {
                return Err(format!(
                    "{param_at}: query parameters of type `{}` are not supported",
                    ty.owned()
                ));
            }
            function.uses_models |= ty.uses_models();
            let ident = argument_ident(parameter, &param_at)?;
            take(&ident, &param_at)?;
            if let (Some(page), Some(min), Some(max)) =
                (&operation.x_pagination, schema.minimum, schema.maximum)
                && page.size == parameter.name
            {
                function.page_sizes = Some((ty.owned(), min, max));
            }
            if checks::has_bounds(schema) {
                let value = match ty {
                    Ty::Int(_) => Value::Integer(&ident),
                    Ty::String => Value::Text(&ident),
                    _ => {
                        return Err(format!(
                            "{param_at}: bounds on a `{}` parameter are not supported",
                            ty.owned()
                        ));
                    }
                };
                let statements = checks::statements(
                    schema,
                    &ty,
                    &parameter.name,
                    value,
                    &format!(
                        "{spec}_{}",
                        names::snake_case(&parameter.name).to_ascii_uppercase()
                    ),
                    false,
                    &mut function.consts,
                    &param_at,
                )?;
                if statements.is_empty() {
                    // An unsigned type already holds the bound.
                } else if parameter.required {
                    function.checks.push(statements.join("\n"));
                } else {
                    function.checks.push(format!(
                        "if let Some({ident}) = {ident} {{\n{}\n}}",
                        statements.join("\n")
                    ));
                }
            }
            let key = literal(&parameter.name);
            // A date takes `time`'s value, written in the one form the format allows; an
            // instant with no date in UTC is an error naming the parameter.
            let (argument, value) = match &ty {
                Ty::Date => (
                    "api_core::time::Date".to_owned(),
                    format!("api_core::date::write_date({ident})"),
                ),
                Ty::DateTime => (
                    "api_core::time::OffsetDateTime".to_owned(),
                    format!("api_core::date::utc_millis({ident}, {key})?"),
                ),
                _ => (ty.argument(), ident.clone()),
            };
            let kind = match &ty {
                Ty::String => ArgKind::Text,
                Ty::Date | Ty::DateTime => ArgKind::Copy(argument.clone()),
                _ if ty.argument() == ty.owned() => ArgKind::Copy(ty.owned()),
                _ => ArgKind::Borrowed(ty.owned()),
            };
            function.args.push(Arg {
                ident: ident.clone(),
                param: Some(parameter.name.clone()),
                required: parameter.required,
                kind,
                client_value: client_value(parameter, &param_at)?,
                description: parameter.description.clone(),
            });
            if parameter.required {
                function.arguments.push(format!("{ident}: {argument}"));
                let call = format!(".query({key}, {value})");
                if function.statements.is_empty() {
                    function.chain.push(call);
                } else {
                    function
                        .statements
                        .push(format!("request = request{call};"));
                }
            } else {
                function
                    .arguments
                    .push(format!("{ident}: Option<{argument}>"));
                function.statements.push(format!(
                    "if let Some({ident}) = {ident} {{\nrequest = request.query({key}, {value});\n}}"
                ));
            }
        }
        function.statements.extend(body_statement);
        Ok(function)
    }

    fn emit(&self, out: &mut String, operation: &Operation, parameters: &[Parameter]) {
        operation_docs(out, operation, &self.trace_name);
        let documented: Vec<String> = parameters
            .iter()
            .filter(|p| p.location == "path" || p.location == "query")
            .filter_map(|p| {
                let text = p.description.as_deref()?.trim();
                let text = text.lines().collect::<Vec<_>>().join("\n  ");
                let ident = argument_ident(p, "").unwrap_or_else(|_| names::field_ident(&p.name));
                Some(format!("- `{ident}`: {text}"))
            })
            .collect();
        if !documented.is_empty() {
            doc_paragraph(out, &documented.join("\n"));
        }
        if operation.x_unconfirmed.is_set() {
            let note = match operation.x_unconfirmed.note() {
                None => format!(
                    "**Unconfirmed path.** The public documentation describes this operation \
                     but does not show its path; `{} {}` is our best guess. Enable the \
                     `unconfirmed` feature to use it.",
                    self.method, self.path
                ),
                Some(text) => format!(
                    "**Unconfirmed.** {} Enable the `unconfirmed` feature to use it.",
                    sentence(text)
                ),
            };
            doc_paragraph(out, &wrap(&note, 92));
        }
        if let Some(note) = &operation.x_unconfirmed_body {
            doc_paragraph(
                out,
                &wrap(&format!("**Unconfirmed body.** {}", sentence(note)), 92),
            );
        }
        doc_paragraph(
            out,
            &format!("`{} {}` · {}", self.method, self.path, self.idempotency.1),
        );
        if operation.x_unconfirmed.is_set() {
            out.push_str("#[cfg(feature = \"unconfirmed\")]\n");
        }
        if self.arguments.len() > MAX_ARGUMENTS {
            out.push_str(
                "#[allow(clippy::too_many_arguments)] // One argument per spec parameter.\n",
            );
        }
        let _ = writeln!(
            out,
            "pub fn {}({}) -> Result<Operation<{}>> {{",
            self.name,
            self.arguments.join(", "),
            self.response
        );
        let binding = if self.statements.is_empty() {
            "let request"
        } else {
            "let mut request"
        };
        for check in &self.checks {
            let _ = writeln!(out, "{check}");
        }
        let _ = writeln!(
            out,
            "{binding} = Request::of(&{}){};",
            self.spec,
            self.chain.concat()
        );
        for statement in &self.statements {
            let _ = writeln!(out, "{statement}");
        }
        out.push_str("Ok(Operation::new(request))\n}\n\n");
    }
}

/// The argument identifier of a path or query parameter: its `x-rust-name`, else its name in
/// snake case (keywords escaped).
fn argument_ident(parameter: &Parameter, at: &str) -> Result<String, String> {
    match &parameter.x_rust_name {
        None => Ok(names::field_ident(&parameter.name)),
        Some(name) if names::is_identifier(name) && names::snake_case(name) == *name => {
            Ok(names::escape(name.clone()))
        }
        Some(name) => Err(format!(
            "{at}: `x-rust-name: {name}` is not a snake_case identifier"
        )),
    }
}

/// The operation's summary (a sentence; the name when it has none) and its description as
/// doc lines; answers the summary.
pub(super) fn operation_docs(out: &mut String, operation: &Operation, name: &str) -> String {
    let summary = operation
        .summary
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(sentence)
        .unwrap_or_else(|| format!("The `{name}` operation."));
    doc(out, &summary);
    if let Some(description) = operation
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        doc_paragraph(out, description);
    }
    summary
}

/// A parameter's `x-client-value` method, checked to be an identifier.
fn client_value(parameter: &Parameter, at: &str) -> Result<Option<String>, String> {
    match &parameter.x_client_value {
        Some(method) if !names::is_identifier(method) => Err(format!(
            "{at}: `x-client-value: {method}` is not a method name"
        )),
        other => Ok(other.clone()),
    }
}

/// The `{name}` placeholders of a path template, in order.
fn placeholders(path: &str, at: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| format!("{at}: unclosed `{{` in the path"))?;
        let name = &rest[start + 1..start + end];
        if name.is_empty() || out.iter().any(|n| n == name) {
            return Err(format!("{at}: bad or repeated placeholder `{{{name}}}`"));
        }
        out.push(name.to_owned());
        rest = &rest[start + end + 1..];
    }
    Ok(out)
}

/// The type of the lowest 2xx response's JSON content; `None` when it has no content.
fn response_type(cx: &Context, operation: &Operation, at: &str) -> Result<Option<Ty>, String> {
    let rank = |code: &str| -> Option<u32> {
        match code {
            "2XX" | "2xx" => Some(300),
            _ => code.parse().ok().filter(|c| (200..300).contains(c)),
        }
    };
    let Some((code, response)) = operation
        .responses
        .iter()
        .filter_map(|(code, response)| rank(code).map(|r| (r, code, response)))
        .min_by_key(|(r, _, _)| *r)
        .map(|(_, code, response)| (code, response))
    else {
        return Ok(None);
    };
    let at = format!("{at}.responses.{code}");
    let response: &Response = match &response.reference {
        None => response,
        Some(reference) => reference
            .strip_prefix(RESPONSE_PREFIX)
            .and_then(|name| cx.spec.components.responses.get(name))
            .ok_or_else(|| format!("{at}: `$ref: {reference}` names no response"))?,
    };
    if response.content.0.is_empty() {
        return Ok(None);
    }
    let media = response
        .content
        .iter()
        .find(|(content_type, _)| {
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            essence == "application/json" || essence.ends_with("+json")
        })
        .map(|(_, media)| media)
        .ok_or_else(|| format!("{at}: only JSON responses are supported"))?;
    match (&media.schema, &cx.spec.x_envelope) {
        (Some(schema), None) => cx.ty(schema, &at).map(Some),
        (None, None) => Ok(Some(Ty::JsonValue)),
        // The spec describes the whole answer; the operation's type is its `content`.
        (schema, Some(envelope)) => {
            let content = schema
                .as_ref()
                .and_then(|schema| schema.properties.get("content"))
                .ok_or_else(|| {
                    format!(
                        "{at}: under `x-envelope: {envelope}` a success answer is described \
                         whole: an object whose `content` property is the operation's answer"
                    )
                })?;
            cx.ty(content, &format!("{at}.content")).map(Some)
        }
    }
}

/// True when the lowest 2xx response has no content (any body, or none, is a success).
pub fn success_has_no_content(cx: &Context, operation: &Operation) -> bool {
    matches!(response_type(cx, operation, ""), Ok(None))
}
