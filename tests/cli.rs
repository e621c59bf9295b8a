//! The command line: help, exit codes for usage errors.

use std::process::Command;

fn portal(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portal")).args(args).output().unwrap()
}

#[test]
fn every_command_has_help() {
    for cmd in ["build", "check"] {
        let out = portal(&[cmd, "--help"]);
        assert!(out.status.success());
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("--root"), "{cmd}: {help}");
    }
    assert!(String::from_utf8_lossy(&portal(&["build", "--help"]).stdout).contains("--output"));
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(portal(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert_eq!(portal(&["frobnicate"]).status.code(), Some(2));
    let out = portal(&["build", "--root", "/no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/folder"));
}
