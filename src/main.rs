//! The `cachectl` binary: parse arguments, run, map the outcome to an exit code.

fn main() -> std::process::ExitCode {
    cachectl::run(std::env::args_os())
}
