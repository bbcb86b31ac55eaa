//! Every input the fuzzers kept (`fuzz/corpus/<target>/`) and every input
//! that once crashed a target (`fuzz/regressions/<target>/`) replayed
//! through the same library functions the fuzz targets run
//! (`coinguard::fuzz`), so CI keeps what fuzzing found. See FUZZING.md.

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("money", coinguard::fuzz::money),
    ("time", coinguard::fuzz::time),
    ("names", coinguard::fuzz::names),
    ("config", coinguard::fuzz::config),
    ("wire", coinguard::fuzz::wire),
    ("session", coinguard::fuzz::session),
    ("database", coinguard::fuzz::database),
    ("filter", coinguard::fuzz::filter),
];

fn replay(dir: &Path, target: Target) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            let data = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| target(&data));
            assert!(result.is_ok(), "{} fails again", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn every_kept_fuzz_input_passes_its_target_again() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, target) in TARGETS {
        let kept = replay(&root.join("corpus").join(name), *target);
        assert!(kept > 0, "fuzz/corpus/{name} is empty");
        replay(&root.join("regressions").join(name), *target);
    }
}
