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

/// The `database` target's patch inputs (`coinguard::fuzz::database_file`):
/// changes to a base household, applied in order, cuts included.
#[test]
fn database_patch_inputs_make_the_files_they_describe() {
    use coinguard::fuzz::{BASE_HOUSEHOLDS, PATCH, database_file};
    // The file a patch input (PATCH, then `rest`) makes.
    let file = |rest: &[u8]| database_file(&[PATCH, rest].concat()).into_owned();
    // Not a patch: the file itself.
    assert_eq!(&*database_file(b"SQLite format 3\0"), b"SQLite format 3\0");
    assert_eq!(&*database_file(PATCH), PATCH);
    // Each base, untouched, and the byte after PATCH picks it (mod 2).
    assert_eq!(&*file(&[0]), BASE_HOUSEHOLDS[0]);
    assert_eq!(&*file(&[1]), BASE_HOUSEHOLDS[1]);
    assert_eq!(&*file(&[2]), BASE_HOUSEHOLDS[0]);
    // Two bytes written at 0x010203, past the end: zeros up to there.
    let grown = file(&[0, 3, 2, 1, 2, 0xaa, 0xbb]);
    assert_eq!(grown.len(), 0x01_0205);
    assert_eq!(&grown[..BASE_HOUSEHOLDS[0].len()], BASE_HOUSEHOLDS[0]);
    assert!(
        grown[BASE_HOUSEHOLDS[0].len()..0x01_0203]
            .iter()
            .all(|&b| b == 0)
    );
    assert_eq!(&grown[0x01_0203..], [0xaa, 0xbb]);
    // A byte changed, then the file cut at 100 (the header alone).
    let cut = file(&[1, 0, 0, 0, 1, b'X', 100, 0, 0, 0]);
    assert_eq!(cut.len(), 100);
    assert_eq!(cut[0], b'X');
    assert_eq!(&cut[1..], &BASE_HOUSEHOLDS[1][1..100]);
    // A change past 128 KiB ends the list; a short last change is kept.
    let ended = file(&[0, 0, 0, 2, 1, b'Y', 0, 0, 0, 0]);
    assert_eq!(&*ended, BASE_HOUSEHOLDS[0]);
    let short = file(&[0, 1, 0, 0, 9, b'Z']);
    assert_eq!(short[1], b'Z');
    assert_eq!(short.len(), BASE_HOUSEHOLDS[0].len());
}
