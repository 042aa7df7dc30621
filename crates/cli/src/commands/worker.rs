//! `reel worker`: takes unit messages from an SQS queue and encodes them, on as
//! many machines as there are workers. A unit's chunks are deterministic
//! objects written atomically and committed by their record, so a duplicate or
//! redelivered message does no harm; the message stays hidden while the unit
//! runs, goes back to the queue when the unit fails, and ends in the queue's
//! dead-letter queue when it keeps failing.

use crate::args::GlobalArgs;
use crate::shutdown;
use crate::work_item::WorkItem;
use anyhow::{bail, Context, Result};
use clap::Args;
use reel_pipeline::{EncoderKind, UnitFailure, UNIT_MESSAGE_VERSION};
use reel_queue::{run_leased, Delivery, Leased, Queue, Redrive};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a unit this worker cannot encode waits before it is offered again.
const PASS_ON_DELAY: Duration = Duration::from_secs(5);

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The SQS queue `reel encode --queue` sends units to.
    #[arg(long, value_name = "QUEUE_URL")]
    pub queue: String,
    /// Encoders this worker offers: cpu, nvenc, or both (cpu,nvenc). A worker
    /// takes only units whose rungs need what it offers.
    #[arg(long, value_delimiter = ',', default_value = "cpu")]
    pub encoders: Vec<String>,
    /// Seconds a received unit stays hidden from other workers; renewed every
    /// third of it while the unit runs, so it only matters when the worker dies.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub visibility: u64,
    /// Attempts before a unit is given up, for queues without a dead-letter
    /// queue (otherwise the queue's maxReceiveCount counts).
    #[arg(long, default_value_t = 3)]
    pub max_attempts: u32,
    /// Exit after this many seconds without a message [default: never].
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<u64>,
    /// Exit after this many units.
    #[arg(long)]
    pub max_units: Option<u64>,
    /// Threads of this worker's encodes (0 = every core); with several
    /// workers on one machine, their sum should be its core count.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Local work directory [default: reel-worker-PID in the system temp directory].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

/// What the worker knows about its queue.
struct Context_ {
    queue: Queue,
    redrive: Option<Redrive>,
    offers: Vec<EncoderKind>,
    visibility: Duration,
    max_attempts: u32,
    name: String,
    work_root: PathBuf,
    threads: usize,
}

pub fn run(args: &WorkerArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let stop = shutdown::stop_flag()?;
    let offers = offered_encoders(&args.encoders)?;
    if args.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global()
            .context("sizing the worker's thread pool")?;
    }
    let queue = Queue::connect(&args.queue)?;
    let redrive = queue.redrive()?;
    let work_root = args.work_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("reel-worker-{}", std::process::id()))
    });
    let ctx = Context_ {
        queue,
        redrive,
        offers,
        visibility: Duration::from_secs(args.visibility.max(5)),
        max_attempts: args.max_attempts.max(1),
        name: shutdown::worker_name(),
        work_root,
        threads: args.threads,
    };
    log(
        global,
        &format!(
            "worker {}: taking {} units from {} ({})",
            ctx.name,
            ctx.offers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("+"),
            args.queue,
            match &ctx.redrive {
                Some(r) => format!(
                    "dead-letter queue {} after {} receives",
                    r.dead_letter_name(),
                    r.max_receives
                ),
                None => format!(
                    "no dead-letter queue: given up after {} attempts",
                    ctx.max_attempts
                ),
            }
        ),
    );
    let mut units = 0u64;
    let mut outage = Outage::default();
    let mut idle_since = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        if args.max_units.is_some_and(|max| units >= max) {
            break;
        }
        let wait = match args.idle_exit {
            Some(limit) => {
                let left = Duration::from_secs(limit).saturating_sub(idle_since.elapsed());
                if left.is_zero() {
                    log(
                        global,
                        &format!("worker {}: idle for {limit} s, exiting", ctx.name),
                    );
                    break;
                }
                left.min(Duration::from_secs(20))
            }
            None => Duration::from_secs(20),
        };
        // Short polls while stopping matter: a long poll would hold SIGTERM up.
        let wait = wait.min(Duration::from_secs(5));
        let delivery = match ctx.queue.receive(wait, ctx.visibility) {
            Ok(Some(delivery)) => delivery,
            Ok(None) => {
                outage.clear();
                continue;
            }
            Err(err) => {
                outage.failed(&err.into(), global)?;
                continue;
            }
        };
        outage.clear();
        match handle(&ctx, &delivery, &stop, global) {
            Ok(Handled::Unit) => units += 1,
            Ok(Handled::Skipped) => {}
            Ok(Handled::Released) => break,
            // The message comes back after its visibility timeout.
            Err(err) => outage.failed(&err, global)?,
        }
        idle_since = Instant::now();
    }
    let _ = std::fs::remove_dir_all(&ctx.work_root);
    log(
        global,
        &format!("worker {}: stopped after {units} units", ctx.name),
    );
    Ok(ExitCode::SUCCESS)
}

