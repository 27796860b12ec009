//! Expressions: CEL (Common Expression Language, as in Kubernetes) compiled
//! when a runbook loads and checked against the fact catalogue, so an unknown
//! fact or field is a load error. Evaluation reads facts only.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use cel::common::value::Val;
use cel::parser::PrattParser;
use cel::{Context, Value};

use crate::facts::catalog::{self, Field, Shape};

/// The variable holding a runbook's thresholds.
pub const THRESHOLD_ROOT: &str = "threshold";

/// The variable holding the application's HTTP responses, by step id.
pub const HTTP_ROOT: &str = "http";

/// Identifiers CEL itself defines (type names), allowed in expressions.
const CEL_IDENTS: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
];

/// A compiled, validated expression.
///
/// Parsed with cel's Pratt parser (feature `parser_pratt`, version pinned):
/// it builds the same AST as the ANTLR one 30 times faster, and expression
/// parsing is most of cachectl's start-up time.
///
/// A built-in runbook's expression that reads a root only some targets have
/// (a Sentinel's, a Cluster's, a key scan's, the application's) is made
/// with `later`: its roots read from its tokens, its parse left for its
/// first use, which a target without that root never comes to.
pub struct Expression {
    pub source: String,
    /// Fact roots the expression reads (`info`, `config`, ...).
    pub roots: Vec<String>,
    parsed: OnceLock<Parsed>,
    /// The runbook's own roots, for a parse left for later.
    later: Option<Arc<[Field]>>,
}

struct Parsed {
    ast: IdedExpr,
    /// HTTP steps the expression reads (`http.<step>`).
    http_steps: Vec<String>,
    /// Paths below named HTTP steps it reads, deepest only
    /// (`http.metrics.cache.hits.window`): what must be there for its
    /// answer to mean anything.
    http_paths: Vec<String>,
}

impl std::fmt::Debug for Expression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expression")
            .field("source", &self.source)
            .field("roots", &self.roots)
            .finish_non_exhaustive()
    }
}

/// Compiles `source` and checks every fact path it names against the
/// catalogue and the runbook's own roots (`threshold`, `http`).
pub fn compile(source: &str, local_roots: &[Field]) -> Result<Expression, String> {
    let ast = PrattParser::default().parse(source).map_err(|e| {
        let first = e.errors.first();
        match first {
            Some(err) => format!(
                "syntax error at expression line {}, column {}: {}",
                err.pos.0,
                err.pos.1 + 1,
                err.msg
            ),
            None => format!("syntax error: {e}"),
        }
    })?;
    let mut checker = Checker {
        local_roots,
        roots: Vec::new(),
        http_steps: Vec::new(),
        http_paths: Vec::new(),
    };
    checker.walk(&ast, &HashMap::new())?;
    let steps = cost(&ast);
    if steps > COST_LIMIT {
        return Err(format!(
            "expression may take up to {steps} evaluation steps, over the limit of {COST_LIMIT}: nested comprehensions (all, exists, map, filter) multiply, and a fact list counts as {FACT_LIST_BOUND} elements"
        ));
    }
    let mut roots = checker.roots;
    roots.sort();
    roots.dedup();
    let mut http_steps = checker.http_steps;
    http_steps.sort();
    http_steps.dedup();
    let mut paths = checker.http_paths;
    paths.sort();
    paths.dedup();
    // `http.a.b` is read on the way to `http.a.b.c`: keep the deepest.
    let http_paths = paths
        .iter()
        .filter(|p| {
            !paths
                .iter()
                .any(|q| q.len() > p.len() && q.starts_with(&format!("{p}.")))
        })
        .cloned()
        .collect();
    Ok(Expression {
        source: source.to_string(),
        roots,
        parsed: OnceLock::from(Parsed {
            ast,
            http_steps,
            http_paths,
        }),
        later: None,
    })
}

