//! Printing: one JSON document on stdout for `--json`.

pub fn json(value: &serde_json::Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("coinguard: cannot print JSON: {e}"),
    }
}
