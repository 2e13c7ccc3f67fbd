// Experiments: queueing work (evaluations, launches, pipelines, merges, answers), each call
// one step of the undo history, and taking it out again.
#include "ui/document/experiments.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUndoStack>

#include "core/store/workspace.h"
#include "core/util/yaml_json.h"
#include "core/util/atomic_file.h"
#include "core/util/sha256.h"
#include "ui/commands/queue_work_command.h"
#include "ui/jobs/job_queue.h"

namespace amalgam {
namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

/** A run of `amalgam-cli train --workspace` has no job here to stop or queue again. */
void refuseCommandLineRun(const RunRow& run) {
    if (!run.job_id)
        throw std::invalid_argument(run.label + " was trained on the command line: stop it there, or continue it with amalgam-cli train "
                                    "CONFIG --out " + run.dir + " --resume");
}

}  // namespace

void Experiments::asOneStep(const std::function<QString()>& queue) {
    if (step_) {  // a part of the step already open
        queue();
        return;
    }
    step_.emplace();
    const auto close = [this](const QString& text) {
        const StepIds ids = std::move(*step_);
        step_.reset();
        if (!ids.jobs.empty()) undo_.push(new QueueWorkCommand(*this, text, ids.jobs, ids.runs));
    };
    QString text;
    try {
        text = queue();
    } catch (...) {
        close(tr("Queue work"));  // what was queued before the error can still be taken back
        throw;
    }
    close(text);
}

std::int64_t Experiments::enqueue(const QString& label, const WorkerJob& work, const std::vector<std::int64_t>& waitsFor) {
    const std::int64_t id = jobs_.enqueue(label, work, waitsFor);
    if (step_) step_->jobs.push_back(id);
    return id;
}

std::optional<QueuedWork> Experiments::takeQueued(const std::vector<std::int64_t>& jobs, const std::vector<std::int64_t>& runs) {
    for (const std::int64_t id : jobs)
        if (const auto* job = jobs_.find(id); !job || job->state != JobState::Queued) return std::nullopt;
    QueuedWork taken;
    const std::vector<RunRow> stored = workspace_->runs().all();
    for (auto id = runs.rbegin(); id != runs.rend(); ++id) {
        const auto row = std::find_if(stored.begin(), stored.end(), [&](const RunRow& r) { return r.id == *id; });
        if (row == stored.end()) continue;
        taken.runs.insert(taken.runs.begin(), *row);
        workspace_->runs().remove(*id);
        QFile::remove(configFile(q(row->dir)));
        runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [&](const RunRow& r) { return r.id == *id; }), runs_.end());
        metrics_.erase(*id);
        metricsBytes_.erase(*id);
    }
    for (auto id = jobs.rbegin(); id != jobs.rend(); ++id)
        if (auto row = jobs_.remove(*id)) taken.jobs.insert(taken.jobs.begin(), std::move(*row));
    emit runsChanged();
    return taken;
}

void Experiments::putBack(const QueuedWork& work) {
    for (const auto& job : work.jobs) jobs_.restore(job);
    for (const auto& run : work.runs) {
        write_file_atomically(configFile(q(run.dir)).toStdString(), run.config);
        workspace_->runs().restore(run);
        const auto later = [](std::int64_t id, const RunRow& r) { return id < r.id; };
        runs_.insert(std::upper_bound(runs_.begin(), runs_.end(), run.id, later), run);
        readMetrics(run);
    }
    emit runsChanged();
}

QString Experiments::tinyModel(const QString& arch) {
    const QString dir = QDir(workspaceDir()).filePath("models/tiny-" + arch);
    if (QFileInfo::exists(dir + "/config.json")) return dir;
    for (const auto& job : jobs_.rows())
        if (const auto* make = std::get_if<MakeModelJob>(&job.work); make && q(make->out) == dir && !ended(job.state)) return dir;
    asOneStep([&] {
        const QString label = tr("Make the built-in tiny %1 model").arg(arch);
        enqueue(label, MakeModelJob{arch.toStdString(), dir.toStdString()});
        return tr("Queue %1").arg(label);
    });
    return dir;
}