impl Expression {
    /// A built-in runbook's expression, parsed on first use; `roots` are
    /// those its tokens name (`roots_by_tokens`).
    pub fn later(source: &str, roots: Vec<String>, local_roots: &Arc<[Field]>) -> Expression {
        Expression {
            source: source.to_string(),
            roots,
            parsed: OnceLock::new(),
            later: Some(Arc::clone(local_roots)),
        }
    }

    /// Whether the expression has been parsed (a test's question).
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        self.parsed.get().is_some()
    }

    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let roots = self
                .later
                .as_deref()
                .expect("an expression not parsed keeps its runbook's roots");
            let compiled = compile(&self.source, roots).unwrap_or_else(|e| {
                panic!(
                    "built-in expression `{}` does not compile (the tests compile every one): {e}",
                    self.source
                )
            });
            compiled
                .parsed
                .into_inner()
                .expect("a compiled expression is parsed")
        })
    }

    /// HTTP steps the expression reads (`http.<step>`).
    pub fn http_steps(&self) -> &[String] {
        &self.parsed().http_steps
    }

    /// Paths below named HTTP steps it reads, deepest only.
    pub fn http_paths(&self) -> &[String] {
        &self.parsed().http_paths
    }
}

/// Keywords of CEL that read like identifiers.
const CEL_WORDS: &[&str] = &["true", "false", "null", "in"];

/// Macros whose first argument names a variable of their own.
const BINDING_MACROS: &[&str] = &["all", "exists", "exists_one", "map", "filter"];

/// The fact roots `source` reads, from its tokens alone: the identifiers
/// outside string literals that do not follow a `.`, are not called
/// (`size(x)`), are no macro's variable and no CEL word or type. Used for
/// built-in expressions whose parse waits for their first use; a test
/// holds it equal to the parsed roots for every built-in expression.
pub fn roots_by_tokens(source: &str) -> Vec<String> {
    // Bytes: every token that matters is ASCII, and a UTF-8 sequence has
    // no ASCII byte inside it.
    let bytes = source.as_bytes();
    let next_significant = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        bytes.get(i).copied()
    };
    let mut idents: Vec<(&str, Option<u8>, Option<u8>)> = Vec::new();
    let mut prev: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'\'' || c == b'"' {
            i = skip_string(bytes, i, false);
            prev = Some(c);
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            prev = Some(b'0');
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &source[start..i];
            // r'..', b"..": a string's prefix.
            if matches!(bytes.get(i), Some(b'\'' | b'"'))
                && word.bytes().all(|c| matches!(c, b'r' | b'R' | b'b' | b'B'))
            {
                i = skip_string(bytes, i, word.contains(['r', 'R']));
                prev = Some(b'"');
                continue;
            }
            idents.push((word, prev, next_significant(i)));
            prev = Some(b'a');
            continue;
        }
        prev = Some(c);
        i += 1;
    }
    // A macro's variable: the identifier after `.all(`, followed by `,`.
    let mut bound: Vec<&str> = Vec::new();
    for w in idents.windows(2) {
        let (name, before, after) = w[0];
        let (var, _, var_after) = w[1];
        if before == Some(b'.')
            && after == Some(b'(')
            && BINDING_MACROS.contains(&name)
            && var_after == Some(b',')
        {
            bound.push(var);
        }
    }
    let mut roots: Vec<&str> = idents
        .iter()
        .filter(|(word, before, after)| {
            *before != Some(b'.')
                && *after != Some(b'(')
                && !bound.contains(word)
                && !CEL_WORDS.contains(word)
                && !CEL_IDENTS.contains(word)
                && *word != THRESHOLD_ROOT
        })
        .map(|(word, _, _)| *word)
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots.into_iter().map(str::to_string).collect()
}

