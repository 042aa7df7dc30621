//! `reel encode --queue`: plan the job, send its units to an SQS queue for
//! `reel worker` processes, wait until every unit's chunks are in storage (or a
//! unit is given up), then run the fan-in stages here.

use super::encode::{run_job, EncodeArgs, JobMode};
use super::plan::read_plan;
use crate::args::GlobalArgs;
use crate::progress;
use crate::queue_wait::{clear_prefix, given_up, given_up_message};
use anyhow::{bail, Context, Result};
use reel_encode::chunk_path;
use reel_pipeline::{unit_messages, JobPlan, QueueMessage, FAILURES_PREFIX, PLAN_KEY};
use reel_queue::Queue;
use reel_storage::{Storage, StorageUrl};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How often storage is looked at for finished units.
const POLL: Duration = Duration::from_secs(1);

pub(crate) fn run_queued(
    args: &EncodeArgs,
    global: &GlobalArgs,
    queue_url: &str,
) -> Result<ExitCode> {
    let queue = Queue::connect(queue_url)?;
    // Fail before any work when the queue is wrong, and know where dead units go.
    let redrive = queue.redrive()?;
    let quiet = global.quiet || args.json;
    if redrive.is_none() && !quiet {
        eprintln!(
            "warning: queue {queue_url} has no dead-letter queue; workers give a unit up \
             after their --max-attempts"
        );
    }
    let code = run_job(args, global, JobMode::Dispatch)?;
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let root =
        StorageUrl::parse(&args.output).with_context(|| format!("output {}", args.output))?;
    let plan_url = root.join(PLAN_KEY)?.to_string();
    let (plan, root, storage) = read_plan(&plan_url, global)?;
    // Records of an earlier run's failed units: a rerun tries them again.
    clear_prefix(&storage, &root.join(FAILURES_PREFIX)?)?;
    let done = finished_chunks(&storage, &root, &plan)?;
    let mut sent = 0;
    for mut message in unit_messages(&plan, &plan_url, args.queue_unit.grain()) {
        message
            .rungs
            .retain(|rung| !done.contains(&(rung.clone(), message.index)));
        if message.rungs.is_empty() {
            continue;
        }
        queue
            .send(&message.to_body(), Duration::ZERO)
            .with_context(|| format!("sending unit {} of {plan_url}", message.index))?;
        sent += 1;
    }
    if args.json {
        let event = serde_json::json!({
            "event": "dispatched",
            "queue": queue_url,
            "plan": plan_url,
            "messages": sent,
            "units": plan.units.len(),
        });
        println!("{event}");
    } else if !global.quiet {
        eprintln!(
            "queue {queue_url}: sent {sent} unit messages ({} units of {} rungs, {} chunks \
             already stored); waiting for `reel worker --queue {queue_url}`",
            plan.units.len(),
            plan.rungs.len(),
            done.len()
        );
    }
    wait_for_units(&storage, &root, &plan, quiet)?;
    run_job(
        args,
        global,
        JobMode::Assemble {
            encoder_threads: plan.encoder_threads,
        },
    )
}

/// `(rung, unit)` of every chunk whose record (its commit marker) is stored.
fn finished_chunks(
    storage: &Storage,
    root: &StorageUrl,
    plan: &JobPlan,
) -> Result<BTreeSet<(String, usize)>> {
    let mut done = BTreeSet::new();
    for rung in &plan.rungs {
        let dir = root.join(&format!("chunks/{}/", rung.name))?;
        let listed: BTreeSet<String> = storage
            .list(&dir)
            .with_context(|| format!("listing {dir}"))?
            .into_iter()
            .map(|o| o.url.to_string())
            .collect();
        for unit in &plan.units {
            let record = chunk_path(Path::new(""), &rung.name, unit.index).with_extension("json");
            if listed.contains(&root.join(&record.to_string_lossy())?.to_string()) {
                done.insert((rung.name.clone(), unit.index));
            }
        }
    }
    Ok(done)
}

fn wait_for_units(storage: &Storage, root: &StorageUrl, plan: &JobPlan, quiet: bool) -> Result<()> {
    let total = plan.units.len() * plan.rungs.len();
    let meter = progress::meter(quiet, "queued units");
    meter.step("chunks", "chunks", total as u64);
    let started = Instant::now();
    loop {
        let done = finished_chunks(storage, root, plan)?;
        let frames: u64 = done
            .iter()
            .filter_map(|(_, i)| plan.units.get(*i))
            .map(|u| u.frame_count)
            .sum();
        meter.set_done(done.len() as u64, frames);
        if done.len() == total {
            meter.finish();
            if !quiet {
                eprintln!(
                    "queued units: {total} chunks done by workers in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            return Ok(());
        }
        let failures = root.join(FAILURES_PREFIX)?;
        if let Some(failure) = given_up(storage, &failures)? {
            meter.finish();
            let frames = plan.units.get(failure.index).map_or_else(String::new, |u| {
                format!("{}..{}", u.start_frame, u.start_frame + u.frame_count)
            });
            let what = format!(
                "unit {} (frames {frames}; rungs {})",
                failure.index,
                failure.rungs.join(", ")
            );
            bail!("{}", given_up_message(&what, &failure));
        }
        std::thread::sleep(POLL);
    }
}
