//! The household's one API: what the command line and the terminal interface
//! can ask of a household, the same whether it is answered in this process
//! (`--db`) or by the household service over its socket.

pub mod call;
pub mod reply;
pub mod session;
pub mod wire;

pub use call::Call;
pub use reply::Reply;
pub use session::{ApiError, Caller, Session};

pub use crate::domain::ErrorKind;
