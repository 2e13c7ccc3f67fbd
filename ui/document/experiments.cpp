#include "ui/document/experiments.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QStringList>

#include "core/cluster/slurm_jobs.h"
#include "core/contract/worker_messages.h"
#include "core/store/workspace.h"
#include "core/util/data_home.h"
#include "ui/jobs/job_queue.h"

namespace amalgam {
namespace {

bool isEvalLine(const MetricsLine& line) {
    for (auto it = line.begin(); it != line.end(); ++it)
        if (it.key().startsWith("eval/")) return true;
    return false;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

Experiments::Experiments(JobQueue& jobs, QUndoStack& undo, QObject* parent) : QObject(parent), jobs_(jobs), undo_(undo) {
    connect(&jobs_, &JobQueue::metricsReported, this, [this](std::int64_t job, const QJsonObject& line) {
        if (auto run = runOfJob(job)) append(*run, line);
    });
    connect(&jobs_, &JobQueue::rowChanged, this, [this](int row) {
        if (row < 0 || static_cast<std::size_t>(row) >= jobs_.rows().size()) return;
        if (auto run = runOfJob(jobs_.rows()[static_cast<std::size_t>(row)].id)) emit runProgressed(*run);
    });
    connect(&jobs_, &JobQueue::clusterJobReported, this, [this](std::int64_t job, const QString& cluster, const QString& state) {
        if (auto run = runOfJob(job)) {
            clusterJobs_[*run] = {cluster, state};
            emit runProgressed(*run);
        }
    });
    connect(&jobs_, &JobQueue::rowsReset, this, &Experiments::runsChanged);
    connect(&jobs_, &JobQueue::polled, this, &Experiments::follow);
    connect(&jobs_, &JobQueue::jobStarted, this, [this](std::int64_t job) {
        if (runOfJob(job)) emit runsChanged();
    });
    connect(&jobs_, &JobQueue::jobEnded, this, [this](std::int64_t job, JobState state, const WorkerJob& work) {
        if (state == JobState::Finished && kind_of(work) == JobKind::Evaluate) noticeResults();
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
    runs_ = workspace_ ? workspace_->runs().all() : std::vector<RunRow>{};
    metrics_.clear();
    metricsBytes_.clear();
    clusterJobs_.clear();
    seenResults_ = storedResults();
    for (const auto& run : runs_) readMetrics(run);
    emit runsChanged();
}

void Experiments::follow(bool othersWrote) {
    if (!workspace_) return;
    if (othersWrote) {
        bool added = false;
        for (const auto& stored : workspace_->runs().all())
            if (!run(stored.id)) {
                runs_.push_back(stored);
                readMetrics(stored);
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
    watchCluster();
}

void Experiments::watchCluster() {
    if (clusterWatch_ || (lastClusterWatch_.isValid() && lastClusterWatch_.elapsed() < slurm_poll_interval().count())) return;
    std::vector<std::pair<std::int64_t, std::string>> watched;  // run, job
    for (const auto& r : runs_) {
        if (r.cluster_job.empty() || (r.job_id && jobs_.runsHere(*r.job_id))) continue;
        const auto known = clusterJobs_.find(r.id);
        if (known == clusterJobs_.end() || !is_final_slurm_state(known->second.second.toStdString())) watched.emplace_back(r.id, r.cluster_job);
    }
    if (watched.empty()) return;
    lastClusterWatch_.start();
    const std::vector<std::string> command = squeue_states_command();
    QStringList arguments;
    for (std::size_t i = 1; i < command.size(); ++i) arguments << q(command[i]);
    clusterWatch_ = new QProcess(this);
    connect(clusterWatch_, &QProcess::finished, this, [this, watched] {
        std::vector<std::string> jobs;
        for (const auto& [run, job] : watched) jobs.push_back(job);
        const auto states = read_slurm_states(clusterWatch_->readAllStandardOutput().toStdString(), jobs);
        clusterWatch_->deleteLater();
        clusterWatch_ = nullptr;
        for (const auto& [run, job] : watched)
            if (const auto* r = this->run(run); r && r->cluster_job == job && states.count(job)) {  // still this workspace's run
                const auto state = states.find(job);
                clusterJobs_[run] = {q(job), q(state->second)};
                emit runProgressed(run);
            }
    });
    connect(clusterWatch_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart) return;  // no Slurm here: nothing to show
        clusterWatch_->deleteLater();
        clusterWatch_ = nullptr;
    });
    clusterWatch_->start(q(command.front()), arguments);
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
        for (auto& row : workspace_->evaluations().all()) stored.emplace_back(row.id, std::move(row.metrics_json));
    return stored;
}

void Experiments::readMetrics(const RunRow& run) {
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

StoredEvaluations Experiments::evaluations() const { return workspace_ ? stored_evaluations(workspace_->evaluations()) : StoredEvaluations{}; }

const RunRow* Experiments::run(std::int64_t id) const {
    for (const auto& run : runs_)
        if (run.id == id) return &run;
    return nullptr;
}

const JobQueue::Job* Experiments::job(std::int64_t id) const {
    const auto* r = run(id);
    return r && r->job_id ? jobs_.find(*r->job_id) : nullptr;
}

QString Experiments::clusterState(std::int64_t id) const {
    if (const auto reported = clusterJobs_.find(id); reported != clusterJobs_.end())
        return tr("Slurm job %1: %2").arg(reported->second.first, reported->second.second);
    const auto* r = run(id);
    return r && !r->cluster_job.empty() ? tr("Slurm job %1").arg(q(r->cluster_job)) : QString();
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
    if (const auto* j = job(id); j && j->stage == QLatin1String(kTrainingStepsStage)) total = j->total;
    if (const auto* r = run(id); total == 0 && r && r->max_steps) total = *r->max_steps;  // a run of epochs: when its worker says
    if (state(id) == JobState::Finished) total = std::max(total, step);
    return {step, total};
}

QString Experiments::adapter(std::int64_t id) const {
    const auto* r = run(id);
    if (!r) return {};
    const QString dir = finalAdapter(*r);
    return QFileInfo::exists(dir + "/adapter_config.json") ? dir : QString();
}

QString Experiments::finalAdapter(const RunRow& run) { return QDir(q(run.dir)).filePath("adapter"); }

QString Experiments::workspaceDir() const { return QFileInfo(path_).absolutePath(); }

QString Experiments::evaluationData() const {
    const auto& jobs = jobs_.rows();  // the queue's latest evaluation: no setting to keep in step with undo
    for (auto job = jobs.rbegin(); job != jobs.rend(); ++job)
        if (const auto* evaluation = std::get_if<EvaluateJob>(&job->work)) return q(evaluation->data);
    const auto fetched = default_data_dir();  // where `amalgam-cli data get` puts the suites
    return std::filesystem::is_directory(fetched / "winobias") ? q(fetched.string()) : QString();
}

QString Experiments::baseModel(const RunRow& run) const {
    if (!run.parent_run) return q(run.model);
    return QDir(workspaceDir()).filePath(QString("models/run-%1-merged").arg(*run.parent_run));
}

QString Experiments::answersFile(std::int64_t id) const {
    const auto* r = run(id);
    return r ? QDir(q(r->dir)).filePath("answers.jsonl") : QString();
}

QString Experiments::lineage(std::int64_t id) const {
    QStringList chain;
    for (const auto* r = run(id); r; r = r->parent_run ? run(*r->parent_run) : nullptr) {
        QString step = QString("<b>%1</b> (%2)").arg(q(r->label).toHtmlEscaped(), QString(to_string(r->stage)).toUpper());
        if (const QString cluster = clusterState(r->id); !cluster.isEmpty()) step += tr(" as %1").arg(cluster.section(':', 0, 0).toHtmlEscaped());
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

SlurmRequest Experiments::slurmSettings() const {
    const auto stored = workspace_ ? workspace_->settings().get(kSlurmKey) : std::nullopt;
    if (!stored) return {};
    try {
        return slurm_request_from_json(nlohmann::json::parse(*stored));
    } catch (const std::exception&) {
        return {};  // settings an older build wrote differently: the defaults
    }
}

void Experiments::setSlurmSettings(const SlurmRequest& request) {
    if (workspace_) workspace_->settings().set(kSlurmKey, slurm_request_json(request).dump());
}

void Experiments::setCurrentData(const QString& file, const QString& recipe) {
    workspace_->settings().set(kDataKey, file.toStdString());
    workspace_->settings().set(kDataRecipeKey, recipe.toStdString());
}

QString Experiments::currentData() const { return workspace_ ? q(workspace_->settings().get(kDataKey).value_or("")) : QString(); }

QString Experiments::currentData(Stage stage) const {
    const QString pairs = currentData();
    if (stage != Stage::Kto || pairs.isEmpty()) return pairs;
    const QString unpaired = QFileInfo(pairs).dir().filePath("unpaired.jsonl");
    return QFileInfo::exists(unpaired) ? unpaired : pairs;
}

}  // namespace amalgam