std::int64_t Experiments::evaluate(const EvaluationRequest& request) {
    std::int64_t job = 0;
    asOneStep([&] {
        const QString model = request.model.isEmpty() ? tinyModel(request.tinyArch) : request.model;
        const QString out = QDir(workspaceDir()).filePath(QString("results/eval-%1.json").arg(jobs_.rows().size() + 1));
        EvaluateJob evaluation{model.toStdString(), request.data.toStdString(), out.toStdString(), request.device, request.precision};
        evaluation.adapter = request.adapter.toStdString();
        evaluation.label = request.label.toStdString();
        evaluation.limit = request.limit;
        evaluation.run = request.run;
        evaluation.step = request.step;
        evaluation.chat_template = request.chatTemplate;
        const QString label = tr("Evaluate %1").arg(request.label.isEmpty() ? QFileInfo(model).fileName() : request.label);
        job = enqueue(label, evaluation, request.waitsFor);
        return tr("Queue %1").arg(label);
    });
    return job;
}

TrainConfig Experiments::resolvedConfig(const TrainRequest& request) {
    TrainConfig config = request.config;
    if (config.model.empty()) config.model = QDir(workspaceDir()).filePath("models/tiny-llama").toStdString();
    if (config.data.empty()) config.data = currentData(config.stage).toStdString();
    config.adapter.clear();
    config.reward.clear();
    if (const auto* parent = request.parent ? run(*request.parent) : nullptr) config.adapter = finalAdapter(*parent).toStdString();
    const auto* reward = request.reward ? run(*request.reward) : nullptr;
    if (reward && config.stage == Stage::Ppo) config.reward = finalAdapter(*reward).toStdString();
    if (request.reward && (config.stage == Stage::Grpo || config.stage == Stage::Rloo)) {  // the reward model first, then the rules
        // A pipeline's reward run still to be made stands in by name while its stages are checked.
        const std::string adapter = reward ? finalAdapter(*reward).toStdString() : "(the reward run's adapter)";
        nlohmann::json rewards = nlohmann::json::array({{{"model", adapter}}});
        for (const auto& rule : reward_specs_json(config.group.rewards))
            if (!rule.contains("model")) rewards.push_back(rule);
        config.group.rewards = read_reward_specs(rewards, std::string(to_string(config.stage)) + ".rewards", "/");
    }
    return config;
}

QString Experiments::configYaml(const TrainRequest& request) { return q(json_to_yaml(resolvedConfig(request).to_json())); }

QString Experiments::newRunDir(const QString& stage) const {
    const QDir runs(QDir(workspaceDir()).filePath("runs"));
    for (int n = static_cast<int>(runs_.size()) + 1;; ++n) {
        const QString dir = runs.filePath(QString("%1-%2").arg(stage).arg(n));
        if (!QFileInfo::exists(dir) && !QFileInfo::exists(configFile(dir))) return dir;
    }
}

QString Experiments::configFile(const QString& runDir) { return runDir + ".yaml"; }

WorkerJob Experiments::trainJob(const QString& runDir, const TrainRequest& request) {
    return TrainJob{configFile(runDir).toStdString(), runDir.toStdString(), request.device, request.precision, request.slurm};
}

QString Experiments::commandLine(const TrainRequest& request) {
    const QString dir = newRunDir(to_string(request.config.stage));
    const QString command = "amalgam-cli " + JobQueue::arguments(trainJob(dir, request), path_).join(' ');
    if (!request.slurm) return command;
    // What submit writes to RUN_DIR/job.sbatch.
    const auto train = submitted_train_arguments(configFile(dir).toStdString(), dir.toStdString(), *request.slurm, request.precision, path_.toStdString());
    return command + "\n\n# " + dir + "/job.sbatch\n" + q(slurm_script(*request.slurm, jobs_.worker().toStdString(), dir.toStdString(), train));
}

TrainConfig Experiments::validated(const TrainRequest& request) {
    TrainConfig config = resolvedConfig(request);
    if ((config.stage == Stage::Grpo || config.stage == Stage::Rloo) && config.group.rewards.empty())
        throw std::invalid_argument(std::string(to_string(config.stage)) + " needs rewards: choose a reward model run, or write rules");
    TrainConfig checked = config;  // a run a pipeline is still to make stands in by name
    if (request.parent && checked.adapter.empty()) checked.adapter = "(the parent run's adapter)";
    if (request.reward && checked.reward.empty() && checked.stage == Stage::Ppo) checked.reward = "(the reward run's adapter)";
    train_config_from_json(checked.to_json(), workspaceDir().toStdString());  // refuses what the worker would
    check_inputs(config);
    if (request.config.stage != Stage::Sft && !request.parent)
        throw std::invalid_argument(std::string(to_string(config.stage)) + " starts from an SFT run: choose one");
    if (request.config.stage == Stage::Ppo && !request.reward) throw std::invalid_argument("PPO needs a reward model run: choose one");
    return config;
}