/// The index just past the string literal starting at `start` (a quote,
/// single or triple); `raw` strings have no escapes.
fn skip_string(bytes: &[u8], start: usize, raw: bool) -> usize {
    let quote = bytes[start];
    let triple = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if triple { 3 } else { 1 };
    while i < bytes.len() {
        if !raw && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote
            && (!triple || (bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote)))
        {
            return i + if triple { 3 } else { 1 };
        }
        i += 1;
    }
    i
}

/// Most evaluation steps one expression may take. Bounds the CPU a runbook
/// (a user's, or one from an exported CACHECTL_RUNBOOKS) can spend: about
/// 0.2 s in a release build.
pub const COST_LIMIT: u64 = 10_000_000;

/// How many elements a fact list or map is assumed to hold (the catalogue
/// cannot know: clients, series, HTTP steps).
pub const FACT_LIST_BOUND: u64 = 10_000;

/// An upper bound on the steps evaluating `e` takes: every node one step,
/// a comprehension's loop as often as its range can have elements.
fn cost(e: &IdedExpr) -> u64 {
    match &e.expr {
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified | Expr::Struct(_) => 1,
        Expr::Select(sel) => 1 + cost(&sel.operand),
        Expr::Call(call) => call
            .target
            .iter()
            .map(|t| cost(t))
            .chain(call.args.iter().map(cost))
            .fold(1u64, u64::saturating_add),
        Expr::List(l) => l.elements.iter().map(cost).fold(1u64, u64::saturating_add),
        Expr::Map(m) => m
            .entries
            .iter()
            .map(|entry| match &entry.expr {
                cel::common::ast::EntryExpr::MapEntry(me) => {
                    cost(&me.key).saturating_add(cost(&me.value))
                }
                cel::common::ast::EntryExpr::StructField(_) => 1,
            })
            .fold(1u64, u64::saturating_add),
        Expr::Comprehension(c) => {
            let per_element = cost(&c.loop_cond).saturating_add(cost(&c.loop_step));
            cost(&c.iter_range)
                .saturating_add(cost(&c.accu_init))
                .saturating_add(size_bound(&c.iter_range).saturating_mul(per_element))
                .saturating_add(cost(&c.result))
        }
    }
}

/// How many elements `e` can have when a comprehension iterates it.
fn size_bound(e: &IdedExpr) -> u64 {
    match &e.expr {
        Expr::List(l) => l.elements.len() as u64,
        Expr::Map(m) => m.entries.len() as u64,
        // map() and filter() give at most as many as they read.
        Expr::Comprehension(c) => size_bound(&c.iter_range),
        _ => FACT_LIST_BOUND,
    }
}

/// What the checker knows about a sub-expression: its shape and its path.
/// Shapes are borrowed from the catalogue and the runbook, never copied.
type Known<'s> = Option<(&'s Shape, String)>;

static ANY: Shape = Shape::Scalar("any");
static STRING: Shape = Shape::Scalar("string");

struct Checker<'a> {
    local_roots: &'a [Field],
    roots: Vec<String>,
    http_steps: Vec<String>,
    http_paths: Vec<String>,
}

