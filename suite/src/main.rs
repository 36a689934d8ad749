use clap::Parser;

// mimalloc rather than glibc's allocator: the endpoint allocates many small, short-lived
// values per request (the parsed body, each answer), and glibc's malloc and free took about a
// fifth of its CPU under load. Measured with scripts/server/bench.sh's CPU line: 110 -> 70 us of
// server CPU for PutRemediationExceptions with 100 keys, 17 -> 14 us for DescribeConfigRules.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    remediation_suite::cli::main_with(remediation_suite::cli::Cli::parse())
}