std::vector<std::int64_t> Experiments::adapterJobs(const std::vector<std::optional<std::int64_t>>& ids) const {
    std::vector<std::int64_t> waits;
    for (const auto& id : ids) {
        if (!id) continue;
        const auto* r = run(*id);
        if (!r) throw std::invalid_argument("no such run");
        if (!adapter(*id).isEmpty()) continue;
        const auto s = state(*id);
        if (!s || ended(*s)) throw std::invalid_argument(r->label + " has no final adapter");
        waits.push_back(*r->job_id);
    }
    return waits;
}

std::int64_t Experiments::launch(const TrainRequest& request) {
    std::int64_t id = 0;
    asOneStep([&] {
        const TrainConfig config = validated(request);
        const std::vector<std::int64_t> waits = adapterJobs({request.parent, request.reward});
        if (request.config.model.empty()) tinyModel("llama");

        const QString stage = to_string(config.stage);
        const QString dir = newRunDir(stage);
        QDir().mkpath(QFileInfo(dir).absolutePath());
        const std::string yaml = json_to_yaml(config.to_json());
        write_file_atomically(configFile(dir).toStdString(), yaml);

        RunRow row;
        row.label = (request.label.isEmpty() ? QFileInfo(dir).fileName() : request.label).toStdString();
        row.stage = config.stage;
        row.dir = dir.toStdString();
        row.config = yaml;
        row.model = config.model;
        row.max_steps = config.max_steps;
        row.prompt_template = config.prompt_template;
        row.parent_run = request.parent;
        row.reward_run = request.reward;
        row.data = config.data;
        row.data_sha256 = file_sha256(config.data);
        if (q(config.data) == currentData() || q(config.data) == currentData(config.stage))
            row.recipe = workspace_->settings().get(kDataRecipeKey).value_or("");
        row.device = request.device;
        row.precision = resolved(request.precision, request.device.kind);
        row.job_id = enqueue(tr("Train %1").arg(q(row.label)), trainJob(dir, request), waits);
        id = workspace_->runs().add(row);
        step_->runs.push_back(id);
        row.id = id;
        row.created_at = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
        runs_.push_back(row);
        readMetrics(row);
        emit runsChanged();
        return tr("Launch %1").arg(q(row.label));
    });
    return id;
}

PipelineRuns Experiments::launchPipeline(const PipelineRequest& request) {
    PipelineRuns runs;
    asOneStep([&] {
        auto stage = [&](Stage s, std::optional<std::int64_t> parent, std::optional<std::int64_t> reward) {
            TrainRequest r = request.settings;
            if (!r.config.preset.empty() && preset_config(r.config.preset).stage != s) r.config.preset.clear();
            r.config.stage = s;
            if (q(r.config.data) == currentData()) r.config.data = currentData(s).toStdString();  // KTO: the unpaired rows
            // Every policy is evaluated once, after its run: PPO and GRPO do not evaluate themselves on the way.
            r.config.eval_data = samples_completions(s) ? std::string() : request.heldOut.toStdString();
            if (s == Stage::Grpo) {  // the panel's batch of prompts, each with its group; completions as long as PPO's longest
                r.config.batch_size *= r.config.group.num_generations;
                r.config.group.max_completion_length = r.config.ppo.max_new_tokens;
            }
            r.parent = parent;
            r.reward = reward;
            r.label.clear();
            return r;
        };
        // Every stage's config is checked first, with stand-ins for the runs still to be made.
        const std::int64_t none = -1;
        validated(stage(Stage::Sft, std::nullopt, std::nullopt));
        const bool reward_model = request.rlhf || request.grpo;
        if (reward_model) validated(stage(Stage::RewardModel, none, std::nullopt));
        if (request.rlhf) validated(stage(Stage::Ppo, none, none));
        if (request.grpo) validated(stage(Stage::Grpo, none, none));
        if (request.dpo) validated(stage(Stage::Dpo, none, std::nullopt));
        if (request.kto) validated(stage(Stage::Kto, none, std::nullopt));

        runs.sft = launch(stage(Stage::Sft, std::nullopt, std::nullopt));
        if (reward_model) runs.rm = launch(stage(Stage::RewardModel, runs.sft, std::nullopt));
        if (request.rlhf) runs.ppo = launch(stage(Stage::Ppo, runs.sft, runs.rm));
        if (request.grpo) runs.grpo = launch(stage(Stage::Grpo, runs.sft, runs.rm));
        if (request.dpo) runs.dpo = launch(stage(Stage::Dpo, runs.sft, std::nullopt));
        if (request.kto) runs.kto = launch(stage(Stage::Kto, runs.sft, std::nullopt));
        const QString text = tr("Launch a pipeline from %1").arg(q(run(runs.sft)->label));
        if (request.evaluationData.isEmpty()) return text;

        EvaluationRequest base;
        base.model = q(request.settings.config.model);
        base.data = request.evaluationData;
        base.device = request.settings.device;
        base.precision = request.settings.precision;
        base.chatTemplate = request.settings.config.prompt_template == "chat";  // asked as its policies will be
        runs.evaluations.push_back(evaluate(base));
        for (const auto& policy : {std::optional<std::int64_t>(runs.sft), runs.ppo, runs.grpo, runs.dpo, runs.kto})
            if (policy) runs.evaluations.push_back(evaluateRun(*policy, request.evaluationData));
        return text;
    });
    return runs;
}


