//! Every reader (xlsx, csv, gift, aiken, toml) fed arbitrary and mangled
//! files through the capped child process the server uses, under a memory
//! cap: no panic, no abort, no runaway. A child that panicked, aborted,
//! hit the memory cap or the deadline would come back as one error naming
//! that; none may. Deterministic: a fixed seed unless `PROPTEST_RNG_SEED`
//! is set; `PROPTEST_CASES` (default 24 per format) sets the count.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

use hoithi::domain::bank::BankMeta;
use hoithi::domain::formats::{Budget, ReadRequest};
use hoithi::sandbox::Sandbox;

/// What a child that did not end normally reports (see `hoithi::sandbox`).
const ABNORMAL: [&str; 4] =
    ["HOITHI_BANK_PARSE_MEMORY_MB", "HOITHI_BANK_PARSE_SECONDS", "dừng bất thường", "trả lời không đọc được"];

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24);
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x6b6f_6e67);
    TestRunner::new(Config { cases, rng_seed: RngSeed::Fixed(seed), failure_persistence: None, ..Config::default() })
}

/// Pieces of every format's grammar, so that the inputs get past the first line.
fn tokens() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "::t:: ",
        "{",
        "}",
        "=",
        "~",
        "%50%",
        "#",
        "####",
        "[html]<p>",
        "</p>",
        "&quot;",
        "\\",
        "$CATEGORY: a\n",
        "// key: k\n",
        "A. ",
        "B) ",
        "C)",
        "ANSWER: A\n",
        "\n",
        "\n\n",
        "\r\n",
        "Câu hỏi?",
        "Đúng",
        ",",
        ";",
        "\"",
        "STT,Câu hỏi,A,B,Đáp án,Mức độ\n",
        "1,Hỏi?,a,b,A,Dễ\n",
        "[bank]\nslug=\"b\"\ntitle=\"t\"\ntopic=\"t\"\n",
        "[[question]]\n",
        "key=\"q\"\n",
        "options=[\"a\",\"b\"]\n",
        "answer=\"A\"\n",
        "\u{feff}",
        "\u{0}",
        "\u{301}",
    ]);
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

/// A small valid workbook in hoithi's layout, then mangled: bytes flipped
/// and the file cut short.
fn mangled_xlsx() -> impl Strategy<Value = Vec<u8>> {
    let bank = hoithi::domain::bank::parse_toml(
        "b.toml",
        "[bank]\nslug=\"b\"\ntitle=\"t\"\ntopic=\"t\"\n[[question]]\nkey=\"q\"\nkind=\"single\"\ndifficulty=\"easy\"\n\
         text=\"Hỏi?\"\noptions=[\"a\",\"b\"]\nanswer=\"A\"\nexplanation=\"v\"\nsource=\"s\"\n",
    )
    .0
    .expect("a valid bank");
    let book = hoithi::domain::formats::sheet::write_xlsx(&bank).expect("an xlsx");
    let len = book.len();
    (prop::collection::vec((0..len, any::<u8>()), 0..12), len / 2..=len).prop_map(move |(flips, cut)| {
        let mut b = book.clone();
        for (i, v) in flips {
            b[i] = v;
        }
        b.truncate(cut);
        b
    })
}

fn check(sandbox: &Sandbox, name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let meta = BankMeta { slug: "b".into(), title: "t".into(), topic: "t".into(), replaced_documents: vec![] };
    let budget = Budget { memory_mib: 256, seconds: 20, ..Budget::default() };
    let req = ReadRequest { budget, ..ReadRequest::new(name, Some(&meta)) };
    let parsed = sandbox.parse(&req, bytes);
    for p in &parsed.problems {
        prop_assert!(
            !ABNORMAL.iter().any(|a| p.message.contains(a)),
            "{name}: {p}\n{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    Ok(())
}

#[test]
fn no_reader_panics_aborts_or_runs_away_on_any_file() {
    let sandbox = Sandbox::new(Some(std::path::Path::new(env!("CARGO_BIN_EXE_hoithi"))));
    for name in ["b.gift", "b.txt", "b.csv", "b.toml", "b.xlsx"] {
        let mut runner = runner();
        let inputs = prop_oneof![tokens().prop_map(String::into_bytes), prop::collection::vec(any::<u8>(), 0..2048)];
        runner.run(&inputs, |bytes| check(&sandbox, name, &bytes)).unwrap();
    }
    runner().run(&mangled_xlsx(), |bytes| check(&sandbox, "b.xlsx", &bytes)).unwrap();
}
