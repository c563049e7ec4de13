// expect-kind: limit
// A literal nested 100000 deep is built by the harness (see run_attacks).
