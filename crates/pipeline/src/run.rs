//! Running a job: claim the output with `job.json`, skip the stages that
//! are finished, run the rest in order, record how each went.

use crate::error::{Error, Result};
use crate::job::{job_id, JobManifest, SourceRecord, StageRecord, JOB_SCHEMA_VERSION};
use crate::settings::JobSettings;
use crate::stage::Stage;
use crate::verify::unfinished;
use reel_core::manifest::rfc3339;
use reel_storage::{Storage, StorageUrl};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

/// Runs one stage of the job to completion, its manifest written last.
pub trait StageRunner {
    /// # Errors
    /// The stage's failure, in words that name the input and the problem.
    fn run(&mut self, stage: Stage) -> std::result::Result<(), String>;
}

/// What a job is doing, for a progress display or `--json` consumers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The job starts; `resumed` when the output already held it.
    Job {
        job_id: String,
        resumed: bool,
        stages: usize,
    },
    /// A stage found finished and verified.
    StageKept { stage: Stage, index: usize },
    /// A stage starts; `reason` says why it runs.
    StageStarted {
        stage: Stage,
        index: usize,
        reason: String,
    },
    StageFinished {
        stage: Stage,
        index: usize,
        wall_s: f64,
    },
    /// Every stage is finished.
    JobFinished { job_id: String, wall_s: f64 },
}

/// One job at one output root.
#[derive(Debug)]
pub struct Pipeline {
    storage: Storage,
    root: StorageUrl,
    job: JobManifest,
    resumed: bool,
}

impl Pipeline {
    /// Claims `root` for the job of `source` and `settings`: reads an
    /// existing `job.json` (the same job resumes; another is refused,
    /// nothing touched) and writes this run's.
    ///
    /// # Errors
    /// [`Error::OtherJob`] when `root` holds another job, [`Error::Manifest`]
    /// for an unreadable `job.json`, storage errors.
    pub fn open(
        storage: Storage,
        root: StorageUrl,
        source: SourceRecord,
        settings: JobSettings,
        versions: BTreeMap<String, String>,
    ) -> Result<Pipeline> {
        let id = job_id(&source.sha256, &settings);
        let url = root.join("job.json")?;
        let resumed = match storage.get_bytes(&url) {
            Ok(bytes) => {
                let old: JobManifest =
                    serde_json::from_slice(&bytes).map_err(|e| Error::Manifest {
                        url: url.to_string(),
                        reason: format!("not a job manifest ({e})"),
                    })?;
                if old.job_id != id {
                    let why = if old.source.sha256 != source.sha256 {
                        format!("source {}", old.source.url)
                    } else {
                        "the same source with other settings".to_string()
                    };
                    return Err(Error::OtherJob {
                        root: root.to_string(),
                        existing: old.job_id,
                        wanted: id,
                        why,
                    });
                }
                true
            }
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(e.into()),
        };
        let stages = Stage::ALL
            .iter()
            .map(|s| StageRecord {
                stage: s.name().into(),
                manifest: s.manifest_key().into(),
                state: if *s == Stage::Validate && !settings.validate {
                    "off".into()
                } else {
                    "pending".into()
                },
                wall_s: None,
            })
            .collect();
        let job = JobManifest {
            schema_version: JOB_SCHEMA_VERSION,
            job_id: id,
            source,
            settings,
            versions,
            started: rfc3339(SystemTime::now()),
            finished: None,
            stages,
        };
        let pipeline = Pipeline {
            storage,
            root,
            job,
            resumed,
        };
        pipeline.write_job()?;
        Ok(pipeline)
    }

    pub fn job(&self) -> &JobManifest {
        &self.job
    }

    /// The stages this job runs, in order.
    pub fn stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|s| *s != Stage::Validate || self.job.settings.validate)
            .collect()
    }

    /// Runs every unfinished stage in order with `runner`, telling
    /// `on_event`. A stage after one that ran runs too: its inputs changed.
    ///
    /// # Errors
    /// [`Error::Stage`] with the stage's message; storage errors. Finished
    /// stages stay finished, so a rerun after the fault continues from the
    /// stage that failed.
    pub fn run(
        &mut self,
        runner: &mut dyn StageRunner,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<&JobManifest> {
        self.run_stages(self.stages(), runner, on_event)
    }

    /// Like [`Pipeline::run`], but stops after `last` (`reel plan` runs the
    /// job through its ladder; the later stages run elsewhere and after).
    /// The job is not marked finished.
    pub fn run_through(
        &mut self,
        last: Stage,
        runner: &mut dyn StageRunner,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<&JobManifest> {
        let mut stages = self.stages();
        if let Some(at) = stages.iter().position(|s| *s == last) {
            stages.truncate(at + 1);
        }
        self.run_stages(stages, runner, on_event)
    }

    fn run_stages(
        &mut self,
        stages: Vec<Stage>,
        runner: &mut dyn StageRunner,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<&JobManifest> {
        let started = Instant::now();
        let whole = stages.len() == self.stages().len();
        on_event(&Event::Job {
            job_id: self.job.job_id.clone(),
            resumed: self.resumed,
            stages: stages.len(),
        });
        let mut upstream_ran = false;
        for (index, stage) in stages.into_iter().enumerate() {
            let reason = if upstream_ran {
                Some("an earlier stage has just run".to_string())
            } else {
                unfinished(
                    &self.storage,
                    &self.root,
                    stage,
                    &self.job.source,
                    &self.job.settings,
                )?
            };
            let Some(reason) = reason else {
                self.record(stage, "kept", None)?;
                on_event(&Event::StageKept { stage, index });
                continue;
            };
            on_event(&Event::StageStarted {
                stage,
                index,
                reason,
            });
            let t = Instant::now();
            runner.run(stage).map_err(|message| Error::Stage {
                stage: stage.name(),
                message,
            })?;
            let wall_s = t.elapsed().as_secs_f64();
            upstream_ran = true;
            self.record(stage, "done", Some(wall_s))?;
            on_event(&Event::StageFinished {
                stage,
                index,
                wall_s,
            });
        }
        if whole {
            self.job.finished = Some(rfc3339(SystemTime::now()));
        }
        self.write_job()?;
        on_event(&Event::JobFinished {
            job_id: self.job.job_id.clone(),
            wall_s: started.elapsed().as_secs_f64(),
        });
        Ok(&self.job)
    }

    fn record(&mut self, stage: Stage, state: &str, wall_s: Option<f64>) -> Result<()> {
        if let Some(r) = self.job.stages.iter_mut().find(|r| r.stage == stage.name()) {
            r.state = state.to_string();
            r.wall_s = wall_s;
        }
        self.write_job()
    }

    fn write_job(&self) -> Result<()> {
        let json = serde_json::to_vec_pretty(&self.job).map_err(|e| Error::Manifest {
            url: "job.json".into(),
            reason: e.to_string(),
        })?;
        self.storage
            .put_bytes(&self.root.join("job.json")?, &json)?;
        Ok(())
    }
}
