use clap::Parser;

fn main() -> std::process::ExitCode {
    remediation_suite::cli::main_with(remediation_suite::cli::Cli::parse())
}
