//! Tests of per-user state: answers kept by content, owner-only files, corrupt files rebuilt,
//! concurrent writers.

use std::path::Path;

use super::*;

#[test]
fn an_answer_holds_for_the_content_it_was_given_for() {
    let dir = tempfile::tempdir().unwrap();
    let state = UserState::at(dir.path().join("state"));
    let file = Path::new("/work/repo/.mcp.json");
    assert!(!state.trusts(file, "aaa"));
    state.trust(file, "aaa", vec!["memory".into()]).unwrap();
    assert!(state.trusts(file, "aaa"));
    assert!(!state.trusts(file, "bbb"), "a changed file is asked again");
    assert!(!state.trusts(Path::new("/work/other/.mcp.json"), "aaa"));
    assert!(state.revoke(file).unwrap());
    assert!(!state.trusts(file, "aaa"));
    assert!(!state.revoke(file).unwrap());
}

#[cfg(unix)]
#[test]
fn records_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let state = UserState::at(dir.path().join("state"));
    state
        .trust(Path::new("/x/.mcp.json"), "aaa", vec![])
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("state")), 0o700);
    assert_eq!(mode(&dir.path().join("state/trust.json")), 0o600);
}

#[test]
fn a_corrupt_or_foreign_file_reads_as_empty_and_is_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let state = UserState::at(dir.path());
    for text in [
        "{not json",
        r#"{"version": 99, "data": {"files": {}}}"#,
        r#"{"version": 1, "data": 7}"#,
        "",
    ] {
        std::fs::write(dir.path().join("trust.json"), text).unwrap();
        assert!(!state.trusts(Path::new("/x"), "a"), "{text:?}");
        state.trust(Path::new("/x"), "a", vec![]).unwrap();
        assert!(state.trusts(Path::new("/x"), "a"), "{text:?} was rewritten");
    }
}

#[test]
fn no_state_folder_reads_empty_and_refuses_writes() {
    let state = UserState { dir: None };
    assert!(!state.trusts(Path::new("/x"), "a"));
    let error = state.trust(Path::new("/x"), "a", vec![]).unwrap_err();
    assert!(error.to_string().contains("HOME"), "{error}");
}

#[test]
fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let state = UserState::at(dir.path());
            std::thread::spawn(move || {
                for j in 0..10 {
                    let file = format!("/repo{i}/{j}/.mcp.json");
                    state.trust(Path::new(&file), "h", vec![]).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let book: TrustBook = UserState::at(dir.path()).get();
    assert_eq!(book.entries().count(), 80);
}
