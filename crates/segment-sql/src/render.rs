//! Prints the SQL tree: one clause per line, one AND/OR operand per line, sub-selects as
//! indented blocks. Values become placeholders (executable SQL) or literals (displayed SQL);
//! both come from the same tree, so the two texts differ only in how values are written.

use crate::dialect::Dialect;
use crate::error::Result;
use crate::fragment::{Cond, Fragment, Piece, Select};
use crate::value::SqlValue;

pub(crate) struct Renderer<'d> {
    dialect: &'d dyn Dialect,
    inline: bool,
    out: String,
    params: Vec<SqlValue>,
    /// Parameters bound before this statement's (it is part of a larger one).
    offset: usize,
}

impl<'d> Renderer<'d> {
    /// `inline`: write values as literals instead of placeholders.
    pub(crate) fn new(dialect: &'d dyn Dialect, inline: bool) -> Self {
        Renderer {
            dialect,
            inline,
            out: String::new(),
            params: Vec::new(),
            offset: 0,
        }
    }

    /// Numbers this statement's placeholders after `offset` parameters bound before it.
    pub(crate) fn after(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    pub(crate) fn finish(self) -> (String, Vec<SqlValue>) {
        (self.out, self.params)
    }

    fn newline(&mut self, indent: usize) {
        self.out.push('\n');
        self.out.push_str(&" ".repeat(indent));
    }

    pub(crate) fn select(&mut self, select: &Select, indent: usize) -> Result<()> {
        self.out.push_str("SELECT ");
        self.fragment(&select.columns, indent)?;
        self.newline(indent);
        self.out.push_str("FROM ");
        self.fragment(&select.from, indent)?;
        if let Some(filter) = &select.filter {
            self.newline(indent);
            self.out.push_str("WHERE ");
            match filter {
                Cond::And(items) => self.chain(items, "AND", indent + 2, indent + 2)?,
                Cond::Or(items) => self.chain(items, "OR", indent + 2, indent + 2)?,
                Cond::Atom(_) | Cond::Not(_) => self.operand(filter, indent)?,
            }
        }
        let clauses = [
            ("GROUP BY ", &select.group_by),
            ("HAVING ", &select.having),
            ("ORDER BY ", &select.order_by),
            ("LIMIT ", &select.limit),
        ];
        for (keyword, clause) in clauses {
            if let Some(fragment) = clause {
                self.newline(indent);
                self.out.push_str(keyword);
                self.fragment(fragment, indent)?;
            }
        }
        Ok(())
    }

    /// `SELECT COUNT(CASE WHEN filter THEN 1 END), … FROM from LEFT JOIN (keys) AS related1
    /// ON related1.k = lhs …`: one scan, a count per filter (`None`: every record).
    pub(crate) fn conditional_counts(
        &mut self,
        from: &Fragment,
        joins: &[crate::counts::RelatedJoin],
        filters: &[Option<&Cond>],
    ) -> Result<()> {
        self.out.push_str("SELECT");
        for (i, filter) in filters.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(2);
            match filter {
                None => self.out.push_str("COUNT(*)"),
                Some(filter) => {
                    self.out.push_str("COUNT(CASE WHEN ");
                    self.operand(filter, 4)?;
                    self.out.push_str(" THEN 1 END)");
                }
            }
        }
        self.newline(0);
        self.out.push_str("FROM ");
        self.fragment(from, 0)?;
        for join in joins {
            self.newline(0);
            self.out.push_str("LEFT JOIN ");
            self.sub_select(&join.keys, 0)?;
            self.out
                .push_str(&format!(" AS {name} ON {name}.k = ", name = join.name));
            self.fragment(&join.lhs, 0)?;
        }
        Ok(())
    }

    /// `SELECT (count 1), (count 2), …`: a scalar sub-select per count.
    pub(crate) fn scalar_counts(&mut self, counts: &[Select]) -> Result<()> {
        self.out.push_str("SELECT ");
        for (i, select) in counts.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.sub_select(select, 0)?;
        }
        Ok(())
    }

    /// Operands of an AND/OR chain: the first continues the current line (and its continuation
    /// lines are indented by `first`), the others start lines indented by `rest`.
    fn chain(&mut self, items: &[Cond], op: &str, first: usize, rest: usize) -> Result<()> {
        for (i, item) in items.iter().enumerate() {
            if i == 0 {
                self.operand(item, first)?;
            } else {
                self.newline(rest);
                self.out.push_str(op);
                self.out.push(' ');
                self.operand(item, rest)?;
            }
        }
        if items.is_empty() {
            // Never produced by the compiler; written for completeness.
            self.out.push_str(self.dialect.boolean_literal(op == "AND"));
        }
        Ok(())
    }

    /// A condition as an operand of AND, OR or NOT, on a line indented by `indent`.
    fn operand(&mut self, cond: &Cond, indent: usize) -> Result<()> {
        match cond {
            Cond::Atom(fragment) => self.fragment(fragment, indent),
            Cond::And(items) => self.block(items, "AND", indent),
            Cond::Or(items) => self.block(items, "OR", indent),
            Cond::Not(inner) => {
                self.out.push_str("NOT ");
                match inner.as_ref() {
                    Cond::Atom(fragment) if fragment.wrapped => self.fragment(fragment, indent),
                    Cond::Atom(fragment) => {
                        self.out.push('(');
                        self.fragment(fragment, indent)?;
                        self.out.push(')');
                        Ok(())
                    }
                    Cond::And(items) => self.block(items, "AND", indent),
                    Cond::Or(items) => self.block(items, "OR", indent),
                    Cond::Not(_) => {
                        self.out.push('(');
                        self.operand(inner, indent)?;
                        self.out.push(')');
                        Ok(())
                    }
                }
            }
        }
    }

    /// A parenthesised chain, its operands on their own lines.
    fn block(&mut self, items: &[Cond], op: &str, indent: usize) -> Result<()> {
        self.out.push('(');
        self.newline(indent + 2);
        self.chain(items, op, indent + 2, indent + 2)?;
        self.newline(indent);
        self.out.push(')');
        Ok(())
    }

    fn fragment(&mut self, fragment: &Fragment, indent: usize) -> Result<()> {
        for piece in &fragment.pieces {
            match piece {
                Piece::Sql(text) => self.out.push_str(text),
                Piece::Value(value) => self.value(value)?,
                Piece::Note(remark) => {
                    if self.inline {
                        self.out.push_str(" /* ");
                        self.out.push_str(remark);
                        self.out.push_str(" */");
                    }
                }
                Piece::Subquery(select) => self.sub_select(select, indent)?,
                Piece::KeyIn(key_in) => {
                    self.fragment(&key_in.lhs, indent)?;
                    self.out
                        .push_str(if key_in.negated { " NOT IN " } else { " IN " });
                    self.sub_select(&key_in.select, indent)?;
                }
            }
        }
        Ok(())
    }

    fn sub_select(&mut self, select: &Select, indent: usize) -> Result<()> {
        self.out.push('(');
        self.newline(indent + 2);
        self.select(select, indent + 2)?;
        self.newline(indent);
        self.out.push(')');
        Ok(())
    }

    fn value(&mut self, value: &SqlValue) -> Result<()> {
        if self.inline {
            let literal = self.dialect.literal(value)?;
            self.out.push_str(&literal);
        } else {
            self.params.push(value.clone());
            let placeholder = self
                .dialect
                .placeholder(self.offset + self.params.len(), value);
            self.out.push_str(&placeholder);
        }
        Ok(())
    }
}
