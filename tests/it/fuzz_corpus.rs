//! Every input the fuzzers kept (`fuzz/corpus/<target>/`) and every input
//! that once crashed a target (`fuzz/regressions/<target>/`) replayed
//! through the same library functions the fuzz targets run
//! (`coinguard::fuzz`), so CI keeps what fuzzing found. See FUZZING.md.

use std::path::Path;

type Target = fn(&[u8]);

/// Every fuzz target, by its folder's name under `fuzz/corpus/`.
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

/// Replays the files in `dir` whose place in name order is `part` modulo
/// `parts`; how many there were.
fn replay(dir: &Path, target: Target, (part, parts): (usize, usize)) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    // Name order: the same inputs in the same order on every machine (the
    // session target's household carries over from one input to the next).
    files.sort();
    let mut count = 0;
    for path in files.iter().skip(part).step_by(parts) {
        let data = std::fs::read(path).unwrap();
        let result = std::panic::catch_unwind(|| target(&data));
        assert!(result.is_ok(), "{} fails again", path.display());
        count += 1;
    }
    count
}

/// Replays part `part` of `parts` of one target's kept inputs (there must
/// be some) and of the inputs that once crashed it.
fn replay_target(name: &str, part: usize, parts: usize) {
    let (_, target) = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not in TARGETS"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let kept = replay(&root.join("corpus").join(name), *target, (part, parts));
    assert!(
        kept > 0,
        "fuzz/corpus/{name} has nothing for part {part} of {parts}"
    );
    replay(&root.join("regressions").join(name), *target, (part, parts));
}

/// A test per target, so the corpora (thousands of inputs each) replay
/// side by side rather than one after another, and the `database` target,
/// the slowest (each input a household file written, opened, migrated and
/// verified), in four parts; filtering on this module's name runs them
/// all. The `session` target stays whole: its household carries over from
/// one input to the next.
mod every_kept_fuzz_input_passes_its_target_again {
    macro_rules! replayed {
        ($($test:ident: $name:literal $part:literal of $parts:literal,)*) => {
            $(
                #[test]
                fn $test() {
                    super::replay_target($name, $part, $parts);
                }
            )*
            /// What the tests above replay: (target, part, parts).
            const TESTED: &[(&str, usize, usize)] = &[$(($name, $part, $parts)),*];
        };
    }

    replayed! {
        money: "money" 0 of 1,
        time: "time" 0 of 1,
        names: "names" 0 of 1,
        config: "config" 0 of 1,
        wire: "wire" 0 of 1,
        session: "session" 0 of 1,
        database_part_1_of_4: "database" 0 of 4,
        database_part_2_of_4: "database" 1 of 4,
        database_part_3_of_4: "database" 2 of 4,
        database_part_4_of_4: "database" 3 of 4,
        filter: "filter" 0 of 1,
    }

    /// Every target's inputs are replayed whole (each of its parts has a
    /// test), and every folder under `fuzz/corpus/` is a target.
    #[test]
    fn every_target_and_corpus_folder_has_its_tests() {
        let mut targets: Vec<&str> = super::TARGETS.iter().map(|(n, _)| *n).collect();
        targets.sort_unstable();
        for name in &targets {
            let mut parts: Vec<(usize, usize)> = TESTED
                .iter()
                .filter(|(n, _, _)| n == name)
                .map(|(_, part, parts)| (*part, *parts))
                .collect();
            parts.sort_unstable();
            let of = parts.first().map_or(0, |(_, of)| *of);
            assert!(of > 0, "{name} has no test");
            assert_eq!(
                parts,
                (0..of).map(|part| (part, of)).collect::<Vec<_>>(),
                "{name}: not every part of its inputs has a test"
            );
        }
        let mut tested: Vec<&str> = TESTED.iter().map(|(n, _, _)| *n).collect();
        tested.sort_unstable();
        tested.dedup();
        assert_eq!(tested, targets, "a test for a target not in TARGETS");
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let mut folders: Vec<String> = std::fs::read_dir(&corpus)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort_unstable();
        assert_eq!(
            folders, targets,
            "a folder under fuzz/corpus/ that no test replays"
        );
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
