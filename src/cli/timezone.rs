//! The computer's time zone, for a new household that names none: the `TZ`
//! variable, then `/etc/timezone`, then where `/etc/localtime` points; UTC
//! when none of them names a zone we know. Only reads.

use std::path::Path;

use chrono_tz::Tz;

/// A zone and where it came from, for telling the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub zone: Tz,
    /// e.g. "the TZ variable", "/etc/timezone", "/etc/localtime".
    pub from: &'static str,
}

/// The computer's zone.
pub fn system() -> Found {
    let tz = std::env::var("TZ").ok();
    let etc_timezone = std::fs::read_to_string("/etc/timezone").ok();
    let localtime = std::fs::read_link("/etc/localtime").ok();
    from_sources(tz.as_deref(), etc_timezone.as_deref(), localtime.as_deref())
}

/// The first source that names a zone we know (pure, for tests).
pub fn from_sources(
    tz: Option<&str>,
    etc_timezone: Option<&str>,
    localtime: Option<&Path>,
) -> Found {
    let known = |name: &str| crate::domain::parse_timezone(name.trim()).ok();
    // TZ may be ":Europe/Berlin" (glibc's form for a file under zoneinfo).
    if let Some(zone) = tz.map(|t| t.trim_start_matches(':')).and_then(known) {
        return Found {
            zone,
            from: "the TZ variable",
        };
    }
    if let Some(zone) = etc_timezone
        .and_then(|text| text.lines().next())
        .and_then(known)
    {
        return Found {
            zone,
            from: "/etc/timezone",
        };
    }
    // /etc/localtime -> /usr/share/zoneinfo/Europe/Berlin
    if let Some(zone) = localtime
        .and_then(|p| p.to_str())
        .and_then(|p| p.split_once("zoneinfo/"))
        .and_then(|(_, name)| known(name))
    {
        return Found {
            zone,
            from: "/etc/localtime",
        };
    }
    Found {
        zone: Tz::UTC,
        from: "no zone set on this computer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_source_naming_a_known_zone_wins_and_utc_is_the_fallback() {
        let link = Path::new("/usr/share/zoneinfo/Asia/Tokyo");
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a Path>,
            Tz,
            &'a str,
        );
        let cases: [Case<'_>; 7] = [
            (
                Some("Europe/Berlin"),
                Some("Etc/UTC\n"),
                Some(link),
                chrono_tz::Europe::Berlin,
                "the TZ variable",
            ),
            (
                Some(":America/New_York"),
                None,
                None,
                chrono_tz::America::New_York,
                "the TZ variable",
            ),
            (
                Some("Mars/Base"),
                Some("Europe/Paris\n"),
                Some(link),
                chrono_tz::Europe::Paris,
                "/etc/timezone",
            ),
            (
                None,
                Some("nonsense"),
                Some(link),
                chrono_tz::Asia::Tokyo,
                "/etc/localtime",
            ),
            (
                None,
                None,
                Some(Path::new("../usr/share/zoneinfo/Etc/UTC")),
                Tz::Etc__UTC,
                "/etc/localtime",
            ),
            (
                None,
                None,
                Some(Path::new("/etc/elsewhere")),
                Tz::UTC,
                "no zone set on this computer",
            ),
            (None, None, None, Tz::UTC, "no zone set on this computer"),
        ];
        for (tz, etc, link, zone, from) in cases {
            assert_eq!(
                from_sources(tz, etc, link),
                Found { zone, from },
                "{tz:?} {etc:?} {link:?}"
            );
        }
    }
}
