//! The canonical JSON form: `{"version": 1, "entity": …, "root": {…}}`, keys in a stable order,
//! one file per segment. Also detects which format a definition file is in.
