//! `reel watch`: S3-triggered processing. Consumes a bucket's event
//! notifications from an SQS queue and runs a job for every new source under a
//! prefix (and with a suffix), its units sent to a work queue when one is given,
//! else encoded here. A message is deleted once its jobs are done; poison (bad
//! JSON, an object that is not a video, an object deleted before processing) is
//! logged and deleted; a job that fails for another reason is retried after a
//! back-off and, past the queue's maxReceiveCount, dead-lettered by SQS.

use super::encode::{EncodeArgs, QueueUnit};
use crate::args::{GlobalArgs, JobSettingsArgs};
use crate::{shutdown, sources};
use anyhow::{Context, Result};
use clap::Args;
use reel_queue::s3_event::{self, Notification, ObjectEvent};
use reel_queue::{run_leased, Delivery, Leased, Queue, Redrive};
use reel_storage::{Storage, StorageUrl};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The SQS queue the bucket's event notifications go to.
    #[arg(long, value_name = "EVENTS_QUEUE_URL")]
    pub queue: String,
    /// Where jobs go: each source s3://BUCKET/PREFIX/NAME.EXT gets
    /// OUTPUT/NAME (its key after --prefix, without the extension).
    #[arg(long, short, value_name = "URL")]
    pub output: String,
    /// Send each job's encode units to this queue for `reel worker`s
    /// [default: encode them in this process].
    #[arg(long, value_name = "QUEUE_URL")]
    pub work_queue: Option<String>,
    /// With --work-queue, what one queued unit encodes (see `reel encode
    /// --queue-unit`).
    #[arg(long, value_enum, default_value_t = QueueUnit::Chunk, value_name = "UNIT")]
    pub queue_unit: QueueUnit,
    /// Only keys under this prefix start jobs.
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// Only keys with one of these endings start jobs (repeat or comma-separate)
    /// [default: any].
    #[arg(long, value_delimiter = ',')]
    pub suffix: Vec<String>,
    #[command(flatten)]
    pub settings: JobSettingsArgs,
    /// Seconds an event stays hidden while its job runs (renewed as it runs).
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub visibility: u64,
    /// Attempts at a failing job, for event queues without a dead-letter queue.
    #[arg(long, default_value_t = 3)]
    pub max_attempts: u32,
    /// Exit after this many seconds without a message [default: never].
    #[arg(long, value_name = "SECONDS")]
    pub idle_exit: Option<u64>,
}

pub fn run(args: &WatchArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let stop = shutdown::stop_flag()?;
    StorageUrl::parse(&args.output).with_context(|| format!("output {}", args.output))?;
    let queue = Queue::connect(&args.queue)?;
    let redrive = queue.redrive()?;
    if let Some(work) = &args.work_queue {
        Queue::connect(work)?.redrive()?;
    }
    log(
        global,
        &format!(
            "watching {} for new objects under {:?}{}; jobs into {}{}",
            args.queue,
            args.prefix,
            if args.suffix.is_empty() {
                String::new()
            } else {
                format!(" ending {}", args.suffix.join(" or "))
            },
            args.output,
            args.work_queue
                .as_ref()
                .map_or(String::new(), |q| format!(", units to {q}"))
        ),
    );
    let visibility = Duration::from_secs(args.visibility.max(5));
    let mut outage = super::worker::Outage::default();
    let mut idle_since = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let wait = match args.idle_exit {
            Some(limit) => {
                let left = Duration::from_secs(limit).saturating_sub(idle_since.elapsed());
                if left.is_zero() {
                    log(global, &format!("idle for {limit} s, exiting"));
                    break;
                }
                left.min(Duration::from_secs(5))
            }
            None => Duration::from_secs(5),
        };
        let delivery = match queue.receive(wait, visibility) {
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
        let redrive = redrive.as_ref();
        match handle(args, &queue, redrive, &delivery, &stop, visibility, global) {
            Ok(true) => {}
            Ok(false) => break,
            // The event comes back after its visibility timeout.
            Err(err) => outage.failed(&err, global)?,
        }
        idle_since = Instant::now();
    }
    log(global, "watch stopped");
    Ok(ExitCode::SUCCESS)
}

/// What became of one event's job.
enum JobEnd {
    Done,
    /// Will never work: logged and dropped.
    Poison(String),
    /// May work later: the event goes back to the queue.
    Retry(String),
}

