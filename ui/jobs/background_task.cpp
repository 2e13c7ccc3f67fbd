#include "ui/jobs/background_task.h"

#include <chrono>
#include <thread>

#include <QMetaObject>
#include <QPointer>

#include "core/util/progress.h"

namespace amalgam {
namespace {

struct Cancelled {};

}  // namespace

/** What the worker thread and the task share; outlives the task if the thread runs late. */
struct BackgroundTask::Run {
    std::atomic<bool> cancel{false};
    std::thread thread;
};

namespace {

/** Forwards core progress to the UI thread, at most 20 times a second. */
class ForwardingProgress final : public Progress {
public:
    ForwardingProgress(QPointer<BackgroundTask> task, const std::atomic<bool>& cancel) : task_(task), cancel_(cancel) {}

    void plan(const std::vector<Stage>& stages) override { plan_ = stages; }
    void start(const std::string& stage, std::size_t total) override {
        stage_ = stage;
        total_ = total;
        post(0, true);
    }
    void advance(std::size_t done) override { post(done, false); }
    void finish() override { post(total_, true); }

private:
    void post(std::size_t done, bool force) {
        if (cancel_) throw Cancelled{};
        auto now = std::chrono::steady_clock::now();
        if (!force && now - last_ < std::chrono::milliseconds(50)) return;
        last_ = now;
        const double share = overall_share(plan_, stage_, total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0);
        QMetaObject::invokeMethod(task_, [task = task_, stage = QString::fromStdString(stage_), share] {
            if (task) emit task->progressed(stage, share);
        }, Qt::QueuedConnection);
    }

    QPointer<BackgroundTask> task_;
    const std::atomic<bool>& cancel_;
    std::vector<Stage> plan_;
    std::string stage_;
    std::size_t total_ = 0;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {}

BackgroundTask::~BackgroundTask() {
    cancel();
    wait();
}

bool BackgroundTask::start(const QString& title, Work work, std::function<void()> done) {
    if (running_) return false;
    wait();  // join the finished thread of the last run
    running_ = true;
    run_ = std::make_shared<Run>();
    emit started(title);
    QPointer<BackgroundTask> self(this);
    run_->thread = std::thread([self, run = run_, work = std::move(work), done = std::move(done)] {
        QString error;
        try {
            ForwardingProgress progress(self, run->cancel);
            work(progress);
        } catch (const Cancelled&) {
            error = tr("cancelled");
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
            if (error.isEmpty()) error = tr("failed");
        }
        QMetaObject::invokeMethod(self, [self, error, done] {
            if (!self) return;
            self->running_ = false;
            if (error.isEmpty() && done) done();
            emit self->finished(error);
        }, Qt::QueuedConnection);
    });
    return true;
}

void BackgroundTask::cancel() {
    if (run_) run_->cancel = true;
}

void BackgroundTask::wait() {
    if (run_ && run_->thread.joinable()) run_->thread.join();
}

}  // namespace amalgam
