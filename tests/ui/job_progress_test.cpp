// A job's progress as the Jobs table shows it: the whole job's share over the stages its
// worker announced, and the time left at the pace kept so far.
#include <gtest/gtest.h>

#include "ui/models/job_table_model.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

const std::vector<Progress::Stage> kPlan = {{"winobias", 8, 20}, {"winogrande", 8, 8}, {"winogender", 12, 12}};

TEST(JobProgress, StagesCountByTheirWork) {
    EXPECT_DOUBLE_EQ(overall_share(kPlan, "winobias", 0.0), 0.0);
    EXPECT_DOUBLE_EQ(overall_share(kPlan, "winobias", 0.5), 10.0 / 40);
    EXPECT_DOUBLE_EQ(overall_share(kPlan, "winogrande", 0.5), 24.0 / 40);
    EXPECT_DOUBLE_EQ(overall_share(kPlan, "winogender", 1.0), 1.0);
    // No plan, or a stage it does not name: the stage's own share.
    EXPECT_DOUBLE_EQ(overall_share({}, "train", 0.25), 0.25);
    EXPECT_DOUBLE_EQ(overall_share(kPlan, "embed", 0.4), 0.4);
}

TEST(JobProgress, TimeLeftFollowsThePaceSoFar) {
    const QDateTime start = QDateTime::fromSecsSinceEpoch(1'000'000, Qt::UTC);
    JobQueue::Job job;
    job.state = JobState::Running;
    job.started = start;
    job.stage = "winogrande";
    job.plan = kPlan;
    job.progress = overall_share(kPlan, "winogrande", 0.5);  // 60% after 30 s: 20 s to go
    EXPECT_DOUBLE_EQ(JobQueue::secondsLeft(job, start.addSecs(30)), 20.0);
    EXPECT_EQ(JobTableModel::progressText(job, start.addSecs(30)), QString::fromUtf8("60% \u00b7 0:20 left"));
    EXPECT_EQ(JobTableModel::stageText(job), "winogrande (2 of 3)");
    job.progress = 0.01;  // too early to tell
    EXPECT_EQ(JobTableModel::progressText(job, start.addSecs(30)), "1%");
    job.progress = 0.5;
    EXPECT_EQ(JobTableModel::progressText(job, start.addSecs(4000)), QString::fromUtf8("50% \u00b7 1:06:40 left"));
    job.state = JobState::Finished;
    EXPECT_EQ(JobTableModel::progressText(job, start.addSecs(4000)), "50%");
}

}  // namespace
}  // namespace amalgam
