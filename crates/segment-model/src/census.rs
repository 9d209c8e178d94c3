//! Census molecules (seed 002) read and written losslessly.
