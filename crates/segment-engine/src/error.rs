#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The tree uses something the engine does not evaluate (e.g. raw SQL); count with SQL.
    #[error("the count engine cannot evaluate {0}; counting with SQL instead")]
    Unsupported(String),
    #[error("the count engine has no {0} loaded")]
    Missing(String),
    #[error("loading data into the count engine: {0}")]
    Load(String),
    #[error("counting was cancelled")]
    Cancelled,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
