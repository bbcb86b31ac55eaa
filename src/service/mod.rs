//! The household service (`coinguard serve`): the only process that opens the
//! household database, under its own OS account, answering clients on a
//! Unix socket. The kernel says who each client is.

pub mod peer;
