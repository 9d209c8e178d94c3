//! `pql/json`: the PQL expression tree as JSON nodes (`nodeType` fnApply / fieldLookup /
//! parameterReference / literal, as in the seed), plus `variableReference` for the variable of
//! `exists`/`select` (which the seed does not show).
//!
//! | PQL text | pql/json |
//! | --- | --- |
//! | `a and b`, `a or b`, `not a` | `fnApply` `and` / `or` / `not` over the operands |
//! | `x = 1` (also `!=`, `<`, `<=`, `>`, `>=`, `in`, `notIn`, `like`) | `fnApply` with that `fnName`, params `[x, 1]` |
//! | `x.contains("a", false)` | `fnApply` `contains`, params `[x, "a", false]` (the target first) |
//! | `workAddress.country` | `fieldLookup` `country` of `fieldLookup` `workAddress` of `parameterReference` 1 |
//! | `E.name` | `fieldLookup` `name` of `{"nodeType": "variableReference", "name": "E"}` |
//! | `"US"`, `3`, `2.5`, `true`, `["a", "b"]` | `literal` with `literalType` `String`, `Integer`, `Double`, `Boolean`, `List` (value: the item nodes) |
//! | `x occurs <= 30 days before now` | `fnApply` `occurs`, params `[x, "<=", before(30, "day", now())]` |
//! | `x occurs before date(2024, 1, 31)` | `fnApply` `occurs`, params `[x, "before", date(2024, 1, 31)]` (also `after`, `on`, `between` with two times) |
//! | `x occurs last month` | `fnApply` `occurs`, params `[x, "last", "month"]` |
//! | `exists E from events where c` | `fnApply` `exists`, params `["E", events, c]` (`select` likewise) |
//! | `chain(events, ts, [A: WHAT(c) WHEN(…)])` | `fnApply` `chain`, params `[events, ts, List of steps]`; a step is `fnApply` `chainStep` `["A", c, when?]`, its `WHEN(<= 7 days after A)` `fnApply` `whenAfter` `["<=", 7, "day", "A"]`, a `WHEN` relative to now an `occurs` of parameter 1 |
//! | `inSegment("id")`, `currentYear()`, `today` | `fnApply` `inSegment` `["id"]`, `currentYear` `[]`, `today` `[]` (in occurs) |
//!
//! Read also, as Adobe's documents write them: a `fieldLookup` without `object` (a field of the
//! profile), `and`/`or` of a single param, `NOT`/`AND`/`OR` in any case, literals without a
//! `literalType` (typed by their JSON value; a `List` of plain JSON values) or with it in lower
//! case, and expression documents `{"type": "PQL", "format": "pql/json" | "pql/text", "value":
//! …}` on their own or as a definition's `expression` (the value a node or its JSON as a string).

use serde_json::{json, Map, Value};

use super::{At, Expr, Occurs, Step, Time, When, COMPARISONS, P};
use crate::error::{clip, Error, Position, Result};
use crate::value::{self, Num};
use crate::{Format, SYNTAX_DEPTH};

const FORMAT: Format = Format::PqlJson;

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

fn literal(literal_type: &str, value: Value) -> Value {
    json!({"nodeType": "literal", "literalType": literal_type, "value": value})
}

fn apply(name: &str, params: Vec<Value>) -> Value {
    json!({"nodeType": "fnApply", "fnName": name, "params": params})
}

