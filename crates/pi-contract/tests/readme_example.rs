//! The README's "Testing your own code" example is the compiled example
//! `examples/testing_your_own_code.rs`, word for word.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;

#[test]
fn the_readme_example_is_the_compiled_one() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example =
        std::fs::read_to_string(crate_dir.join("examples/testing_your_own_code.rs")).unwrap();
    let Some(readme) = std::fs::read_to_string(crate_dir.join("../../README.md")).ok() else {
        return; // Outside the repository (a packaged crate): nothing to compare.
    };
    let snippet = example
        .split("// README start\n")
        .nth(1)
        .and_then(|rest| rest.split("// README end\n").next())
        .expect("the example marks the README part");
    assert!(
        // `ignore`: an excerpt, compiled as the example itself, not as one of
        // the README's doctests (`ReadmeExamples` in src/lib.rs).
        readme.contains(&format!("```rust,ignore\n{snippet}```")),
        "README.md's \"Testing your own code\" block differs from examples/testing_your_own_code.rs; copy the part between the markers"
    );
}
