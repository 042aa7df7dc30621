//! Progress of a stage: a bar on stderr (units done / total, frames per second,
//! ETA) shown only on a terminal, and, inside a `reel encode --json` job, the
//! same figures as `progress` events on stdout. Inside a job every stage's bar
//! carries the job's `[k/N]` prefix, so the job reads as one display.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The stage of a job that is running now, set by `reel encode`.
static JOB_STAGE: Mutex<Option<JobStage>> = Mutex::new(None);

/// JSON progress events are printed at most this often (and at each step's end).
const JSON_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
struct JobStage {
    /// `[3/5] `.
    prefix: String,
    /// Print progress events as JSON lines on stdout.
    json: bool,
}

/// Marks the stage `index` (0-based) of `total` as running until dropped.
#[derive(Debug)]
pub struct StageScope(());

pub fn enter_stage(index: usize, total: usize, json: bool) -> StageScope {
    if let Ok(mut s) = JOB_STAGE.lock() {
        *s = Some(JobStage {
            prefix: format!("[{}/{total}] ", index + 1),
            json,
        });
    }
    StageScope(())
}

impl Drop for StageScope {
    fn drop(&mut self) {
        if let Ok(mut s) = JOB_STAGE.lock() {
            *s = None;
        }
    }
}

fn job_stage() -> Option<JobStage> {
    JOB_STAGE.lock().ok().and_then(|s| s.clone())
}

/// Progress of one stage through its steps (trial encodes, scoring...), each
/// counted in units (frames, chunks) with the frames behind them for the rate.
#[derive(Debug)]
pub struct Meter {
    bar: ProgressBar,
    stage: String,
    json: bool,
    state: Mutex<Step>,
    /// Names the steps that follow (`trial`, `refine`).
    phase: Mutex<String>,
    done: AtomicU64,
    frames: AtomicU64,
}

#[derive(Debug)]
struct Step {
    name: String,
    unit: &'static str,
    total: u64,
    started: Instant,
    last_event: Option<Instant>,
}

/// A meter for `stage`, hidden when `quiet` (unless a JSON job listens) or
/// when stderr is not a terminal.
pub fn meter(quiet: bool, stage: &str) -> Meter {
    let job = job_stage();
    let prefix = job.as_ref().map_or("", |j| j.prefix.as_str());
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
    } else {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:32.cyan/blue}] {pos}/{len} {msg}  ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar
    };
    bar.set_prefix(format!("{prefix}{stage}"));
    Meter {
        bar,
        stage: stage.to_string(),
        json: job.is_some_and(|j| j.json),
        state: Mutex::new(Step {
            name: stage.to_string(),
            unit: "frames",
            total: 0,
            started: Instant::now(),
            last_event: None,
        }),
        phase: Mutex::new(String::new()),
        done: AtomicU64::new(0),
        frames: AtomicU64::new(0),
    }
}

impl Meter {
    /// Prefixes the names of the steps that follow (`trial` encodes, `refine` encodes).
    pub fn phase(&self, phase: &str) {
        if let Ok(mut p) = self.phase.lock() {
            *p = phase.to_string();
        }
    }

    /// Starts a step of `total` `unit`s; the counts start again from zero.
    pub fn step(&self, name: &str, unit: &'static str, total: u64) {
        let name = match self.phase.lock().as_deref() {
            Ok(phase) if !phase.is_empty() => format!("{phase} {name}"),
            _ => name.to_string(),
        };
        let name = name.as_str();
        if let Ok(mut s) = self.state.lock() {
            *s = Step {
                name: name.to_string(),
                unit,
                total,
                started: Instant::now(),
                last_event: None,
            };
        }
        self.done.store(0, Ordering::Relaxed);
        self.frames.store(0, Ordering::Relaxed);
        self.bar.reset();
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(format!("{unit} {name}"));
        self.show(0, 0);
    }

    /// A step's total learnt late (an estimate refined while decoding).
    pub fn set_total(&self, total: u64) {
        if let Ok(mut s) = self.state.lock() {
            s.total = total;
        }
        self.bar.set_length(total);
    }

    /// `units` more done, behind which `frames` frames were processed.
    pub fn advance(&self, units: u64, frames: u64) {
        let done = self.done.fetch_add(units, Ordering::Relaxed) + units;
        let frames = self.frames.fetch_add(frames, Ordering::Relaxed) + frames;
        self.show(done, frames);
    }

    /// The absolute count, for callers that report it so. Reports from
    /// several threads may arrive out of order: the count never goes back.
    pub fn set_done(&self, done: u64, frames: u64) {
        let done = self.done.fetch_max(done, Ordering::Relaxed).max(done);
        let frames = self.frames.fetch_max(frames, Ordering::Relaxed).max(frames);
        self.show(done, frames);
    }

    fn show(&self, done: u64, frames: u64) {
        let Ok(mut s) = self.state.lock() else { return };
        let elapsed = s.started.elapsed().as_secs_f64().max(1e-6);
        let fps = frames as f64 / elapsed;
        self.bar.set_position(done);
        self.bar
            .set_message(format!("{} {} · {fps:.0} fps", s.unit, s.name));
        if !self.json {
            return;
        }
        let now = Instant::now();
        let last = done >= s.total && s.total > 0;
        if s.last_event.is_some_and(|t| now - t < JSON_INTERVAL) && !last {
            return;
        }
        s.last_event = Some(now);
        let eta_s =
            (done > 0 && s.total > done).then(|| elapsed / done as f64 * (s.total - done) as f64);
        let event = serde_json::json!({
            "event": "progress",
            "stage": self.stage,
            "step": s.name,
            "unit": s.unit,
            "done": done,
            "total": s.total,
            "fps": (fps * 10.0).round() / 10.0,
            "eta_s": eta_s.map(|e| (e * 10.0).round() / 10.0),
        });
        println!("{event}");
    }

    /// Whether the bar is drawn (on a terminal, not quiet).
    pub fn is_drawn(&self) -> bool {
        !self.bar.is_hidden()
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