enum Handled {
    Unit,
    Skipped,
    Released,
}

fn handle(
    ctx: &Context_,
    delivery: &Delivery,
    stop: &AtomicBool,
    global: &GlobalArgs,
) -> Result<Handled> {
    let received = Instant::now();
    let Some(item) = WorkItem::parse(&delivery.body) else {
        // Poison: no worker will ever read it; keep it from clogging the queue.
        log(
            global,
            &format!(
                "worker {}: message {} is not a reel unit (version {UNIT_MESSAGE_VERSION}); \
                 deleting it: {}",
                ctx.name,
                delivery.message_id,
                delivery.body.chars().take(200).collect::<String>()
            ),
        );
        ctx.queue.delete(&delivery.receipt)?;
        return Ok(Handled::Skipped);
    };
    let what = item.describe();
    if !ctx.offers.contains(&item.encoders()) {
        // SQS cannot filter: offer the unit again as a fresh message (a fresh
        // receive count, so passing it on never dead-letters it).
        ctx.queue.send(&delivery.body, PASS_ON_DELAY)?;
        ctx.queue.delete(&delivery.receipt)?;
        log(
            global,
            &format!(
                "worker {}: {what} needs {} encoders; passed on",
                ctx.name,
                item.encoders()
            ),
        );
        return Ok(Handled::Skipped);
    }
    let (_, rungs) = item.index_and_rungs();
    log(
        global,
        &format!(
            "worker {}: {what} started (attempt {}) [{}]",
            ctx.name,
            delivery.receive_count,
            rungs.join(", ")
        ),
    );
    let work_dir = ctx.work_root.join(item.dir_name());
    let (job, dir, threads, job_global) =
        (item.clone(), work_dir.clone(), ctx.threads, global.clone());
    let outcome = run_leased(
        &ctx.queue,
        delivery,
        ctx.visibility,
        stop,
        |err| eprintln!("warning: {err}"),
        move || job.run(&dir, threads, &job_global),
    );
    let result = match outcome {
        Leased::Released => {
            log(
                global,
                &format!(
                    "worker {}: stopping; {what} released to other workers",
                    ctx.name
                ),
            );
            return Ok(Handled::Released);
        }
        Leased::Done(result) => result,
        Leased::Crashed => Err(anyhow::anyhow!(
            "{what} crashed (a bug in reel: please report it)"
        )),
    };
    let _ = std::fs::remove_dir_all(&work_dir);
    match result {
        Ok(done) => {
            ctx.queue.delete(&delivery.receipt)?;
            if delivery.receive_count > 1 {
                forget_failure(&item, global);
            }
            let total = received.elapsed().as_secs_f64();
            log(
                global,
                &format!(
                    "worker {}: {} in {total:.2} s (work {:.2} s, queue and storage {:.0} ms)",
                    ctx.name,
                    done.summary,
                    done.work_s,
                    (total - done.work_s) * 1000.0
                ),
            );
        }
        Err(err) => fail(ctx, delivery, &item, &err, global)?,
    }
    Ok(Handled::Unit)
}

