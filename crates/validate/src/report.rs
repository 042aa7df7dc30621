//! Collecting check results as the checks run.

use reel_core::manifest::{CheckResult, CheckStatus};

/// The checks of one validation, in the order they ran.
#[derive(Debug, Default)]
pub struct Report {
    pub checks: Vec<CheckResult>,
}

impl Report {
    pub fn push(
        &mut self,
        check: &str,
        subject: &str,
        status: CheckStatus,
        evidence: impl Into<String>,
    ) {
        self.checks.push(CheckResult {
            check: check.to_string(),
            subject: subject.to_string(),
            status,
            evidence: evidence.into(),
        });
    }

    /// Pass when `ok`, fail otherwise, with the same evidence either way.
    pub fn expect(&mut self, check: &str, subject: &str, ok: bool, evidence: impl Into<String>) {
        let status = if ok {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        };
        self.push(check, subject, status, evidence);
    }

    /// Reads and parses a text file; on failure records `check` as failed,
    /// naming the file, and returns `None`.
    pub fn parse_file<T>(
        &mut self,
        check: &str,
        subject: &str,
        path: &std::path::Path,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| parse(&text));
        match parsed {
            Ok(v) => Some(v),
            Err(why) => {
                self.push(
                    check,
                    subject,
                    CheckStatus::Fail,
                    format!("{}: {why}", path.display()),
                );
                None
            }
        }
    }

    pub fn skip(&mut self, check: &str, subject: &str, why: impl Into<String>) {
        self.push(check, subject, CheckStatus::Skip, why);
    }
}
