//! Who is on the other end of a connection, as the kernel says it: the peer
//! credentials of a Unix socket (`SO_PEERCRED` on Linux, `getpeereid`
//! elsewhere). Nothing a client sends can change this answer.

use std::io;
use std::os::unix::net::UnixStream;

use nix::unistd::{Uid, User};

/// The OS account of a connected client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    /// The account's name, or `uid N` when the system has none for it.
    pub user: String,
}

/// The uid of the process that connected `stream`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    getsockopt(stream, PeerCredentials)
        .map(|cred| cred.uid())
        .map_err(io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    nix::unistd::getpeereid(stream)
        .map(|(uid, _)| uid.as_raw())
        .map_err(io::Error::from)
}

/// The name of OS account `uid`.
pub fn user_name(uid: u32) -> String {
    match User::from_uid(Uid::from_raw(uid)) {
        Ok(Some(user)) => user.name,
        _ => format!("uid {uid}"),
    }
}

/// The OS account with `name`, if there is one.
pub fn uid_of(name: &str) -> Option<u32> {
    User::from_name(name).ok().flatten().map(|u| u.uid.as_raw())
}

/// Who connected `stream`.
pub fn peer_of(stream: &UnixStream) -> io::Result<Peer> {
    let uid = peer_uid(stream)?;
    Ok(Peer {
        uid,
        user: user_name(uid),
    })
}

/// The OS account this process runs as.
pub fn current() -> Peer {
    let uid = Uid::effective().as_raw();
    Peer {
        uid,
        user: user_name(uid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_names_the_peer() {
        let (a, _b) = UnixStream::pair().unwrap();
        let peer = peer_of(&a).unwrap();
        assert_eq!(peer, current());
        assert_eq!(uid_of(&peer.user), Some(peer.uid));
    }
}