void Experiments::cancel(std::int64_t id) {
    const auto* r = run(id);
    if (!r) return;
    refuseCommandLineRun(*r);
    jobs_.cancel(*r->job_id);
}

void Experiments::resume(std::int64_t id) {
    const auto* r = run(id);
    if (!r) return;
    refuseCommandLineRun(*r);
    jobs_.requeue(*r->job_id);
    emit runsChanged();
}

std::optional<std::int64_t> Experiments::ensureBaseModel(const RunRow& run) {
    const QString base = baseModel(run);
    if (!run.parent_run || QFileInfo::exists(base + "/config.json")) return std::nullopt;
    for (const auto& job : jobs_.rows())
        if (const auto* merge = std::get_if<MergeJob>(&job.work); merge && q(merge->out) == base && !ended(job.state)) return job.id;
    return exportRun(*run.parent_run, base);
}

std::vector<std::int64_t> Experiments::jobsBeforeUsingAdapter(std::int64_t id) {
    std::vector<std::int64_t> waits = adapterJobs({id});
    if (auto merge = ensureBaseModel(*run(id))) waits.push_back(*merge);
    return waits;
}

std::int64_t Experiments::queueWithAdapter(std::int64_t id, const QString& label, const std::function<WorkerJob(const RunRow&)>& work) {
    std::int64_t job = 0;
    asOneStep([&] {
        const std::vector<std::int64_t> waits = jobsBeforeUsingAdapter(id);
        const RunRow& r = *run(id);
        const QString named = label.arg(q(r.label));
        job = enqueue(named, work(r), waits);
        return tr("Queue %1").arg(named);
    });
    return job;
}

std::int64_t Experiments::exportRun(std::int64_t id, const QString& out) {
    return queueWithAdapter(id, tr("Merge %1"), [&](const RunRow& r) {
        return MergeJob{baseModel(r).toStdString(), finalAdapter(r).toStdString(), out.toStdString()};
    });
}

std::int64_t Experiments::evaluateRun(std::int64_t id, const QString& data) {
    std::int64_t job = 0;
    asOneStep([&] {
        EvaluationRequest request;
        request.waitsFor = jobsBeforeUsingAdapter(id);
        const auto& r = *run(id);
        request.model = baseModel(r);
        request.adapter = finalAdapter(r);
        request.data = data;
        request.label = q(r.label);
        request.device = r.device;
        request.precision = r.precision;
        request.run = id;
        request.chatTemplate = r.prompt_template == "chat";  // a chat policy is asked in its own template
        // A run still to finish is evaluated at its last step.
        const auto [step, total] = steps(id);
        if (const std::int64_t at = adapter(id).isEmpty() ? total : step; at > 0) request.step = at;
        job = evaluate(request);
        return tr("Queue Evaluate %1").arg(q(r.label));
    });
    return job;
}

std::int64_t Experiments::answerRun(std::int64_t id, const QString& prompts) {
    return queueWithAdapter(id, tr("Answers of %1"), [&](const RunRow& r) {
        return GenerateJob{baseModel(r).toStdString(), finalAdapter(r).toStdString(), prompts.toStdString(), r.prompt_template,
                           answersFile(id).toStdString(), r.device, r.precision};
    });
}

}  // namespace amalgam
