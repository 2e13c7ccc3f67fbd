#include "headless_demo.h"

#include <cstdio>

#include <QApplication>
#include <QTimer>

#include "core/eval/comparison_table.h"
#include "ui/document/experiments.h"
#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"
#include "ui/jobs/job_queue.h"
#include "ui/views/compare_panel.h"
#include "ui/views/main_window.h"

namespace amalgam {

int finishDemoHeadless(MainWindow& window) {
    Workbench& workbench = window.workbench();
    int failures = 0;
    QObject::connect(&workbench.jobs(), &JobQueue::jobEnded, &window, [&](std::int64_t id, JobState state, const WorkerJob&) {
        const JobQueue::Job* job = workbench.jobs().find(id);
        const QString error = job && !job->error.isEmpty() ? ": " + job->error : QString();
        std::printf("%-9s %s%s\n", qPrintable(to_string(state)), job ? qPrintable(job->label) : "", qPrintable(error));
        std::fflush(stdout);
        if (state != JobState::Finished) ++failures;
    });
    QObject::connect(&workbench, &Workbench::failed, &window, [&](const QString& error) {
        std::fprintf(stderr, "amalgam: %s\n", qPrintable(error));
        ++failures;
        QApplication::exit(1);
    });
    ComparePanel& compare = window.compare();
    bool baselineChosen = false;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        const bool trained = workbench.experiments().runs().size() >= 4 && !workbench.jobs().busy() && !workbench.task().running();
        if (!trained || compare.scoring()) return;
        if (!baselineChosen) {
            baselineChosen = true;
            const auto& rows = compare.model().rows();
            for (std::size_t r = 0; r < rows.size(); ++r)
                if (rows[r].label == "tiny-llama") compare.setBaseline(r);
            return;  // scoring the differences
        }
        std::printf("\n%s", comparison_markdown(compare.model().rows(), compare.model().baseline()).c_str());
        QApplication::exit(failures ? 1 : 0);
    });
    poll.start(100);
    return QApplication::exec();
}

}  // namespace amalgam
