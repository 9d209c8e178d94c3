//! Validation against a schema: every problem with its node path, or the typed IR.
