//! `remediation-suite serve`: the reference endpoint as a foreground process.

use crate::clock::ClockMode;
use crate::{start_with, AccountOptions, AccountStart, ServerConfig};
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;

/// Options of the `serve` command.
#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 4599)]
    pub port: u16,
    /// Address to listen on. The endpoint has no authentication unless --verify-signatures is
    /// given, so keep it on loopback.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Region of the simulated account (appears in Arns).
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Account id of the simulated account (appears in Arns).
    #[arg(long, default_value = "123456789012")]
    pub account_id: String,
    /// `virtual`: starts at 2026-01-01T00:00:00Z and moves only through POST /_reference/clock;
    /// `wall`: the system clock (which POST /_reference/clock can still push forward).
    #[arg(long, value_enum, default_value_t = ClockMode::Virtual)]
    pub clock: ClockMode,
    /// Check SigV4 signatures against AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    #[arg(long)]
    pub verify_signatures: bool,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = crate::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Start the account (and every reset) without configuration recorder and delivery
    /// channel, as a new real account is: PutConfigRule answers
    /// NoAvailableConfigurationRecorderException until PutConfigurationRecorder makes one.
    /// Without it a recorder and a delivery channel named `default` exist.
    #[arg(long)]
    pub no_recorder: bool,
    /// Seconds of the clock a DeleteConfigRule's deletion runs (at most 3600): meanwhile the
    /// rule is DELETING and a second delete or a put of its name is ResourceInUseException.
    /// 0: deletions are over at once.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=i64::from(reference_model::world::MAX_RULE_DELETION_SECONDS)))]
    pub rule_deletion_seconds: u32,
}

/// Exit code for a usage or start-up problem (port in use, missing credentials).
const EXIT_CANNOT_START: u8 = 2;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_CANNOT_START)
}

/// Runs the endpoint until Ctrl-C (or SIGTERM); prints its URL alone on stdout first.
pub fn run_serve(args: ServeArgs) -> ExitCode {
    let verify_signatures = if args.verify_signatures {
        match (std::env::var("AWS_ACCESS_KEY_ID"), std::env::var("AWS_SECRET_ACCESS_KEY")) {
            (Ok(key), Ok(secret)) if !key.is_empty() && !secret.is_empty() => Some((key, secret)),
            _ => return fail("--verify-signatures needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"),
        }
    } else {
        None
    };
    let addr: SocketAddr = match (args.host.as_str(), args.port).to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(addr)) => addr,
        Ok(None) | Err(_) => return fail(format!("--host {:?} is not an address this machine can listen on", args.host)),
    };
    let config = ServerConfig {
        account_id: args.account_id,
        region: args.region,
        clock: args.clock,
        verify_signatures,
        max_body_bytes: args.max_body_bytes,
    };
    let account = AccountOptions {
        start: if args.no_recorder { AccountStart::NoRecorder } else { AccountStart::ConfigEnabled },
        rule_deletion_seconds: args.rule_deletion_seconds,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        let server = match start_with(config, addr, account).await {
            Ok(server) => server,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return fail(format!(
                    "cannot listen on {addr}: the port is already in use (choose another with --port, or --port 0 for any free port)"
                ))
            }
            Err(e) => return fail(format!("cannot listen on {addr}: {e}")),
        };
        println!("{}", server.url);
        let _ = std::io::stdout().flush();
        eprintln!(
            "reference endpoint at {url} (control API at {url}/_reference/); Ctrl-C stops it",
            url = server.url
        );
        wait_for_stop_signal().await;
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Ctrl-C, or SIGTERM where there is one.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        serve: ServeArgs,
    }

    /// the flag that starts the account without a recorder, off by default.
    #[test]
    fn no_recorder_is_a_flag() {
        assert!(!Wrapper::parse_from(["serve"]).serve.no_recorder);
        assert!(Wrapper::parse_from(["serve", "--no-recorder"]).serve.no_recorder);
    }

    /// deletions are over at once unless asked, and at most an hour.
    #[test]
    fn rule_deletion_seconds_is_bounded() {
        assert_eq!(Wrapper::parse_from(["serve"]).serve.rule_deletion_seconds, 0);
        assert_eq!(Wrapper::parse_from(["serve", "--rule-deletion-seconds", "30"]).serve.rule_deletion_seconds, 30);
        assert!(Wrapper::try_parse_from(["serve", "--rule-deletion-seconds", "3601"]).is_err());
    }
}
