//! The household's one API: what the command line and the terminal interface
//! can ask of a household, the same whether it is answered in this process
//! (`--db`) or by the household service over its socket.

pub mod wire;

pub use crate::domain::ErrorKind;