fn field_names(fields: &[Field]) -> String {
    if fields.is_empty() {
        return "none".to_string();
    }
    fields
        .iter()
        .map(|f| f.name.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Checker<'a> {
    fn walk(
        &mut self,
        e: &IdedExpr,
        scope: &HashMap<String, Known<'a>>,
    ) -> Result<Known<'a>, String> {
        match &e.expr {
            Expr::Ident(name) => self.ident(name, scope),
            Expr::Select(sel) => {
                let operand = self.walk(&sel.operand, scope)?;
                if matches!(&operand, Some((_, path)) if path == HTTP_ROOT) {
                    self.http_steps.push(sel.field.clone());
                }
                let known = select(operand, &sel.field)?;
                if let Some((_, path)) = &known {
                    if path.starts_with("http.") && !path.contains('[') {
                        self.http_paths.push(path.clone());
                    }
                }
                Ok(known)
            }
            Expr::Call(call) => {
                if call.func_name == "_[_]" && call.args.len() == 2 && call.target.is_none() {
                    let operand = self.walk(&call.args[0], scope)?;
                    self.walk(&call.args[1], scope)?;
                    let key = match &call.args[1].expr {
                        Expr::Literal(LiteralValue::String(s)) => Some(s.inner().to_string()),
                        _ => None,
                    };
                    return Ok(index(operand, key.as_deref()));
                }
                if let Some(t) = &call.target {
                    self.walk(t, scope)?;
                }
                for a in &call.args {
                    self.walk(a, scope)?;
                }
                Ok(None)
            }
            Expr::Comprehension(c) => {
                let range = self.walk(&c.iter_range, scope)?;
                let element = match &range {
                    Some((Shape::List(inner), path)) => Some((&**inner, format!("{path}[]"))),
                    Some((Shape::Map(_), path)) => Some((&STRING, format!("{path} key"))),
                    _ => None,
                };
                let mut inner = scope.clone();
                inner.insert(c.iter_var.clone(), element);
                if let Some(v2) = &c.iter_var2 {
                    inner.insert(v2.clone(), None);
                }
                self.walk(&c.accu_init, scope)?;
                inner.insert(c.accu_var.clone(), None);
                self.walk(&c.loop_cond, &inner)?;
                self.walk(&c.loop_step, &inner)?;
                self.walk(&c.result, &inner)?;
                Ok(None)
            }
            Expr::List(l) => {
                for el in &l.elements {
                    self.walk(el, scope)?;
                }
                Ok(None)
            }
            Expr::Map(m) => {
                for entry in &m.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                        self.walk(&me.key, scope)?;
                        self.walk(&me.value, scope)?;
                    }
                }
                Ok(None)
            }
            Expr::Struct(_) => {
                Err("message literals are not supported in runbook expressions".into())
            }
            Expr::Literal(_) | Expr::Unspecified => Ok(None),
        }
    }

    fn ident(
        &mut self,
        name: &str,
        scope: &HashMap<String, Known<'a>>,
    ) -> Result<Known<'a>, String> {
        if let Some(bound) = scope.get(name) {
            return Ok(bound.clone());
        }
        if let Some(root) = self.local_roots.iter().find(|r| r.name == name) {
            // Thresholds are the runbook's own numbers, always there; `http`
            // is a fact that may be missing.
            if name != THRESHOLD_ROOT {
                self.roots.push(name.to_string());
            }
            return Ok(Some((&root.shape, name.to_string())));
        }
        if let Some(root) = catalog::root(name) {
            self.roots.push(name.to_string());
            return Ok(Some((&root.shape, name.to_string())));
        }
        if CEL_IDENTS.contains(&name) {
            return Ok(None);
        }
        let known: Vec<_> = catalog::roots()
            .iter()
            .chain(self.local_roots)
            .map(|r| r.name.as_ref())
            .collect();
        Err(format!(
            "unknown fact `{name}`; expected one of: {}",
            known.join(", ")
        ))
    }
}

fn select<'s>(operand: Known<'s>, field: &str) -> Result<Known<'s>, String> {
    let Some((shape, path)) = operand else {
        return Ok(None);
    };
    let child = format!("{path}.{field}");
    match shape {
        Shape::Record(fields) => match fields.iter().find(|f| f.name == field) {
            Some(f) => Ok(Some((&f.shape, child))),
            None if path == THRESHOLD_ROOT => Err(format!(
                "unknown threshold `{field}`; this runbook declares: {}",
                field_names(fields)
            )),
            None if path == HTTP_ROOT => Err(format!(
                "unknown HTTP step `{field}`; this runbook declares: {}",
                field_names(fields)
            )),
            None => Err(format!(
                "unknown fact `{child}`; `{path}` has: {}",
                field_names(fields)
            )),
        },
        Shape::Map(inner) => Ok(Some((&**inner, child))),
        Shape::InfoFields => {
            if catalog::info_fields().contains(&field) {
                Ok(Some((&ANY, child)))
            } else {
                Err(format!(
                    "unknown INFO field `{child}` (a field this version of cachectl does not know can be read as info[\"{field}\"])"
                ))
            }
        }
        Shape::List(_) => Err(format!(
            "`{path}` is a list; it has no field `{field}` (use {path}.exists(x, x.{field} ...) or similar)"
        )),
        Shape::Scalar(ty) => Err(format!("`{path}` is a {ty}; it has no field `{field}`")),
    }
}

