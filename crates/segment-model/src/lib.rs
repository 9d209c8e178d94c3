//! Segment Builder's model: the canonical condition tree, the schema of a data source,
//! validation, the typed IR, and the Census molecules interchange format. No I/O.
//!
//! Stages: text → [`canonical`]/[`census`] parse → [`tree::Segment`] → [`validate::check`]
//! (against a [`schema::Schema`] and an explicit "now") → [`ir::Query`] → compilers and engines.

pub mod canonical;
pub mod census;
pub mod compare;
pub mod decimal;
pub mod error;
pub mod explain;
pub mod ir;
pub mod operator;
pub mod schema;
pub mod text;
pub mod time;
pub mod today;
pub mod tree;
pub mod validate;

pub use error::{Error, Problem, Result};
pub use operator::Operator;
pub use schema::{
    Cardinality, Column, ColumnMeaning, DataType, Entity, MeaningProposal, Relationship, Schema,
    Storage,
};
pub use tree::{Combinator, Condition, Group, Node, RelationshipCondition, Segment};
