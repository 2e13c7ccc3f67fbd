#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include "core/contract/slurm_script.h"
#include "core/store/job_store.h"
#include "core/store/run_store.h"
#include "core/train/train_config.h"
#include "ui/document/document_types.h"
#include "ui/jobs/job_queue.h"

class QProcess;
class QUndoStack;

namespace amalgam {

class Workspace;

/** An evaluation to queue: a model folder (empty: the built-in tiny model of `tinyArch`), an
 *  optional adapter, the folder of evaluation suites, and the row name in Compare. */
struct EvaluationRequest {
    QString model;
    QString adapter;
    QString data;
    QString label;
    int limit = 0;
    QString tinyArch = "llama";
    Device device = {};
    Precision precision = Precision::Auto;
    std::optional<std::int64_t> run = std::nullopt;  ///< the run whose adapter this is
    std::optional<std::int64_t> step = std::nullopt;
    std::vector<std::int64_t> waitsFor = {};  ///< jobs that make the model or adapter
    bool chatTemplate = false;  ///< contexts as the user's turn of the model's chat template
};

/** A training run to launch: the config (stage, hyperparameters, data; model empty for the
 *  built-in tiny Llama) and the runs it builds on. For RM, DPO and PPO `parent` is the SFT
 *  run whose adapter the base is merged with; for PPO `reward` is the reward model's run. */
struct TrainRequest {
    TrainConfig config;
    std::optional<std::int64_t> parent;
    std::optional<std::int64_t> reward;
    Device device;
    Precision precision = Precision::Auto;
    QString label;  ///< empty: the stage and a number
    std::optional<SlurmRequest> slurm = std::nullopt;  ///< run as a Slurm job with these resources; nullopt: here
};

/** The paper's Table 1 in one action: an SFT run on the data; from it a reward model and PPO
 *  against that, and DPO; then the evaluation of the base model and of every policy, each
 *  once. Every stage takes `settings`
 *  (model, data, LoRA, optimizer, steps, device), its stage aside. */
struct PipelineRequest {
    TrainRequest settings;
    bool rlhf = true;  ///< SFT → RM → PPO
    bool dpo = true;   ///< SFT → DPO
    bool kto = false;  ///< SFT → KTO, on the same data (a pair is a desirable and an undesirable completion)
    bool grpo = false;  ///< SFT → RM → GRPO, the reward model's score as the reward (the RM is PPO's where both are asked)
    QString heldOut;         ///< the held-out file SFT, RM, DPO and KTO evaluate on; may be empty
    QString evaluationData;  ///< the folder of evaluation suites; empty: nothing is evaluated
};

/** What a pipeline queued: its runs and the evaluation jobs. */
struct PipelineRuns {
    std::int64_t sft = 0;
    std::optional<std::int64_t> rm, ppo, grpo, dpo, kto;
    std::vector<std::int64_t> evaluations;
};

/** Work that one step of the undo history queued, as the workspace held it. */
struct QueuedWork {
    std::vector<JobRow> jobs;
    std::vector<RunRow> runs;
};

/** One logged step of a run as metrics.jsonl holds it: train lines carry "loss", evaluation
 *  lines "eval/..." keys. */
using MetricsLine = QJsonObject;

/** The workspace's training runs and evaluations: where their files go, what each run was
 *  made from (lineage), their states (their jobs'), and their metric curves, read from each
 *  run's metrics.jsonl and extended live from the worker. Views ask; they name no files.
 *
 *  Each public call that queues work (an evaluation, a launch, a pipeline, a merge, answers)
 *  is one command on the undo stack: undone while none of its jobs has started, its jobs and
 *  runs leave the workspace; redone, they come back as they were. */
class Experiments : public QObject {
    Q_OBJECT

public:
    Experiments(JobQueue& jobs, QUndoStack& undo, QObject* parent = nullptr);

    /** Points at an open workspace (or none): reads its runs and their curves. */
    void attach(Workspace* workspace, const QString& path);

