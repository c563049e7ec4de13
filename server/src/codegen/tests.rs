//! Unit tests of the generator on small schemas; the corpus snapshots live in `server/tests/`.
