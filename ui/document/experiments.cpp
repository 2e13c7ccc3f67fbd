#include "ui/document/experiments.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStringList>
#include <QUndoStack>

#include "core/recipe/yaml_json.h"
#include "core/util/atomic_file.h"
#include "core/util/data_home.h"
#include "core/util/sha256.h"
#include "ui/commands/job_commands.h"
#include "ui/jobs/job_queue.h"

namespace amalgam {
namespace {

const char* kDataKey = "dtrain_file";
const char* kDataRecipeKey = "dtrain_recipe";
const char* kEvalDataKey = "eval_data";

bool isEvalLine(const MetricsLine& line) {
    for (auto it = line.begin(); it != line.end(); ++it)
        if (it.key().startsWith("eval/")) return true;
    return false;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

/** A run of `amalgam-cli train --workspace` has no job here to stop or queue again. */
void refuseCommandLineRun(const Workspace::RunRow& run) {
    if (!run.job_id)
        throw std::invalid_argument(run.label + " was trained on the command line: stop it there, or continue it with amalgam-cli train "
                                    "CONFIG --out " + run.dir + " --resume");
}

}  // namespace

Experiments::Experiments(JobQueue& jobs, QUndoStack& undo, QObject* parent) : QObject(parent), jobs_(jobs), undo_(undo) {
    connect(&jobs_, &JobQueue::metricsReported, this, [this](std::int64_t job, const QJsonObject& line) {
        if (auto run = runOfJob(job)) append(*run, line);
    });
    connect(&jobs_, &JobQueue::rowChanged, this, [this](int row) {
        if (row < 0 || static_cast<std::size_t>(row) >= jobs_.rows().size()) return;
        if (auto run = runOfJob(jobs_.rows()[static_cast<std::size_t>(row)].id)) emit runProgressed(*run);
    });
    connect(&jobs_, &JobQueue::rowsReset, this, &Experiments::runsChanged);
    connect(&jobs_, &JobQueue::polled, this, &Experiments::follow);
    connect(&jobs_, &JobQueue::jobStarted, this, [this](std::int64_t job) {
        if (runOfJob(job)) emit runsChanged();
    });
    connect(&jobs_, &JobQueue::jobEnded, this, [this](std::int64_t job, JobState state, const WorkerJob& work) {
        if (state == JobState::Finished && work.kind == JobKind::Evaluate) noticeResults();
        if (auto run = runOfJob(job)) {
            if (const auto* r = this->run(*run)) readMetrics(*r);  // the file is the record; the stream may have missed the end
            emit runsChanged();
        }
    });
}

void Experiments::attach(Workspace* workspace, const QString& path) {
    workspace_ = workspace;
    path_ = path;
    reload();
}

void Experiments::reload() {
    runs_ = workspace_ ? workspace_->runs() : std::vector<Workspace::RunRow>{};
    metrics_.clear();
    metricsBytes_.clear();
    plannedSteps_.clear();
    seenResults_ = storedResults();
    for (const auto& run : runs_) {
        readMetrics(run);
        plan(run);
    }
    emit runsChanged();
}

void Experiments::follow(bool othersWrote) {
    if (!workspace_) return;
    if (othersWrote) {
        bool added = false;
        for (const auto& stored : workspace_->runs())
            if (!run(stored.id)) {
                runs_.push_back(stored);
                readMetrics(stored);
                plan(stored);
                added = true;
            }
        if (added) emit runsChanged();
        noticeResults();
    }
    // A run this process does not stream (the command line's, another workbench's) grows in its file.
    for (const auto& r : runs_) {
        if (r.job_id && jobs_.runsHere(*r.job_id)) continue;
        if (QFileInfo(QDir(q(r.dir)).filePath("metrics.jsonl")).size() != metricsBytes_[r.id]) readMetrics(r);
    }
}

void Experiments::noticeResults() {
    auto stored = storedResults();
    if (stored == seenResults_) return;
    seenResults_ = std::move(stored);
    emit resultsChanged();
}

std::vector<std::pair<std::int64_t, std::string>> Experiments::storedResults() const {
    std::vector<std::pair<std::int64_t, std::string>> stored;
    if (workspace_)
        for (auto& row : workspace_->eval_results()) stored.emplace_back(row.id, std::move(row.metrics_json));
    return stored;
}

void Experiments::readMetrics(const Workspace::RunRow& run) {
    std::vector<MetricsLine>& lines = metrics_[run.id];
    lines.clear();
    QFile file(QDir(q(run.dir)).filePath("metrics.jsonl"));
    metricsBytes_[run.id] = file.size();
    if (file.open(QIODevice::ReadOnly))
        while (!file.atEnd()) {
            const QJsonObject line = QJsonDocument::fromJson(file.readLine()).object();
            if (!line.isEmpty()) lines.push_back(line);
        }
    emit metricsAppended(run.id);
}

void Experiments::append(std::int64_t run, const MetricsLine& line) {
    // A resumed run logs again from its checkpoint: what came after it is gone from the file too.
    std::vector<MetricsLine>& lines = metrics_[run];
    const double step = line.value("step").toDouble();
    const bool eval = isEvalLine(line);
    lines.erase(std::remove_if(lines.begin(), lines.end(),
                               [&](const MetricsLine& l) { return isEvalLine(l) == eval && l.value("step").toDouble() >= step; }),
                lines.end());
    lines.push_back(line);
    emit metricsAppended(run);
    if (eval) noticeResults();  // the worker stored the evaluation before it logged the line
}

std::optional<std::int64_t> Experiments::runOfJob(std::int64_t job) const {
    for (const auto& run : runs_)
        if (run.job_id == job) return run.id;
    return std::nullopt;
}

const Workspace::RunRow* Experiments::run(std::int64_t id) const {
    for (const auto& run : runs_)
        if (run.id == id) return &run;
    return nullptr;
}

const JobQueue::Job* Experiments::job(std::int64_t id) const {
    const auto* r = run(id);
    return r && r->job_id ? jobs_.find(*r->job_id) : nullptr;
}

std::optional<JobState> Experiments::state(std::int64_t id) const {
    const auto* j = job(id);
    if (!j) return std::nullopt;
    return j->state;
}

const std::vector<MetricsLine>& Experiments::metrics(std::int64_t run) const {
    static const std::vector<MetricsLine> none;
    auto it = metrics_.find(run);
    return it == metrics_.end() ? none : it->second;
}

std::pair<std::int64_t, std::int64_t> Experiments::steps(std::int64_t id) const {
    std::int64_t step = 0;
    for (const MetricsLine& line : metrics(id)) step = std::max<std::int64_t>(step, line.value("step").toInteger());
    std::int64_t total = 0;
    if (const auto* j = job(id); j && j->stage == "train") total = j->total;
    if (auto it = plannedSteps_.find(id); total == 0 && it != plannedSteps_.end()) total = it->second;
    if (state(id) == JobState::Finished) total = std::max(total, step);
    return {step, total};
}

void Experiments::plan(const Workspace::RunRow& run) {
    try {  // a config of epochs has no step count until its worker reports one
        const auto max = yaml_to_json(run.config, run.dir).value.value("max_steps", nlohmann::json());
        if (max.is_number_integer()) plannedSteps_[run.id] = max.get<std::int64_t>();
    } catch (const std::exception&) {
    }
}

QString Experiments::adapter(std::int64_t id) const {
    const auto* r = run(id);
    if (!r) return {};
    const QString dir = QDir(q(r->dir)).filePath("adapter");
    return QFileInfo::exists(dir + "/adapter_config.json") ? dir : QString();
}

QString Experiments::workspaceDir() const { return QFileInfo(path_).absolutePath(); }

QString Experiments::tinyModel(const QString& arch) {
    const QString dir = QDir(workspaceDir()).filePath("models/tiny-" + arch);
    if (QFileInfo::exists(dir + "/config.json")) return dir;
    for (const auto& job : jobs_.rows())
        if (job.work.kind == JobKind::MakeModel && job.work.option("out") == dir && !ended(job.state)) return dir;
    jobs_.enqueue(tr("Make the built-in tiny %1 model").arg(arch), {JobKind::MakeModel, {{"arch", arch}, {"out", dir}}});
    return dir;
}

std::int64_t Experiments::evaluate(const EvaluationRequest& request) {
    const QString model = request.model.isEmpty() ? tinyModel(request.tinyArch) : request.model;
    const QString out = QDir(workspaceDir()).filePath(QString("results/eval-%1.json").arg(jobs_.rows().size() + 1));
    QJsonObject options = {{"model", model}, {"data", request.data}, {"out", out}, {"device", request.device}, {"dtype", request.dtype}};
    if (!request.adapter.isEmpty()) options["adapter"] = request.adapter;
    if (!request.label.isEmpty()) options["label"] = request.label;
    if (request.limit > 0) options["limit"] = request.limit;
    if (request.run) options["run"] = static_cast<qint64>(*request.run);
    if (request.step) options["step"] = static_cast<qint64>(*request.step);
    workspace_->set_setting(kEvalDataKey, request.data.toStdString());
    const QString name = request.label.isEmpty() ? QFileInfo(model).fileName() : request.label;
    auto* queue = new QueueJobCommand(jobs_, tr("Evaluate %1").arg(name), {JobKind::Evaluate, options}, request.waitsFor);
    undo_.push(queue);
    return queue->job();
}

QString Experiments::evaluationData() const {
    const std::string chosen = workspace_ ? workspace_->setting(kEvalDataKey).value_or("") : "";
    if (!chosen.empty()) return q(chosen);
    const auto fetched = default_data_dir();  // where `amalgam-cli data get` puts the suites
    return std::filesystem::is_directory(fetched / "winobias") ? q(fetched.string()) : QString();
}

QString Experiments::baseModel(const Workspace::RunRow& run) const {
    if (!run.parent_run) {
        try {
            return q(yaml_to_json(run.config, run.dir).value.at("model").get<std::string>());
        } catch (const std::exception&) {
            return {};
        }
    }
    return QDir(workspaceDir()).filePath(QString("models/run-%1-merged").arg(*run.parent_run));
}

TrainConfig Experiments::resolvedConfig(const TrainRequest& request) {
    TrainConfig config = request.config;
    if (config.model.empty()) config.model = QDir(workspaceDir()).filePath("models/tiny-llama").toStdString();
    if (config.data.empty()) config.data = currentData().toStdString();
    config.adapter.clear();
    config.reward.clear();
    if (const auto* parent = request.parent ? run(*request.parent) : nullptr) config.adapter = QDir(q(parent->dir)).filePath("adapter").toStdString();
    if (const auto* reward = request.reward ? run(*request.reward) : nullptr) config.reward = QDir(q(reward->dir)).filePath("adapter").toStdString();
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
    return {JobKind::Train, {{"config", configFile(runDir)}, {"out", runDir}, {"device", request.device}, {"dtype", request.dtype}}};
}

QString Experiments::commandLine(const TrainRequest& request) {
    const QString dir = newRunDir(to_string(request.config.stage));
    return "amalgam-cli " + trainJob(dir, request).arguments(path_).join(' ');
}

TrainConfig Experiments::validated(const TrainRequest& request) {
    TrainConfig config = resolvedConfig(request);
    TrainConfig checked = config;  // a run a pipeline is still to make stands in by name
    if (request.parent && checked.adapter.empty()) checked.adapter = "(the parent run's adapter)";
    if (request.reward && checked.reward.empty()) checked.reward = "(the reward run's adapter)";
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
    const TrainConfig config = validated(request);
    const std::vector<std::int64_t> waits = adapterJobs({request.parent, request.reward});
    if (request.config.model.empty()) tinyModel("llama");

    const QString stage = to_string(config.stage);
    const QString dir = newRunDir(stage);
    QDir().mkpath(QFileInfo(dir).absolutePath());
    const std::string yaml = json_to_yaml(config.to_json());
    write_file_atomically(configFile(dir).toStdString(), yaml);

    Workspace::RunRow row;
    row.label = (request.label.isEmpty() ? QFileInfo(dir).fileName() : request.label).toStdString();
    row.stage = config.stage;
    row.dir = dir.toStdString();
    row.config = yaml;
    row.parent_run = request.parent;
    row.reward_run = request.reward;
    row.data = config.data;
    row.data_sha256 = file_sha256(config.data);
    if (q(config.data) == currentData()) row.recipe = workspace_->setting(kDataRecipeKey).value_or("");
    row.device = request.device.toStdString();
    row.dtype = request.dtype.toStdString();
    row.job_id = jobs_.enqueue(tr("Train %1").arg(q(row.label)), trainJob(dir, request), waits);
    const std::int64_t id = workspace_->add_run(row);
    row.id = id;
    row.created_at = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    runs_.push_back(row);
    metrics_[id];
    plan(row);
    emit runsChanged();
    return id;
}

PipelineRuns Experiments::launchPipeline(const PipelineRequest& request) {
    auto stage = [&](Stage s, std::optional<std::int64_t> parent, std::optional<std::int64_t> reward) {
        TrainRequest r = request.settings;
        if (!r.config.preset.empty() && preset_config(r.config.preset).stage != s) r.config.preset.clear();
        r.config.stage = s;
        // Every policy is evaluated once, after its run: PPO does not evaluate itself on the way.
        r.config.eval_data = s == Stage::Ppo ? std::string() : request.heldOut.toStdString();
        r.parent = parent;
        r.reward = reward;
        r.label.clear();
        return r;
    };
    // Every stage's config is checked first, with stand-ins for the runs still to be made.
    const std::int64_t none = -1;
    validated(stage(Stage::Sft, std::nullopt, std::nullopt));
    if (request.rlhf) {
        validated(stage(Stage::RewardModel, none, std::nullopt));
        validated(stage(Stage::Ppo, none, none));
    }
    if (request.dpo) validated(stage(Stage::Dpo, none, std::nullopt));

    PipelineRuns runs;
    runs.sft = launch(stage(Stage::Sft, std::nullopt, std::nullopt));
    if (request.rlhf) {
        runs.rm = launch(stage(Stage::RewardModel, runs.sft, std::nullopt));
        runs.ppo = launch(stage(Stage::Ppo, runs.sft, runs.rm));
    }
    if (request.dpo) runs.dpo = launch(stage(Stage::Dpo, runs.sft, std::nullopt));
    if (request.evaluationData.isEmpty()) return runs;

    EvaluationRequest base;
    base.model = q(request.settings.config.model);
    base.data = request.evaluationData;
    base.device = request.settings.device;
    base.dtype = request.settings.dtype;
    runs.evaluations.push_back(evaluate(base));
    for (const auto& policy : {std::optional<std::int64_t>(runs.sft), runs.ppo, runs.dpo})
        if (policy) runs.evaluations.push_back(evaluateRun(*policy, request.evaluationData));
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

std::optional<std::int64_t> Experiments::ensureBaseModel(const Workspace::RunRow& run) {
    const QString base = baseModel(run);
    if (!run.parent_run || QFileInfo::exists(base + "/config.json")) return std::nullopt;
    for (const auto& job : jobs_.rows())
        if (job.work.kind == JobKind::Merge && job.work.option("out") == base && !ended(job.state)) return job.id;
    return exportRun(*run.parent_run, base);
}

std::vector<std::int64_t> Experiments::jobsBeforeUsingAdapter(std::int64_t id) {
    std::vector<std::int64_t> waits = adapterJobs({id});
    if (auto merge = ensureBaseModel(*run(id))) waits.push_back(*merge);
    return waits;
}

std::int64_t Experiments::exportRun(std::int64_t id, const QString& out) {
    const std::vector<std::int64_t> waits = jobsBeforeUsingAdapter(id);
    const auto& r = *run(id);
    return jobs_.enqueue(tr("Merge %1").arg(q(r.label)), {JobKind::Merge, {{"model", baseModel(r)}, {"adapter", QDir(q(r.dir)).filePath("adapter")}, {"out", out}}},
                         waits);
}

std::int64_t Experiments::evaluateRun(std::int64_t id, const QString& data) {
    EvaluationRequest request;
    request.waitsFor = jobsBeforeUsingAdapter(id);
    const auto& r = *run(id);
    request.model = baseModel(r);
    request.adapter = QDir(q(r.dir)).filePath("adapter");
    request.data = data;
    request.label = q(r.label);
    request.device = q(r.device);
    request.dtype = q(r.dtype);
    request.run = id;
    // A run still to finish is evaluated at its last step.
    const auto [step, total] = steps(id);
    if (const std::int64_t at = adapter(id).isEmpty() ? total : step; at > 0) request.step = at;
    return evaluate(request);
}

std::int64_t Experiments::answerRun(std::int64_t id, const QString& prompts) {
    const std::vector<std::int64_t> waits = jobsBeforeUsingAdapter(id);
    const auto& r = *run(id);
    const std::string prompt_template = yaml_to_json(r.config, r.dir).value.value("template", TrainConfig{}.prompt_template);
    return jobs_.enqueue(tr("Answers of %1").arg(q(r.label)),
                         {JobKind::Generate,
                          {{"model", baseModel(r)},
                           {"adapter", QDir(q(r.dir)).filePath("adapter")},
                           {"data", prompts},
                           {"template", q(prompt_template)},
                           {"out", answersFile(id)},
                           {"device", q(r.device)},
                           {"dtype", q(r.dtype)}}},
                         waits);
}

QString Experiments::answersFile(std::int64_t id) const {
    const auto* r = run(id);
    return r ? QDir(q(r->dir)).filePath("answers.jsonl") : QString();
}

QString Experiments::lineage(std::int64_t id) const {
    QStringList chain;
    for (const auto* r = run(id); r; r = r->parent_run ? run(*r->parent_run) : nullptr) {
        QString step = QString("<b>%1</b> (%2)").arg(q(r->label).toHtmlEscaped(), QString(to_string(r->stage)).toUpper());
        if (const auto* reward = r->reward_run ? run(*r->reward_run) : nullptr)
            step += tr(" rewarded by <b>%1</b>").arg(q(reward->label).toHtmlEscaped());
        chain << step;
        if (!r->parent_run)
            chain << tr("%1 on %2 (sha256 %3%4)")
                         .arg(baseModel(*r).section('/', -1).toHtmlEscaped(), q(r->data).section('/', -2).toHtmlEscaped(),
                              q(r->data_sha256.substr(0, 12)),
                              r->recipe.empty() ? tr(", a file chosen by hand") : tr(", D_train of the workspace's recipe"));
    }
    return chain.join(" \u2190 ");
}

void Experiments::setCurrentData(const QString& file, const QString& recipe) {
    workspace_->set_setting(kDataKey, file.toStdString());
    workspace_->set_setting(kDataRecipeKey, recipe.toStdString());
}

QString Experiments::currentData() const { return workspace_ ? q(workspace_->setting(kDataKey).value_or("")) : QString(); }

}  // namespace amalgam