fn index<'s>(operand: Known<'s>, key: Option<&str>) -> Known<'s> {
    let (shape, path) = operand?;
    match (shape, key) {
        (Shape::Map(inner), Some(k)) => Some((&**inner, format!("{path}[\"{k}\"]"))),
        (Shape::Map(inner), None) => Some((&**inner, format!("{path}[]"))),
        (Shape::List(inner), _) => Some((&**inner, format!("{path}[]"))),
        (Shape::InfoFields, _) => Some((&ANY, path)),
        (Shape::Record(fields), Some(k)) => fields
            .iter()
            .find(|f| f.name == k)
            .map(|f| (&f.shape, format!("{path}.{k}"))),
        _ => None,
    }
}

/// Why an expression gave no answer: a field the server does not report, a
/// type mismatch. (Facts that were not collected are caught before
/// evaluation, from the expression's roots.)
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    Failed(String),
}

impl Expression {
    /// Evaluates against a context holding the facts.
    pub fn evaluate(&self, ctx: &Context<'_, '_>) -> Result<Value, EvalError> {
        Value::resolve(&self.parsed().ast, ctx).map_err(|e| EvalError::Failed(e.to_string()))
    }

    /// Evaluates a condition: anything but `true` is false; errors pass through.
    pub fn holds(&self, ctx: &Context<'_, '_>) -> Result<bool, EvalError> {
        match self.evaluate(ctx)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::Failed(format!(
                "condition gave {} instead of a bool",
                type_name(&other)
            ))),
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
        Value::Int(_) | Value::UInt(_) => "an int",
        Value::Float(_) => "a double",
        Value::String(_) => "a string",
        Value::Bool(_) => "a bool",
        Value::Null => "null",
        _ => "a value",
    }
}

/// JSON fact values into CEL values.
pub fn to_cel(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::Int(u.min(i64::MAX as u64) as i64)
            } else {
                Value::Float(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.iter().map(to_cel).collect())),
        serde_json::Value::Object(o) => {
            let map: HashMap<String, Value> =
                o.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            Value::from(map)
        }
    }
}

/// A fact's value as CEL reads it, borrowing its strings and keys: the
/// same values `to_cel` gives, without building them twice (a `Value`,
/// then the context's own).
pub fn to_val<'v>(v: &'v serde_json::Value) -> Box<dyn Val + 'v> {
    use cel::common::types::{
        CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
    };
    match v {
        serde_json::Value::Null => Box::new(CelNull),
        serde_json::Value::Bool(b) => Box::new(CelBool::from(*b)),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Box::new(CelInt::from(i))
            } else if let Some(u) = n.as_u64() {
                Box::new(CelInt::from(u.min(i64::MAX as u64) as i64))
            } else {
                Box::new(CelDouble::from(n.as_f64().unwrap_or(0.0)))
            }
        }
        serde_json::Value::String(s) => Box::new(CelString::from(s.as_str())),
        serde_json::Value::Array(a) => {
            Box::new(CelList::from(a.iter().map(to_val).collect::<Vec<_>>()))
        }
        serde_json::Value::Object(o) => Box::new(CelMap::from(
            o.iter()
                .map(|(k, v)| (CelMapKey::from(k.as_str()), to_val(v)))
                .collect::<HashMap<_, _>>(),
        )),
    }
}