    /** The built-in tiny model's folder in the workspace, queued for making when absent. */
    QString tinyModel(const QString& arch);
    std::int64_t evaluate(const EvaluationRequest& request);
    /** The folder of evaluation suites the latest evaluation in the queue used, or else the
     *  user's data folder when `amalgam-cli data get` has filled it. */
    QString evaluationData() const;

    /** The config as the run will read it (absolute paths, the parent's adapter, the reward). */
    TrainConfig resolvedConfig(const TrainRequest& request);
    QString configYaml(const TrainRequest& request);
    /** The exact command line the run's worker gets; for a run on Slurm, with the batch
     *  script it submits after it. */
    QString commandLine(const TrainRequest& request);
    /** Writes the config and queues the run, after the runs it starts from when they are still
     *  to finish; returns its id, or throws with why not (a config error names its key). */
    std::int64_t launch(const TrainRequest& request);
    /** Queues every run and evaluation of a pipeline, each after what it needs; nothing is
     *  queued when any stage's config is refused. */
    PipelineRuns launchPipeline(const PipelineRequest& request);

    const std::vector<RunRow>& runs() const { return runs_; }
    /** The stored evaluations, for Compare. */
    StoredEvaluations evaluations() const;
    const RunRow* run(std::int64_t id) const;
    std::optional<JobState> state(std::int64_t run) const;
    /** The Slurm job a run runs as and its state as the worker following it last said
     *  ("Slurm job 812: running"); empty for a run of this machine. */
    QString clusterState(std::int64_t run) const;
    /** The job that runs it, while the queue knows it. */
    const JobQueue::Job* job(std::int64_t run) const;
    const std::vector<MetricsLine>& metrics(std::int64_t run) const;
    /** The run's final adapter folder, or empty before it has one. */
    QString adapter(std::int64_t run) const;
    /** The step the run has reached and the steps it will take (0 when not yet known). */
    std::pair<std::int64_t, std::int64_t> steps(std::int64_t run) const;

    /** Stops the run's job; throws for a run of the command line, which has none here. */
    void cancel(std::int64_t run);
    /** Queues the run's job again, to continue from its last checkpoint; throws as cancel(). */
    void resume(std::int64_t run);
    /** Queues the evaluation of a run's final adapter on `data`, on the model it trained: at
     *  once for a finished run, after it for one still to finish. */
    std::int64_t evaluateRun(std::int64_t run, const QString& data);
    /** Queues the merge of a run's final adapter into its model as a full model folder in `out`. */
    std::int64_t exportRun(std::int64_t run, const QString& out);
    /** Queues the answers of a run's final adapter, on the model it trained, to every prompt of
     *  `prompts` (a file train reads), put through the run's template, into answersFile(run). */
    std::int64_t answerRun(std::int64_t run, const QString& prompts);
    QString answersFile(std::int64_t run) const;

    /** Takes queued work out of the workspace, runs first (their config files too), latest
     *  first; nothing is taken, and nullopt returned, once any of the jobs has started. */
    std::optional<QueuedWork> takeQueued(const std::vector<std::int64_t>& jobs, const std::vector<std::int64_t>& runs);
    /** Puts taken work back as it was: ids, times, configs. */
    void putBack(const QueuedWork& work);

    /** Where a run came from, as rich text: the run, the run it started from (and for PPO its
     *  reward model's run), back to the base model and the data with its hash and recipe. */
    QString lineage(std::int64_t run) const;
    /** The model a run trains: its config's base, merged with the parent's adapter when it has one. */
    QString baseModel(const RunRow& run) const;

    /** The Slurm resources the Train panel asked for last, kept in the workspace. */
    SlurmRequest slurmSettings() const;
    void setSlurmSettings(const SlurmRequest& request);