pub(crate) fn encode(p: &P) -> Value {
    match &p.e {
        Expr::Bool(b) => literal("Boolean", Value::Bool(*b)),
        Expr::Str(s) => literal("String", Value::String(s.clone())),
        Expr::Num(n @ Num::Int(_)) => literal("Integer", n.to_json()),
        Expr::Num(n @ Num::Float(_)) => literal("Double", n.to_json()),
        Expr::List(items) => literal("List", Value::Array(items.iter().map(encode).collect())),
        Expr::And(items) => apply("and", items.iter().map(encode).collect()),
        Expr::Or(items) => apply("or", items.iter().map(encode).collect()),
        Expr::Not(inner) => apply("not", vec![encode(inner)]),
        Expr::Field { var, path } => {
            let mut node = match var {
                None => json!({"nodeType": "parameterReference", "position": 1}),
                Some(v) => json!({"nodeType": "variableReference", "name": v}),
            };
            for name in path {
                node = json!({"nodeType": "fieldLookup", "fieldName": name, "object": node});
            }
            node
        }
        Expr::Call { name, target, args } => {
            let mut params = vec![encode(target)];
            params.extend(args.iter().map(encode));
            apply(name, params)
        }
        Expr::Compare { op, lhs, rhs } => apply(op, vec![encode(lhs), encode(rhs)]),
        Expr::Occurs { subject, spec } => {
            let mut params = vec![encode(subject)];
            let word = |w: &str| literal("String", Value::String(w.to_string()));
            match spec {
                Occurs::Compare(op, t) => params.extend([word(op), time(t)]),
                Occurs::Before(t) => params.extend([word("before"), time(t)]),
                Occurs::After(t) => params.extend([word("after"), time(t)]),
                Occurs::On(t) => params.extend([word("on"), time(t)]),
                Occurs::Between(a, b) => params.extend([word("between"), time(a), time(b)]),
                Occurs::Period(which, unit) => {
                    params.extend([word(which), word(value::unit_name(*unit))])
                }
            }
            apply("occurs", params)
        }
        Expr::Chain {
            source,
            time,
            steps,
        } => apply(
            "chain",
            vec![
                encode(source),
                encode(time),
                literal("List", Value::Array(steps.iter().map(step).collect())),
            ],
        ),
        Expr::InSegment(id) => apply("inSegment", vec![literal("String", json!(id))]),
        Expr::Current(name) => apply(name, vec![]),
        Expr::DateTime(t) => literal("DateTime", Value::String(t.clone())),
        Expr::Exists { var, source, cond } | Expr::Select { var, source, cond } => {
            let name = if matches!(p.e, Expr::Exists { .. }) {
                "exists"
            } else {
                "select"
            };
            let mut params = vec![
                literal("String", Value::String(var.clone())),
                encode(source),
            ];
            if let Some(c) = cond {
                params.push(encode(c));
            }
            apply(name, params)
        }
    }
}

/// A chain step: `fnApply` `chainStep`, params `[label, what]` and its `WHEN`: `whenAfter`
/// `[op, amount, unit, label]`, or the `occurs` of the chain's time field.
fn step(s: &Step) -> Value {
    let mut params = vec![literal("String", json!(s.label)), encode(&s.what)];
    match &s.when {
        None => {}
        Some(When::After {
            op,
            amount,
            unit,
            label,
            ..
        }) => params.push(apply(
            "whenAfter",
            vec![
                literal("String", json!(op)),
                literal("Integer", json!(amount)),
                literal("String", json!(value::unit_name(*unit))),
                literal("String", json!(label)),
            ],
        )),
        Some(When::Occurs(spec, _)) => {
            let occurs = P::new(Expr::Occurs {
                subject: Box::new(P::new(Expr::Field {
                    var: None,
                    path: Vec::new(),
                })),
                spec: spec.clone(),
            });
            params.push(encode(&occurs));
        }
    }
    apply("chainStep", params)
}

fn time(t: &Time) -> Value {
    match t {
        Time::Now => apply("now", vec![]),
        Time::Day(d) => apply(
            match d {
                0 => "today",
                d if *d < 0 => "yesterday",
                _ => "tomorrow",
            },
            vec![],
        ),
        Time::Date { year, month, day } => apply(
            "date",
            vec![
                literal("Integer", json!(year)),
                literal("Integer", json!(month)),
                literal("Integer", json!(day)),
            ],
        ),
        Time::FromDay {
            day,
            amount,
            unit,
            after,
        } => apply(
            if *after { "after" } else { "before" },
            vec![
                literal("Integer", json!(amount)),
                literal("String", json!(value::unit_name(*unit))),
                time(&Time::Day(*day)),
            ],
        ),
        Time::Offset {
            amount,
            unit,
            after,
        } => apply(
            if *after { "after" } else { "before" },
            vec![
                literal("Integer", json!(amount)),
                literal("String", json!(value::unit_name(*unit))),
                apply("now", vec![]),
            ],
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

pub(crate) fn decode(value: &Value, base: &str) -> Result<P> {
    Decoder { vars: Vec::new() }.node(value, base, 0)
}

struct Decoder {
    vars: Vec<String>,
}

fn at(pointer: &str) -> At {
    At::Pointer(pointer.to_string())
}

fn err(pointer: &str, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::syntax(FORMAT, Position::json(pointer), message, hint)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn object<'v>(value: &'v Value, pointer: &str) -> Result<&'v Map<String, Value>> {
    value.as_object().ok_or_else(|| {
        err(
            pointer,
            format!("expected a PQL node (an object), found {}", kind(value)),
            "each node has a nodeType",
        )
    })
}

fn string_field<'v>(map: &'v Map<String, Value>, key: &str, pointer: &str) -> Result<&'v str> {
    match map.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(err(
            &format!("{pointer}/{key}"),
            format!("expected a string, found {}", kind(other)),
            "",
        )),
        None => Err(err(pointer, format!("missing \"{key}\""), "")),
    }
}

