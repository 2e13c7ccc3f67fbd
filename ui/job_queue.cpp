#include "ui/job_queue.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>

namespace amalgam {
namespace {

bool over(const std::string& state) { return state == "finished" || state == "failed" || state == "cancelled"; }

QStringList toQt(const std::vector<std::string>& words) {
    QStringList out;
    for (const auto& w : words) out << QString::fromStdString(w);
    return out;
}

}  // namespace

JobQueue::JobQueue(QObject* parent) : QObject(parent), worker_(defaultWorker()) {}

JobQueue::~JobQueue() { detach(); }

QString JobQueue::defaultWorker() { return QDir(QCoreApplication::applicationDirPath()).filePath("amalgam-cli"); }

void JobQueue::attach(const QString& workspacePath) {
    detach();
    workspacePath_ = workspacePath;
    workspace_ = std::make_unique<Workspace>(workspacePath.toStdString());
    rows_ = workspace_->jobs();
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].state == "running") requeue(i);  // the window closed under it
    emit rowsReset();
    startNext();
}

void JobQueue::detach() {
    if (process_) {
        const int row = runningRow();
        process_->disconnect(this);
        process_->kill();
        process_->waitForFinished(3000);
        delete process_;
        process_ = nullptr;
        if (row >= 0) requeue(static_cast<std::size_t>(row));
        runningId_ = 0;
    }
    workspace_.reset();
    rows_.clear();
    emit rowsReset();
}

std::int64_t JobQueue::enqueue(const QString& label, const QStringList& arguments) {
    std::vector<std::string> words;
    for (const QString& a : arguments) words.push_back(a.toStdString());
    Workspace::JobRow row;
    row.id = workspace_->add_job(label.toStdString(), words);
    row.label = label.toStdString();
    row.arguments = words;
    rows_.push_back(row);
    emit rowsReset();
    startNext();
    return row.id;
}

void JobQueue::cancel(std::int64_t id) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].id != id || over(rows_[i].state)) continue;
        if (id == runningId_ && process_) {
            cancelling_ = true;
            process_->terminate();
            return;
        }
        rows_[i].state = "cancelled";
        store(i);
        emit rowChanged(static_cast<int>(i));
        emit jobEnded(id, "cancelled", toQt(rows_[i].arguments));
    }
}

bool JobQueue::busy() const {
    for (const auto& r : rows_)
        if (!over(r.state)) return true;
    return false;
}

int JobQueue::runningRow() const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == runningId_) return static_cast<int>(i);
    return -1;
}

void JobQueue::startNext() {
    if (process_ || !workspace_) return;
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        if (rows_[i].state != "queued") continue;
        Workspace::JobRow& job = rows_[i];
        job.state = "running";
        job.progress = 0;
        job.error.clear();
        store(i);
        emit rowChanged(static_cast<int>(i));
        runningId_ = job.id;
        cancelling_ = false;
        pending_.clear();
        process_ = new QProcess(this);
        connect(process_, &QProcess::readyReadStandardOutput, this, &JobQueue::readOutput);
        connect(process_, &QProcess::readyReadStandardError, this, [this] {
            const int row = runningRow();
            if (row >= 0) rows_[row].log += process_->readAllStandardError().toStdString();
            emit rowChanged(row);
        });
        connect(process_, &QProcess::finished, this, &JobQueue::ended);
        connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart) ended(-1, QProcess::CrashExit);
        });
        job.log += "$ amalgam-cli " + toQt(job.arguments).join(' ').toStdString() + "\n";
        process_->start(worker_, toQt(job.arguments));
        return;
    }
}

void JobQueue::readOutput() {
    const int row = runningRow();
    pending_ += process_->readAllStandardOutput();
    for (int end; (end = pending_.indexOf('\n')) >= 0;) {
        const QByteArray line = pending_.left(end);
        pending_.remove(0, end + 1);
        const QJsonObject progress = QJsonDocument::fromJson(line).object().value("progress").toObject();
        if (row < 0) continue;
        if (progress.isEmpty()) {
            rows_[row].log += line.toStdString() + "\n";
        } else {
            const double total = progress.value("total").toDouble();
            rows_[row].stage = progress.value("stage").toString().toStdString();
            rows_[row].progress = total > 0 ? progress.value("done").toDouble() / total : 1.0;
        }
    }
    if (row >= 0) emit rowChanged(row);
}

void JobQueue::ended(int exitCode, QProcess::ExitStatus status) {
    const int row = runningRow();
    QProcess* process = process_;
    process_ = nullptr;
    runningId_ = 0;
    if (row >= 0) {
        Workspace::JobRow& job = rows_[row];
        job.log += process->readAllStandardError().toStdString();
        if (cancelling_) {
            job.state = "cancelled";
        } else if (status == QProcess::NormalExit && exitCode == 0) {
            job.state = "finished";
            job.progress = 1;
        } else {
            job.state = "failed";
            // The worker's last line on stderr says why; a worker that did not start says nothing.
            const QStringList lines = QString::fromStdString(job.log).split('\n', Qt::SkipEmptyParts);
            job.error = process->error() == QProcess::FailedToStart
                            ? QString("cannot start %1: %2").arg(worker_, process->errorString()).toStdString()
                            : (lines.isEmpty() ? QString("exit status %1").arg(exitCode) : lines.last()).toStdString();
        }
        store(static_cast<std::size_t>(row));
        emit rowChanged(row);
        emit jobEnded(job.id, QString::fromStdString(job.state), toQt(job.arguments));
    }
    process->deleteLater();
    startNext();
}

void JobQueue::store(std::size_t row) { workspace_->update_job(rows_[row]); }

void JobQueue::requeue(std::size_t row) {
    rows_[row].state = "queued";
    rows_[row].log += "(interrupted when the workbench closed; queued again)\n";
    store(row);
}

}  // namespace amalgam