    /** The D_train file the workbench exported last and the recipe that made it. */
    void setCurrentData(const QString& file, const QString& recipe);
    QString currentData() const;
    /** What a stage trains on by default: for KTO the unpaired.jsonl exported beside D_train
     *  (when there is one), for the others D_train (GRPO and RLOO read its prompts). */
    QString currentData(Stage stage) const;

signals:
    /** Runs were added, or one started, ended or was queued again. */
    void runsChanged();
    /** A run's worker reported progress. */
    void runProgressed(std::int64_t run);
    void metricsAppended(std::int64_t run);
    void resultsChanged();

private:
    void reload();
    /** Takes in what other processes add to the workspace (runs and evaluations of the command
     *  line or of another workbench) and the curves their runs write. */
    void follow(bool othersWrote);
    /** Says resultsChanged when the stored evaluations differ from those seen last. */
    void noticeResults();
    /** Asks squeue, in the background and at most every AMALGAM_SLURM_POLL_SECONDS (10), for
     *  the state of the Slurm jobs of runs no worker here follows (the command line's). */
    void watchCluster();
    std::vector<std::pair<std::int64_t, std::string>> storedResults() const;
    void readMetrics(const RunRow& run);
    /** Runs `queue` as one step of the undo history, named by the text it returns (or as part
     *  of the step already open: a pipeline's launches are one step). */
    void asOneStep(const std::function<QString()>& queue);
    /** Queues a job into the open step. */
    std::int64_t enqueue(const QString& label, const WorkerJob& work, const std::vector<std::int64_t>& waitsFor = {});

    void append(std::int64_t run, const MetricsLine& line);
    std::optional<std::int64_t> runOfJob(std::int64_t job) const;
    /** Queues the merge of a run's parent into the model the run trained on, unless it is there
     *  or queued; returns the merge job to wait for. */
    std::optional<std::int64_t> ensureBaseModel(const RunRow& run);
    /** The jobs to wait for before the final adapters of `runs` exist: those of runs still to
     *  finish. Throws for a run that ended without one. */
    std::vector<std::int64_t> adapterJobs(const std::vector<std::optional<std::int64_t>>& runs) const;
    /** The jobs a use of a run's final adapter waits for: the run's own while it is to finish,
     *  and the merge of its parent into the model it trained on (queued when missing). Throws
     *  as adapterJobs(). */
    std::vector<std::int64_t> jobsBeforeUsingAdapter(std::int64_t run);
    /** Queues, as one undoable step, the work `work` makes of a run, after the jobs its final
     *  adapter waits for; `label` takes the run's label as %1. */
    std::int64_t queueWithAdapter(std::int64_t run, const QString& label, const std::function<WorkerJob(const RunRow&)>& work);
    /** Checks a request as launch() would, before anything is written or queued. */
    TrainConfig validated(const TrainRequest& request);
    QString workspaceDir() const;
    QString newRunDir(const QString& stage) const;
    /** Where a run's final adapter is, or will be. */
    static QString finalAdapter(const RunRow& run);
    /** The config beside its run folder (a run folder holds only what the run writes). */
    static QString configFile(const QString& runDir);
    static WorkerJob trainJob(const QString& runDir, const TrainRequest& request);

    JobQueue& jobs_;
    QUndoStack& undo_;
    Workspace* workspace_ = nullptr;
    QString path_;
    std::vector<RunRow> runs_;
    std::map<std::int64_t, std::vector<MetricsLine>> metrics_;
    std::map<std::int64_t, qint64> metricsBytes_;  ///< run -> the size of its metrics.jsonl when last read
    std::map<std::int64_t, std::pair<QString, QString>> clusterJobs_;  ///< run -> its Slurm job and state, as reported
    QProcess* clusterWatch_ = nullptr;  ///< squeue, while it runs
    QElapsedTimer lastClusterWatch_;
    std::vector<std::pair<std::int64_t, std::string>> seenResults_;  ///< the stored evaluations (id, metrics) seen last
    /** The workspace settings kept here: the D_train exported last and its recipe. */
    static constexpr const char* kDataKey = "dtrain_file";
    static constexpr const char* kDataRecipeKey = "dtrain_recipe";
    static constexpr const char* kSlurmKey = "slurm";

    struct StepIds {
        std::vector<std::int64_t> jobs, runs;
    };
    std::optional<StepIds> step_;  ///< what the open step of the undo history has queued
};

}  // namespace amalgam