impl Decoder {
    fn params<'v>(&self, map: &'v Map<String, Value>, pointer: &str) -> Result<&'v [Value]> {
        match map.get("params") {
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(err(
                &format!("{pointer}/params"),
                format!("expected a list, found {}", kind(other)),
                "",
            )),
            None => Err(err(
                pointer,
                "missing \"params\"",
                "an fnApply node lists its params",
            )),
        }
    }

    fn node(&mut self, value: &Value, pointer: &str, depth: usize) -> Result<P> {
        if depth > SYNTAX_DEPTH {
            return Err(err(
                pointer,
                format!("nested more than {SYNTAX_DEPTH} levels deep"),
                "flatten the expression",
            ));
        }
        let map = object(value, pointer)?;
        let node_type = string_field(map, "nodeType", pointer)?;
        match node_type {
            "literal" => self.literal(map, pointer, depth),
            "parameterReference" => match map.get("position") {
                Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(P {
                    e: Expr::Field {
                        var: None,
                        path: Vec::new(),
                    },
                    at: at(pointer),
                }),
                _ => Err(err(
                    &format!("{pointer}/position"),
                    "only parameter 1 (the profile) is read",
                    "set \"position\": 1",
                )),
            },
            "variableReference" => {
                let name = string_field(map, "name", pointer)?;
                if !self.vars.iter().any(|v| v == name) {
                    return Err(err(
                        &format!("{pointer}/name"),
                        format!("the variable {name} is not bound here", name = clip(name)),
                        "bind it with exists or select",
                    ));
                }
                Ok(P {
                    e: Expr::Field {
                        var: Some(name.to_string()),
                        path: Vec::new(),
                    },
                    at: at(pointer),
                })
            }
            "fieldLookup" => {
                let name = string_field(map, "fieldName", pointer)?;
                // Without an `object`, the field is the profile's (parameter 1), as Adobe's
                // documents often write it.
                let inner = match map.get("object") {
                    Some(object) => self.node(object, &format!("{pointer}/object"), depth + 1)?,
                    None => P {
                        e: Expr::Field {
                            var: None,
                            path: Vec::new(),
                        },
                        at: at(pointer),
                    },
                };
                match inner.e {
                    Expr::Field { var, mut path } => {
                        path.push(name.to_string());
                        Ok(P {
                            e: Expr::Field { var, path },
                            at: at(pointer),
                        })
                    }
                    _ => Err(err(
                        &format!("{pointer}/object"),
                        "a field of a computed value is not read",
                        "look fields up from the profile or a variable",
                    )),
                }
            }
            "fnApply" => self.apply(map, pointer, depth),
            other => Err(err(
                &format!("{pointer}/nodeType"),
                format!("unknown nodeType \"{other}\"", other = clip(other)),
                "use fnApply, fieldLookup, parameterReference, variableReference or literal",
            )),
        }
    }

    fn literal(&mut self, map: &Map<String, Value>, pointer: &str, depth: usize) -> Result<P> {
        let value = map.get("value").unwrap_or(&Value::Null);
        let value_pointer = format!("{pointer}/value");
        // Adobe's documents also write literals without a literalType, or in lower case.
        let literal_type = match map.get("literalType") {
            None => match value {
                Value::String(_) => "String",
                Value::Bool(_) => "Boolean",
                Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
                Value::Number(_) => "Double",
                Value::Array(_) => "List",
                _ => string_field(map, "literalType", pointer)?,
            },
            Some(_) => {
                let written = string_field(map, "literalType", pointer)?;
                match written.to_ascii_lowercase().as_str() {
                    "string" => "String",
                    "boolean" => "Boolean",
                    "integer" | "int" | "long" => "Integer",
                    "double" => "Double",
                    "decimal" => "Decimal",
                    "number" => "Number",
                    "list" | "array" => "List",
                    "datetime" => "DateTime",
                    "xdmobject" => "XDMObject",
                    _ => written,
                }
            }
        };
        let e = match (literal_type, value) {
            ("String", Value::String(s)) => Expr::Str(s.clone()),
            ("Boolean", Value::Bool(b)) => Expr::Bool(*b),
            ("Integer", Value::Number(n)) => match Num::from_json(n) {
                Some(Num::Int(i)) => Expr::Num(Num::Int(i)),
                _ => {
                    return Err(err(
                        &value_pointer,
                        format!("{n} is not a 64-bit integer"),
                        "",
                    ))
                }
            },
            ("Double" | "Decimal" | "Number", Value::Number(n)) => match Num::from_json(n) {
                Some(Num::Int(i)) => Expr::Num(Num::Float(i as f64)),
                Some(f) => Expr::Num(f),
                None => return Err(err(&value_pointer, format!("{n} is out of range"), "")),
            },
            ("DateTime", Value::String(s)) => match segment_model::time::parse_moment(s) {
                Some(m) => Expr::DateTime(value::moment_text(&m)),
                None => {
                    return Err(err(
                        &value_pointer,
                        format!("“{}” is not a date-time", clip(s)),
                        "write it as 2024-05-15T00:00:00Z",
                    ))
                }
            },
            // The profile itself, as Adobe's XDM documents look fields up from it.
            ("XDMObject", Value::String(s)) if s == "profile" => Expr::Field {
                var: None,
                path: Vec::new(),
            },
            ("XDMObject", _) => {
                return Err(err(
                    &value_pointer,
                    "an XDMObject literal other than \"profile\"",
                    "look fields up from the profile: {\"literalType\": \"XDMObject\", \"value\": \"profile\"}",
                ))
            }
            ("List", Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let item_pointer = format!("{value_pointer}/{i}");
                    out.push(match item {
                        Value::Object(_) => self.node(item, &item_pointer, depth + 1)?,
                        // A plain JSON value in the list: that literal.
                        raw => {
                            let wrapped = json!({"nodeType": "literal", "value": raw});
                            let mut p = self.node(&wrapped, &item_pointer, depth + 1)?;
                            p.at = at(&item_pointer);
                            p
                        }
                    });
                }
                Expr::List(out)
            }
            (
                t @ ("String" | "Boolean" | "Integer" | "Double" | "Decimal" | "Number" | "List"),
                other,
            ) => {
                return Err(err(
                    &value_pointer,
                    format!("a {t} literal cannot hold {}", kind(other)),
                    "",
                ))
            }
            (other, _) => {
                return Err(err(
                    &format!("{pointer}/literalType"),
                    format!("unknown literalType \"{other}\"", other = clip(other)),
                    "use String, Integer, Double, Boolean, DateTime, XDMObject or List",
                ))
            }
        };
        Ok(P { e, at: at(pointer) })
    }

    fn apply(&mut self, map: &Map<String, Value>, pointer: &str, depth: usize) -> Result<P> {
        let written = string_field(map, "fnName", pointer)?;
        // Logical words in any case (`NOT`, `AND`), as Adobe's documents write them.
        let name = match written.to_ascii_lowercase().as_str() {
            "and" => "and",
            "or" => "or",
            "not" => "not",
            _ => written,
        };
        let params = self.params(map, pointer)?;
        let pp = |i: usize| format!("{pointer}/params/{i}");
        let e = match name {
            "and" | "or" => {
                // Adobe's own documents write `and`/`or` of a single param too: that param.
                if let [only] = params {
                    return self.node(only, &pp(0), depth + 1);
                }
                if params.is_empty() {
                    return Err(err(
                        &format!("{pointer}/params"),
                        format!("{name} needs at least one param", name = clip(name)),
                        "",
                    ));
                }
                let mut items = Vec::with_capacity(params.len());
                for (i, item) in params.iter().enumerate() {
                    items.push(self.node(item, &pp(i), depth + 1)?);
                }
                if name == "and" {
                    Expr::And(items)
                } else {
                    Expr::Or(items)
                }
            }
            "not" => {
                arity(name, params, 1, pointer)?;
                Expr::Not(Box::new(self.node(&params[0], &pp(0), depth + 1)?))
            }
            "occurs" => self.occurs(params, pointer, depth)?,
            "exists" | "select" => self.quantified(name, params, pointer, depth)?,
            "chain" => self.chain(params, pointer, depth)?,
            "inSegment" => match params {
                [Value::Object(m)]
                    if m.get("literalType").and_then(Value::as_str) == Some("String") =>
                {
                    match m.get("value") {
                        Some(Value::String(id)) => Expr::InSegment(id.clone()),
                        _ => {
                            return Err(err(
                                &pp(0),
                                "expected the segment id as a String literal",
                                "",
                            ))
                        }
                    }
                }
                _ => {
                    return Err(err(
                        &format!("{pointer}/params"),
                        "inSegment takes one segment id",
                        "",
                    ))
                }
            },
            "currentMonth" | "currentYear" | "currentDayOfMonth" => {
                arity(name, params, 0, pointer)?;
                Expr::Current(name.to_string())
            }
            "forall" => {
                return Err(Error::unrepresentable(
                    FORMAT,
                    "PQL `forall` (a condition every related record meets)",
                    Position::json(pointer),
                    "write not (exists … where not (…)) for “every record”",
                ))
            }
            op if COMPARISONS.contains(&op) || op == "in" || op == "notIn" || op == "like" => {
                arity(name, params, 2, pointer)?;
                let lhs = self.node(&params[0], &pp(0), depth + 1)?;
                let rhs = self.node(&params[1], &pp(1), depth + 1)?;
                Expr::Compare {
                    op: op.to_string(),
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            }
            "now" | "date" | "before" | "after" | "today" | "yesterday" | "tomorrow" => {
                return Err(err(
                    pointer,
                    format!("{name}(…) outside occurs", name = clip(name)),
                    "times are read only as the last params of occurs",
                ))
            }
            _ => self.call(name, params, pointer, depth)?,
        };
        Ok(P { e, at: at(pointer) })
    }

    /// `occurs`: a timestamp, a keyword and one or two times (or a unit).
    fn occurs(&mut self, params: &[Value], pointer: &str, depth: usize) -> Result<Expr> {
        let pp = |i: usize| format!("{pointer}/params/{i}");
        if params.len() < 3 {
            return Err(err(
                &format!("{pointer}/params"),
                "occurs takes a timestamp, a keyword and a time",
                "",
            ));
        }
        let subject = self.node(&params[0], &pp(0), depth + 1)?;
        let keyword = match self.node(&params[1], &pp(1), depth + 1)?.e {
            Expr::Str(s) => s,
            _ => {
                return Err(err(
                    &pp(1),
                    "expected the occurs keyword as a String literal",
                    "e.g. \"<=\", \"before\", \"last\"",
                ))
            }
        };
        let spec = match keyword.as_str() {
            "between" => {
                arity("occurs", params, 4, pointer)?;
                Occurs::Between(
                    self.time(&params[2], &pp(2))?,
                    self.time(&params[3], &pp(3))?,
                )
            }
            "this" | "last" | "next" => {
                arity("occurs", params, 3, pointer)?;
                let unit = match self.node(&params[2], &pp(2), depth + 1)?.e {
                    Expr::Str(s) => super::unit_from_word(&s),
                    _ => None,
                };
                let Some(unit) = unit else {
                    return Err(err(
                        &pp(2),
                        "expected a time unit",
                        "minute, hour, day, week, month or year",
                    ));
                };
                Occurs::Period(keyword, unit)
            }
            "before" | "after" | "on" => {
                arity("occurs", params, 3, pointer)?;
                let t = self.time(&params[2], &pp(2))?;
                match keyword.as_str() {
                    "before" => Occurs::Before(t),
                    "after" => Occurs::After(t),
                    _ => Occurs::On(t),
                }
            }
            op if COMPARISONS.contains(&op) => {
                arity("occurs", params, 3, pointer)?;
                Occurs::Compare(op.to_string(), self.time(&params[2], &pp(2))?)
            }
            other => {
                return Err(err(
                    &pp(1),
                    format!("unknown occurs keyword \"{other}\"", other = clip(other)),
                    "use a comparison, before, after, on, between, this, last or next",
                ))
            }
        };
        Ok(Expr::Occurs {
            subject: Box::new(subject),
            spec,
        })
    }

    /// `exists` / `select`: a variable, a collection and an optional condition on the variable.
    fn quantified(
        &mut self,
        name: &str,
        params: &[Value],
        pointer: &str,
        depth: usize,
    ) -> Result<Expr> {
        let pp = |i: usize| format!("{pointer}/params/{i}");
        if params.len() != 2 && params.len() != 3 {
            return Err(err(
                &format!("{pointer}/params"),
                format!(
                    "{name} takes a variable, a collection and an optional condition",
                    name = clip(name)
                ),
                "",
            ));
        }
        let var = match self.node(&params[0], &pp(0), depth + 1)?.e {
            Expr::Str(s) if !s.is_empty() => s,
            _ => {
                return Err(err(
                    &pp(0),
                    "expected the variable name as a String literal",
                    "e.g. \"E\"",
                ))
            }
        };
        let source = Box::new(self.node(&params[1], &pp(1), depth + 1)?);
        let cond = match params.get(2) {
            Some(c) => {
                self.vars.push(var.clone());
                let parsed = self.node(c, &pp(2), depth + 1);
                self.vars.pop();
                Some(Box::new(parsed?))
            }
            None => None,
        };
        Ok(if name == "exists" {
            Expr::Exists { var, source, cond }
        } else {
            Expr::Select { var, source, cond }
        })
    }

    /// `chain`: params `[collection, time field, List of chainStep]`.
    fn chain(&mut self, params: &[Value], pointer: &str, depth: usize) -> Result<Expr> {
        let pp = |i: usize| format!("{pointer}/params/{i}");
        arity("chain", params, 3, pointer)?;
        let source = Box::new(self.node(&params[0], &pp(0), depth + 1)?);
        let time = Box::new(self.node(&params[1], &pp(1), depth + 1)?);
        let list = self.node(&params[2], &pp(2), depth + 1)?;
        let Expr::List(items) = list.e else {
            return Err(err(&pp(2), "expected the steps as a List literal", ""));
        };
        let steps = items
            .into_iter()
            .map(|item| self.step(item))
            .collect::<Result<Vec<_>>>()?;
        Ok(Expr::Chain {
            source,
            time,
            steps,
        })
    }

    /// A decoded `chainStep` (read as a call: target the label, arguments what and when).
    fn step(&mut self, item: P) -> Result<Step> {
        let pointer = match &item.at {
            At::Pointer(p) => p.clone(),
            _ => String::new(),
        };
        let Expr::Call {
            name,
            target,
            mut args,
        } = item.e
        else {
            return Err(err(
                &pointer,
                "expected a chainStep",
                "fnApply chainStep [label, what, when?]",
            ));
        };
        let Expr::Str(label) = target.e else {
            return Err(err(
                &pointer,
                "expected the step label as a String literal",
                "",
            ));
        };
        if name != "chainStep" || args.is_empty() || args.len() > 2 {
            return Err(err(
                &pointer,
                "expected a chainStep",
                "fnApply chainStep [label, what, when?]",
            ));
        }
        let when = if args.len() == 2 {
            args.pop().map(|w| self.when(w)).transpose()?
        } else {
            None
        };
        let what = args
            .pop()
            .map(Box::new)
            .ok_or_else(|| err(&pointer, "a chainStep has a WHAT", ""))?;
        Ok(Step {
            label,
            what,
            when,
            at: item.at,
        })
    }

    fn when(&mut self, p: P) -> Result<When> {
        let pointer = match &p.at {
            At::Pointer(p) => p.clone(),
            _ => String::new(),
        };
        match p.e {
            Expr::Occurs { spec, .. } => Ok(When::Occurs(spec, p.at)),
            Expr::Call { name, target, args } if name == "whenAfter" => {
                let (
                    Expr::Str(op),
                    [P {
                        e: Expr::Num(Num::Int(amount)),
                        ..
                    }, P {
                        e: Expr::Str(unit), ..
                    }, P {
                        e: Expr::Str(label),
                        ..
                    }],
                ) = (target.e, args.as_slice())
                else {
                    return Err(err(
                        &pointer,
                        "expected whenAfter [op, amount, unit, label]",
                        "",
                    ));
                };
                let unit = super::unit_from_word(unit)
                    .ok_or_else(|| err(&pointer, "expected a time unit", ""))?;
                Ok(When::After {
                    op,
                    amount: u64::try_from(*amount)
                        .map_err(|_| err(&pointer, "the amount must be 0 or more", ""))?,
                    unit,
                    label: label.clone(),
                    at: p.at,
                })
            }
            _ => Err(err(&pointer, "expected a WHEN: occurs or whenAfter", "")),
        }
    }

    /// Any other function: its target (the first param) and arguments.
    fn call(&mut self, name: &str, params: &[Value], pointer: &str, depth: usize) -> Result<Expr> {
        let pp = |i: usize| format!("{pointer}/params/{i}");
        if params.is_empty() {
            return Err(err(
                &format!("{pointer}/params"),
                format!("{name} has no target", name = clip(name)),
                "the first param is the value the function applies to",
            ));
        }
        let target = Box::new(self.node(&params[0], &pp(0), depth + 1)?);
        // The arguments of an aggregate over `select V …` may name V.
        let bound = match &target.e {
            Expr::Select { var, .. } => Some(var.clone()),
            _ => None,
        };
        if let Some(v) = &bound {
            self.vars.push(v.clone());
        }
        let mut args = Vec::with_capacity(params.len() - 1);
        let mut failed = None;
        for (i, item) in params.iter().enumerate().skip(1) {
            match self.node(item, &pp(i), depth + 1) {
                Ok(arg) => args.push(arg),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if bound.is_some() {
            self.vars.pop();
        }
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(Expr::Call {
            name: name.to_string(),
            target,
            args,
        })
    }

    fn time(&mut self, value: &Value, pointer: &str) -> Result<Time> {
        let map = object(value, pointer)?;
        if map.get("nodeType").and_then(Value::as_str) != Some("fnApply") {
            return Err(err(
                pointer,
                "expected a time: now(), date(y, m, d) or before/after(n, unit, now())",
                "",
            ));
        }
        let name = string_field(map, "fnName", pointer)?;
        let params = self.params(map, pointer)?;
        let int = |i: usize| -> Result<i64> {
            let p = format!("{pointer}/params/{i}");
            match params.get(i).and_then(Value::as_object) {
                Some(m) if m.get("literalType").and_then(Value::as_str) == Some("Integer") => m
                    .get("value")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| err(&format!("{p}/value"), "expected a whole number", "")),
                _ => Err(err(&p, "expected an Integer literal", "")),
            }
        };
        match name {
            "now" if params.is_empty() => Ok(Time::Now),
            "today" if params.is_empty() => Ok(Time::Day(0)),
            "yesterday" if params.is_empty() => Ok(Time::Day(-1)),
            "tomorrow" if params.is_empty() => Ok(Time::Day(1)),
            "date" if params.len() == 3 => Ok(Time::Date {
                year: int(0)?,
                month: int(1)?,
                day: int(2)?,
            }),
            "before" | "after" if params.len() == 3 => {
                let amount = int(0)?;
                let amount = u64::try_from(amount).map_err(|_| {
                    err(
                        &format!("{pointer}/params/0"),
                        "the amount must be 0 or more",
                        "",
                    )
                })?;
                let unit = params[1]
                    .as_object()
                    .filter(|m| m.get("literalType").and_then(Value::as_str) == Some("String"))
                    .and_then(|m| m.get("value"))
                    .and_then(Value::as_str)
                    .and_then(super::unit_from_word)
                    .ok_or_else(|| {
                        err(
                            &format!("{pointer}/params/1"),
                            "expected a time unit as a String literal",
                            "minute, hour, day, week, month or year",
                        )
                    })?;
                let anchor = self.time(&params[2], &format!("{pointer}/params/2"))?;
                if let Time::Day(day) = anchor {
                    return Ok(Time::FromDay {
                        day,
                        amount,
                        unit,
                        after: name == "after",
                    });
                }
                if anchor != Time::Now {
                    return Err(err(
                        &format!("{pointer}/params/2"),
                        "only times relative to now or to a day are read",
                        "use now() or today()",
                    ));
                }
                Ok(Time::Offset {
                    amount,
                    unit,
                    after: name == "after",
                })
            }
            other => Err(err(
                pointer,
                format!(
                    "{other}(…) with {} params is not a time",
                    params.len(),
                    other = clip(other)
                ),
                "use now(), date(y, m, d) or before/after(n, unit, now())",
            )),
        }
    }
}

/// An error unless `name` has exactly `n` params.
fn arity(name: &str, params: &[Value], n: usize, pointer: &str) -> Result<()> {
    if params.len() == n {
        Ok(())
    } else {
        Err(err(
            &format!("{pointer}/params"),
            format!(
                "{name} takes {n} params, found {}",
                params.len(),
                name = clip(name),
            ),
            "",
        ))
    }
}