/// CEL values into JSON, for evidence in reports.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::UInt(u) => (*u).into(),
        Value::Float(f) => serde_json::Number::from_f64((f * 10_000.0).round() / 10_000.0)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => s.as_str().into(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned().into(),
        Value::List(l) => l.iter().map(to_json).collect::<Vec<_>>().into(),
        Value::Map(m) => {
            let obj: BTreeMap<String, serde_json::Value> = m
                .map
                .iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect();
            serde_json::to_value(obj).unwrap_or_default()
        }
        _ => serde_json::Value::Null,
    }
}

fn key_text(k: &cel::objects::Key) -> String {
    match k {
        cel::objects::Key::String(s) => s.to_string(),
        cel::objects::Key::Int(i) => i.to_string(),
        cel::objects::Key::Uint(u) => u.to_string(),
        cel::objects::Key::Bool(b) => b.to_string(),
    }
}

/// Formats an evidence value for a message: numbers with at most two
/// decimals, lists joined with commas.
pub fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "none".to_string(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            (None, Some(f)) => {
                let s = format!("{f:.2}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
            _ => n.to_string(),
        },
        serde_json::Value::Array(a) => a.iter().map(display).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// CEL's standard library (its functions and types), made once and shared
/// by every context of the run. `diagnose` has it made while the node
/// answers, so the evaluation after does not wait for it.
pub fn environment() -> Arc<cel::Env> {
    static ENV: std::sync::OnceLock<Arc<cel::Env>> = std::sync::OnceLock::new();
    Arc::clone(ENV.get_or_init(|| Arc::new(cel::Env::stdlib())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ths() -> Vec<Field> {
        vec![Field::new(
            THRESHOLD_ROOT,
            "",
            Shape::Record(vec![Field::new(
                "memory_warning",
                "",
                Shape::Scalar("double"),
            )]),
        )]
    }

    fn ctx_with(pairs: &[(&str, serde_json::Value)]) -> Context<'static, 'static> {
        let mut ctx = Context::with_env(environment());
        for (k, v) in pairs {
            ctx.add_variable_from_value(*k, to_cel(v));
        }
        ctx
    }

    #[test]
    fn roots_read_from_tokens_skip_strings_fields_calls_and_macro_variables() {
        assert_eq!(
            roots_by_tokens(
                "size(clients.filter(c, c.idle > 5)) > 0 && info.role == 'master sentinel' \
                 && \"cluster\" != r'keys' && int(derived.x) > 0x1F && 1.5e3 > threshold.t \
                 && '''a 'http' b''' != '' && type(config.y) == int && !has(sentinel.z) \
                 && ['a'].exists(r, r in unavailable)"
            ),
            [
                "clients",
                "config",
                "derived",
                "info",
                "sentinel",
                "unavailable"
            ]
        );
    }

    #[test]
    fn valid_expressions_compile_and_list_roots() {
        let e = compile(
            "derived.memory_ratio >= threshold.memory_warning && config[\"maxmemory-policy\"] == 'noeviction'",
            &ths(),
        )
        .unwrap();
        assert_eq!(e.roots, vec!["config", "derived"]);
        let e = compile(
            "slowlog.entries.exists(e, e.command == 'keys' && e.duration_us > 1000)",
            &ths(),
        )
        .unwrap();
        assert_eq!(e.roots, vec!["slowlog"]);
        compile(
            "info.used_memory > 0 && info[\"some_future_field\"] == 1",
            &ths(),
        )
        .unwrap();
        compile(
            "commandstats.get.calls > 0 && keyspace.db0.keys > 0",
            &ths(),
        )
        .unwrap();
        compile("has(info.maxmemory) && size(replicas) > 0", &ths()).unwrap();
        compile(
            "unavailable.exists(k, unavailable[k].kind == 'noperm')",
            &ths(),
        )
        .unwrap();
    }

    #[test]
    fn unknown_facts_and_fields_are_errors() {
        let err = compile("memroy.used > 1", &ths()).unwrap_err();
        assert!(err.contains("unknown fact `memroy`"), "{err}");
        let err = compile("derived.memory_ratoi > 1", &ths()).unwrap_err();
        assert!(err.contains("unknown fact `derived.memory_ratoi`"), "{err}");
        let err = compile("info.used_memroy > 1", &ths()).unwrap_err();
        assert!(
            err.contains("unknown INFO field `info.used_memroy`"),
            "{err}"
        );
        let err = compile("threshold.nope > 1", &ths()).unwrap_err();
        assert!(err.contains("unknown threshold `nope`"), "{err}");
        let err = compile("slowlog.entries.exists(e, e.comand == 'keys')", &ths()).unwrap_err();
        assert!(err.contains("`slowlog.entries[]` has:"), "{err}");
        let err = compile("slowlog.entries.command == 'x'", &ths()).unwrap_err();
        assert!(err.contains("is a list"), "{err}");
    }

    #[test]
    fn costly_expressions_are_rejected() {
        let digits = "[0,1,2,3,4,5,6,7,8,9]";
        let nested = |depth: usize| {
            let vars: Vec<String> = (0..depth).map(|i| format!("v{i}")).collect();
            let mut e = format!("{} >= 0", vars.join(" + "));
            for v in vars.iter().rev() {
                e = format!("{digits}.all({v}, {e})");
            }
            e
        };
        // 100,000 steps of a check: fine; 10^7 elements: not.
        assert!(compile(&nested(5), &ths()).is_ok());
        let err = compile(&nested(7), &ths()).unwrap_err();
        assert!(err.contains("over the limit"), "{err}");
        // Two fact lists nested: 10^8 by the catalogue's bound.
        let err = compile(
            "clients.idle.exists(a, clients.idle.exists(b, a == b))",
            &ths(),
        )
        .unwrap_err();
        assert!(err.contains("over the limit"), "{err}");
        assert!(compile("clients.idle.filter(i, i > 300).size() > 1", &ths()).is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = compile("info.used_memory >", &ths()).unwrap_err();
        assert!(
            err.starts_with("syntax error at expression line 1, column"),
            "{err}"
        );
    }

    #[test]
    fn evaluation_with_mixed_numbers() {
        let ctx = ctx_with(&[
            ("derived", json!({"memory_ratio": 0.93, "lookups": 1000})),
            (
                "info",
                json!({"used_memory": 3_000_000, "maxmemory": 3_145_728, "mem_fragmentation_ratio": 1.5}),
            ),
            ("threshold", json!({"memory_warning": 0.8})),
        ]);
        let holds = |s: &str| compile(s, &ths()).unwrap().holds(&ctx).unwrap();
        assert!(holds("derived.memory_ratio >= threshold.memory_warning"));
        assert!(holds("derived.lookups >= 100"));
        assert!(holds("info.used_memory > 0.9 * double(info.maxmemory)"));
        assert!(!holds("info.mem_fragmentation_ratio > 1.5"));
    }

    #[test]
    fn evaluation_errors_are_reported() {
        let ctx = ctx_with(&[("info", json!({}))]);
        let e = compile("info.used_memory > 0", &ths()).unwrap();
        assert!(matches!(e.holds(&ctx), Err(EvalError::Failed(_))));
        let e = compile("1 + 1", &ths()).unwrap();
        assert!(
            matches!(e.holds(&ctx), Err(EvalError::Failed(m)) if m.contains("instead of a bool"))
        );
    }

    #[test]
    fn display_formats_numbers() {
        assert_eq!(display(&json!(93.456)), "93.46");
        assert_eq!(display(&json!(90.0)), "90");
        assert_eq!(display(&json!(0.5)), "0.5");
        assert_eq!(display(&json!(12)), "12");
        assert_eq!(display(&json!(["a", "b"])), "a, b");
    }
}
