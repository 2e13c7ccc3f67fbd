#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QObject>
#include <QString>

namespace amalgam {

class Progress;

/** Runs one piece of work at a time off the UI thread, with progress and cancel. The work
 *  gets a Progress whose advance() throws once cancel() was called, so core code stops at
 *  its next report. `done` runs on the UI thread afterwards, unless the work threw. */
class BackgroundTask : public QObject {
    Q_OBJECT

public:
    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override;

    using Work = std::function<void(Progress&)>;
    /** Returns false (and starts nothing) while other work runs. */
    bool start(const QString& title, Work work, std::function<void()> done = {});
    void cancel();
    bool running() const { return running_; }
    /** Blocks until the running work has ended; for tests and shutdown. */
    void wait();

signals:
    void started(const QString& title);
    /** The stage now running and the share of the whole work done: over the stages the work
     *  announced, each by its work, or of the stage alone where it announced none. */
    void progressed(const QString& stage, double share);
    /** Empty on success; the reason otherwise ("cancelled" after cancel()). */
    void finished(const QString& error);

private:
    struct Run;
    std::shared_ptr<Run> run_;
    bool running_ = false;
};

}  // namespace amalgam