/// Records the failure for the waiting job, then gives the message back for
/// another attempt, or, on the last attempt, to the dead-letter queue.
fn fail(
    ctx: &Context_,
    delivery: &Delivery,
    item: &WorkItem,
    err: &anyhow::Error,
    global: &GlobalArgs,
) -> Result<()> {
    let max_attempts = ctx
        .redrive
        .as_ref()
        .map_or(ctx.max_attempts, |r| r.max_receives);
    let given_up = delivery.receive_count >= max_attempts;
    let error = crate::one_line(err);
    let (index, rungs) = item.index_and_rungs();
    let record = UnitFailure {
        version: UNIT_MESSAGE_VERSION,
        index,
        encoders: item.encoders(),
        rungs,
        attempt: delivery.receive_count,
        max_attempts,
        given_up,
        dead_letter_queue: ctx
            .redrive
            .as_ref()
            .map(|r| r.dead_letter_name().to_string()),
        error: error.clone(),
        worker: ctx.name.clone(),
    };
    let what = item.describe();
    if let Err(write_err) = write_failure(item, &record, global) {
        eprintln!(
            "warning: recording the failure of {what}: {}",
            crate::one_line(&write_err)
        );
    }
    if given_up && ctx.redrive.is_none() {
        ctx.queue.delete(&delivery.receipt)?;
    } else {
        // Visible again at once: the next receive retries it, or, past
        // maxReceiveCount, SQS moves it to the dead-letter queue.
        ctx.queue
            .set_visibility(&delivery.receipt, Duration::ZERO)?;
    }
    log(
        global,
        &format!(
            "worker {}: {what} failed (attempt {} of {max_attempts}{}): {error}",
            ctx.name,
            delivery.receive_count,
            if given_up { ", giving up" } else { "" }
        ),
    );
    Ok(())
}

fn write_failure(item: &WorkItem, record: &UnitFailure, global: &GlobalArgs) -> Result<()> {
    let (storage, url) = item.failure_location(global)?;
    let json = serde_json::to_vec_pretty(record).context("serialising the failure record")?;
    storage.put_bytes(&url, &json)?;
    Ok(())
}

/// Work that succeeded after failing leaves no failure record behind.
fn forget_failure(item: &WorkItem, global: &GlobalArgs) {
    if let Ok((storage, url)) = item.failure_location(global) {
        let _ = storage.delete(&url);
    }
}

fn offered_encoders(names: &[String]) -> Result<Vec<EncoderKind>> {
    let mut offers = Vec::new();
    for name in names {
        let Some(kind) = EncoderKind::parse(name) else {
            bail!("--encoders {name}: not an encoder kind (cpu, nvenc)");
        };
        if kind == EncoderKind::Nvenc {
            if let Err(err) = reel_media::probe_encoder("h264_nvenc") {
                bail!(
                    "--encoders nvenc: NVENC does not work on this machine ({err}); GPU \
                     workers need an NVIDIA GPU, its driver and an NVENC-enabled FFmpeg"
                );
            }
        }
        offers.push(kind);
    }
    Ok(offers)
}

/// Queue or storage errors in a row: a worker rides out a short outage (the
/// SDK has already retried each call) and gives up on a long one.
#[derive(Debug, Default)]
pub(crate) struct Outage {
    since: Option<Instant>,
}

/// How long errors in a row may last before the process exits.
const OUTAGE_LIMIT: Duration = Duration::from_secs(120);

impl Outage {
    pub fn clear(&mut self) {
        self.since = None;
    }

    /// Logs `err` and waits a little; `Err` once errors have lasted too long.
    pub fn failed(&mut self, err: &anyhow::Error, global: &GlobalArgs) -> Result<()> {
        let since = *self.since.get_or_insert_with(Instant::now);
        if since.elapsed() > OUTAGE_LIMIT {
            bail!(
                "giving up after {} s of errors: {}",
                OUTAGE_LIMIT.as_secs(),
                crate::one_line(err)
            );
        }
        log(
            global,
            &format!("warning: {}; trying again", crate::one_line(err)),
        );
        std::thread::sleep(Duration::from_secs(2));
        Ok(())
    }
}

fn log(global: &GlobalArgs, line: &str) {
    if !global.quiet {
        eprintln!("{line}");
    }
}
