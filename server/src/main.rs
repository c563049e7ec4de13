//! The `codemode` binary: everything is in the library; this only hands over the exit code.

fn main() -> std::process::ExitCode {
    codemode::cli::main()
}