/// Handles one message; `false` when the watcher was asked to stop.
fn handle(
    args: &WatchArgs,
    queue: &Queue,
    redrive: Option<&Redrive>,
    delivery: &Delivery,
    stop: &AtomicBool,
    visibility: Duration,
    global: &GlobalArgs,
) -> Result<bool> {
    let records = match s3_event::parse(&delivery.body) {
        Ok(Notification::Test { bucket }) => {
            log(
                global,
                &format!("s3:TestEvent from bucket {bucket}: ignored"),
            );
            queue.delete(&delivery.receipt)?;
            return Ok(true);
        }
        Ok(Notification::Records(records)) => records,
        Err(err) => {
            log(
                global,
                &format!(
                    "message {}: {err}; deleted: {}",
                    delivery.message_id,
                    delivery.body.chars().take(200).collect::<String>()
                ),
            );
            queue.delete(&delivery.receipt)?;
            return Ok(true);
        }
    };
    let mut retry = None;
    for event in records.iter().filter(|e| wanted(args, e)) {
        let job = job_args(args, event);
        let (source, output) = (job.source.clone(), job.output.clone());
        log(global, &format!("{}: {source} -> {output}", event.name));
        let job_global = global.clone();
        let outcome = run_leased(
            queue,
            delivery,
            visibility,
            stop,
            |err| eprintln!("warning: {err}"),
            move || super::encode::run(&job, &job_global),
        );
        let result = match outcome {
            Leased::Released => {
                log(
                    global,
                    &format!("stopping; the event for {source} goes back to the queue"),
                );
                return Ok(false);
            }
            Leased::Done(result) => result,
            Leased::Crashed => Err(anyhow::anyhow!(
                "the job crashed (a bug in reel: please report it)"
            )),
        };
        match classify(&source, result, global) {
            JobEnd::Done => log(global, &format!("{source}: job done in {output}")),
            JobEnd::Poison(why) => log(global, &format!("{source}: {why}; event dropped")),
            JobEnd::Retry(why) => {
                log(global, &format!("{source}: {why}"));
                retry = Some(why);
            }
        }
    }
    if retry.is_none() {
        queue.delete(&delivery.receipt)?;
        return Ok(true);
    }
    let max = redrive.map_or(args.max_attempts, |r| r.max_receives);
    if delivery.receive_count >= max && redrive.is_none() {
        log(
            global,
            &format!(
                "message {}: attempt {max} of {max} failed; deleted",
                delivery.message_id
            ),
        );
        queue.delete(&delivery.receipt)?;
    } else {
        // Back off before the next attempt; past maxReceiveCount SQS
        // dead-letters the event instead of delivering it again.
        let back_off = Duration::from_secs(10 * u64::from(delivery.receive_count))
            .min(Duration::from_secs(300));
        queue.set_visibility(&delivery.receipt, back_off)?;
    }
    Ok(true)
}

fn wanted(args: &WatchArgs, event: &ObjectEvent) -> bool {
    event.is_created()
        && event.key.starts_with(&args.prefix)
        && !event.key.ends_with('/')
        && (args.suffix.is_empty() || args.suffix.iter().any(|s| event.key.ends_with(s.as_str())))
}

/// The job for one new object.
fn job_args(args: &WatchArgs, event: &ObjectEvent) -> EncodeArgs {
    let relative = event.key[args.prefix.len()..].trim_start_matches('/');
    let name = match relative.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() && !stem.ends_with('/') => stem,
        _ => relative,
    };
    EncodeArgs {
        source: format!("s3://{}/{}", event.bucket, event.key),
        output: format!("{}/{name}", args.output.trim_end_matches('/')),
        settings: args.settings.clone(),
        work_dir: None,
        json: false,
        queue: args.work_queue.clone(),
        queue_unit: args.queue_unit,
    }
}

/// A finished job (validation failures included: they are recorded), poison,
/// or worth another attempt.
fn classify(source: &str, result: Result<ExitCode>, global: &GlobalArgs) -> JobEnd {
    let err = match result {
        Ok(_) => return JobEnd::Done,
        Err(err) => err,
    };
    let line = crate::one_line(&err);
    let exists = StorageUrl::parse(source).ok().and_then(|url| {
        let storage = Storage::for_url(&url, &sources::storage_options(global)).ok()?;
        storage.exists(&url).ok()
    });
    if exists == Some(false) {
        return JobEnd::Poison(format!("the object was deleted before processing ({line})"));
    }
    // An object that is not a video fails inspection, every time; storage
    // that answers just now rules out an outage as the cause.
    let not_media = exists == Some(true)
        && err.chain().any(|cause| {
            matches!(
                cause.downcast_ref::<reel_pipeline::Error>(),
                Some(reel_pipeline::Error::Stage {
                    stage: "inspect",
                    ..
                })
            )
        });
    if not_media {
        return JobEnd::Poison(format!("not a video source: {line}"));
    }
    JobEnd::Retry(format!("job failed, will retry: {line}"))
}

fn log(global: &GlobalArgs, line: &str) {
    if !global.quiet {
        eprintln!("{line}");
    }
}
