#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include <QDateTime>
#include <QDialog>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableView>

#include <nlohmann/json.hpp>

#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/document/experiments.h"
#include "ui/document/workbench.h"
#include "ui/jobs/job_queue.h"
#include "ui/models/run_table_model.h"
#include "ui/views/run_curves.h"
#include "ui/views/runs_panel.h"
#include "ui/views/train_panel.h"
#include "ui_test_support.h"

namespace amalgam {
namespace {

using test::qpath;
using test::waitUntil;

/** A workbench on a fresh workspace with the train panel and the runs beside it. */
struct TrainingDesk {
    explicit TrainingDesk(const std::filesystem::path& file) {
        workbench.jobs().setWorker(AMALGAM_CLI);
        EXPECT_EQ(workbench.open(qpath(file)), "");
    }
    Workbench workbench;
    TrainPanel panel{workbench};
    RunsPanel runs{workbench};
    Experiments& experiments() { return workbench.experiments(); }
    std::int64_t finished(std::int64_t run) {
        EXPECT_TRUE(waitUntil([&] { return experiments().state(run) == JobState::Finished || experiments().state(run) == JobState::Failed; }, 120000));
        return run;
    }
    /** A two-step run of `stage` on an example file from the panel, finished. */
    std::int64_t trained(Stage stage, const char* example) {
        panel.setStage(stage);
        panel.setData(qpath(test::examples_dir() / example));
        panel.setSteps(2);
        const auto run = finished(panel.launch());
        EXPECT_EQ(experiments().state(run), JobState::Finished) << experiments().job(run)->log.toStdString();
        return run;
    }
};

TEST(Training, ARunLaunchedFromThePanelStreamsCurvesStopsResumesAndFinishes) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    desk.panel.applyPreset("none");
    desk.panel.setData(qpath(test::examples_dir() / "sft.jsonl"));
    desk.panel.setSteps(120);
    const std::int64_t run = desk.panel.launch();
    ASSERT_GT(run, 0) << desk.panel.message();
    EXPECT_EQ(kind_of(desk.workbench.jobs().rows().front().work), JobKind::MakeModel) << "the built-in model is made first";
    EXPECT_EQ(desk.runs.selectedRuns(), std::vector<std::int64_t>{run});

    // Points arrive while it runs; cancelled, it stops short of the end.
    ASSERT_TRUE(waitUntil([&] { return !desk.runs.curves().pointCounts().empty() && desk.runs.curves().pointCounts()[0] >= 3; }, 120000));
    EXPECT_EQ(desk.runs.curves().metric(), "loss");
    desk.runs.cancelSelected();
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().state(run) == JobState::Cancelled; }));
    EXPECT_LT(desk.experiments().steps(run).first, 120);

    // Resumed, it continues from its checkpoint and reaches the end with one point per logged step.
    desk.runs.resumeSelected();
    desk.finished(run);
    ASSERT_EQ(desk.experiments().state(run), JobState::Finished) << desk.experiments().job(run)->log;
    EXPECT_EQ(desk.experiments().steps(run), (std::pair<std::int64_t, std::int64_t>(120, 120)));
    ASSERT_FALSE(desk.experiments().adapter(run).isEmpty());
    const auto& lines = desk.experiments().metrics(run);
    ASSERT_EQ(lines.size(), 60u) << "log every 2 steps, each once: the lines of the stopped run are written again, not twice";
    for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].value("step").toInt(), 2 * static_cast<int>(i + 1));
    EXPECT_EQ(desk.runs.curves().pointCounts(), std::vector<int>{60});
    const RunTableModel& table = desk.runs.model();
    EXPECT_EQ(table.data(table.index(0, RunTableModel::StepColumn)).toString(), "120 / 120");
    EXPECT_EQ(table.data(table.index(0, RunTableModel::StateColumn)).toString(), "finished");
    const QString started = table.data(table.index(0, RunTableModel::StartedColumn)).toString();
    EXPECT_LT(std::abs(QDateTime::fromString(started, "yyyy-MM-dd HH:mm").secsTo(QDateTime::currentDateTime())), 600) << started;
    EXPECT_TRUE(table.data(table.index(0, RunTableModel::NowColumn)).toString().startsWith("loss ")) << table.data(table.index(0, 4)).toString();
    // Its answers to a file of prompts, each through its template, open in a window once written.
    desk.runs.answerSelected(qpath(test::examples_dir() / "sft.jsonl"));
    ASSERT_TRUE(waitUntil([&] { return !desk.workbench.jobs().busy(); }, 120000));
    const auto& answering = desk.workbench.jobs().rows().back();
    ASSERT_EQ(kind_of(answering.work), JobKind::Generate);
    ASSERT_EQ(answering.state, JobState::Finished) << answering.log;
    EXPECT_EQ(std::get<GenerateJob>(answering.work).prompt_template, "Question: {prompt}\n\nAnswer: {response}");
    const QString answers = desk.runs.answersText(run);
    EXPECT_EQ(answers.count("\u2192 "), 6) << answers;
    EXPECT_TRUE(answers.startsWith("Rewrite the sentence in the passive voice.\n\nThe cat chased the mouse.\n\u2192 ")) << answers;
    QStringList titles;
    for (const QDialog* d : desk.runs.findChildren<QDialog*>()) titles << d->windowTitle();
    EXPECT_EQ(titles, QStringList{"Answers of sft-1"});
    // The README's picture: the panel beside the runs and their curves.
    QSplitter tab;
    tab.addWidget(&desk.panel);
    tab.addWidget(&desk.runs);
    tab.setSizes({460, 980});
    tab.resize(1440, 860);
    tab.show();
    desk.panel.showCommand();
    test::saveScreenshot(tab, "train");
    tab.hide();
    desk.panel.setParent(nullptr);
    desk.runs.setParent(nullptr);
}

TEST(Training, ARewardModelStartsFromTheSftRunAndItsLineageAndEvaluationSayIt) {
    test::TempDir dir;
    {
        TrainingDesk desk(dir / "ws.amalgam");
        desk.panel.setStage(Stage::RewardModel);
        desk.panel.setData(qpath(test::examples_dir() / "pairwise.jsonl"));
        EXPECT_EQ(desk.panel.launch(), 0);
        EXPECT_EQ(desk.panel.message(), "rm starts from an SFT run: choose one");

        desk.panel.setStage(Stage::Sft);
        desk.panel.applyPreset("none");
        desk.panel.setData(qpath(dir / "missing.jsonl"));
        EXPECT_EQ(desk.panel.launch(), 0);
        EXPECT_TRUE(desk.panel.message().endsWith("missing.jsonl: no such file")) << desk.panel.message();

        desk.panel.setData(qpath(test::examples_dir() / "sft.jsonl"));
        desk.panel.setSteps(4);
        desk.panel.setChatTemplate(true);  // the model's own; the tiny Llama has none, so its run keeps the template
        EXPECT_EQ(desk.panel.request().config.prompt_template, "chat");
        EXPECT_TRUE(desk.experiments().configYaml(desk.panel.request()).contains("template: \"chat\"")) << desk.experiments().configYaml(desk.panel.request());
        desk.panel.setChatTemplate(false);
        EXPECT_EQ(desk.panel.request().config.prompt_template, TrainConfig{}.prompt_template);
        const auto sft = desk.finished(desk.panel.launch());
        ASSERT_EQ(desk.experiments().state(sft), JobState::Finished) << desk.experiments().job(sft)->log;

        desk.panel.setStage(Stage::RewardModel);
        desk.panel.applyPreset("none");
        desk.panel.setStage(Stage::RewardModel);
        desk.panel.setData(qpath(test::examples_dir() / "pairwise.jsonl"));
        desk.panel.setSteps(4);
        const TrainRequest request = desk.panel.request();
        ASSERT_EQ(request.parent, sft);
        EXPECT_TRUE(desk.experiments().configYaml(request).contains("adapter: \"" + qpath(dir / "runs/sft-1/adapter") + "\""))
            << desk.experiments().configYaml(request);
        desk.panel.showCommand();
        EXPECT_TRUE(desk.panel.message().startsWith("amalgam-cli train " + qpath(dir / "runs/rm-2.yaml") + " --out " + qpath(dir / "runs/rm-2") +
                                                    " --resume --device cpu --dtype auto --workspace " + qpath(dir / "ws.amalgam") + " --progress json"))
            << desk.panel.message();
        const auto rm = desk.finished(desk.panel.launch());
        ASSERT_EQ(desk.experiments().state(rm), JobState::Finished) << desk.experiments().job(rm)->log;
        desk.runs.table().selectRow(1);
        EXPECT_TRUE(desk.runs.lineage().contains("<b>rm-2</b> (RM) \u2190 <b>sft-1</b> (SFT) \u2190 tiny-llama on examples/sft.jsonl (sha256 "))
            << desk.runs.lineage();
        EXPECT_TRUE(desk.runs.curves().showMetric("accuracy"));

        // PPO against it, evaluated every two steps: each evaluation reaches the workspace as the
        // run's row at its step while the run goes on.
        desk.panel.setStage(Stage::Ppo);
        TrainRequest ppo = desk.panel.request();
        ASSERT_EQ(ppo.reward, rm);
        ppo.config.eval_data = test::examples_dir().string();
        ppo.config.eval_every = 2;
        ppo.config.max_steps = 4;
        ppo.config.batch_size = 4;
        ppo.config.ppo.min_new_tokens = ppo.config.ppo.max_new_tokens = 4;
        ppo.config.ppo.mini_batch = 2;
        ppo.config.ppo.ppo_epochs = 1;
        QSignalSpy resultsChanged(&desk.experiments(), &Experiments::resultsChanged);
        const auto ppoRun = desk.finished(desk.experiments().launch(ppo));
        ASSERT_EQ(desk.experiments().state(ppoRun), JobState::Finished) << desk.experiments().job(ppoRun)->log;
        EXPECT_EQ(resultsChanged.count(), 2);
        const auto byStep = desk.workbench.workspace().evaluations().all();
        ASSERT_EQ(byStep.size(), 2u);
        for (std::size_t i = 0; i < 2; ++i) {
            EXPECT_EQ(byStep[i].run, ppoRun);
            EXPECT_EQ(byStep[i].step, 2 * static_cast<std::int64_t>(i + 1));
            EXPECT_EQ(byStep[i].label, "ppo-3 @ step " + std::to_string(2 * (i + 1)));
        }

        // Evaluating the reward model's adapter merges its SFT parent first: the model it trained on.
        desk.experiments().evaluateRun(rm, qpath(test::examples_dir()));
        ASSERT_TRUE(waitUntil([&] { return !desk.workbench.jobs().busy(); }, 120000));
        for (const auto& job : desk.workbench.jobs().rows()) EXPECT_EQ(job.state, JobState::Finished) << job.label << ": " << job.log;
        EXPECT_EQ(std::get<EvaluateJob>(desk.workbench.jobs().rows().back().work).model, (dir / "models/run-1-merged").string());
    }
    // Reopened: the runs, their curves and the result's run come back.
    Workbench again;
    ASSERT_EQ(again.open(qpath(dir / "ws.amalgam")), "");
    ASSERT_EQ(again.experiments().runs().size(), 3u);
    EXPECT_EQ(again.experiments().runs()[1].parent_run, again.experiments().runs()[0].id);
    EXPECT_EQ(again.experiments().runs()[0].device, Device{});
    EXPECT_EQ(again.experiments().runs()[0].precision, Precision::Float32) << "auto, as the CPU resolves it";
    EXPECT_EQ(again.experiments().metrics(2).size(), 4u);
    EXPECT_EQ(again.experiments().state(2), JobState::Finished);
    const auto results = again.workspace().evaluations().all();
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[2].run, 2);
    EXPECT_EQ(results[2].step, 4);
}

/** The stand-in Slurm of tests/slurm_standin on PATH for the workers, its jobs in `jobs`. */
struct StandInSlurm {
    explicit StandInSlurm(const std::filesystem::path& jobs) : jobs_(jobs), path_(qgetenv("PATH")) {
        std::filesystem::create_directories(jobs);
        qputenv("PATH", qpath(test::source_dir() / "tests" / "slurm_standin").toUtf8() + ":" + path_);
        qputenv("STANDIN_SLURM_JOBS", qpath(jobs).toUtf8());
        qputenv("AMALGAM_SLURM_POLL_SECONDS", "0.1");
    }
    ~StandInSlurm() {  // no job outlives the test, whatever it asserted
        for (const auto& entry : std::filesystem::directory_iterator(jobs_))
            if (entry.path().extension() == ".pid") ::kill(-std::stoi(test::read_text(entry.path())), SIGKILL);
        qputenv("PATH", path_);
        qunsetenv("STANDIN_SLURM_JOBS");
        qunsetenv("AMALGAM_SLURM_POLL_SECONDS");
    }
    std::filesystem::path jobs_;
    QByteArray path_;
};

/** A training desk on a fresh workspace whose panel sends SFT runs on the examples to the stand-in Slurm. */
struct SlurmDesk {
    SlurmDesk() {
        desk.panel.applyPreset("none");
        desk.panel.setData(qpath(test::examples_dir() / "sft.jsonl"));
        desk.panel.setRunOnSlurm(true);
    }
    test::TempDir dir;
    StandInSlurm slurm{dir / "jobs"};
    TrainingDesk desk{dir / "ws.amalgam"};
};

TEST(Training, ARunOnSlurmIsSubmittedFollowedToItsEndAndNamedByItsJob) {
    SlurmDesk slurm;
    TrainingDesk& desk = slurm.desk;
    // The resources the workspace kept are the panel's when it opens.
    SlurmRequest kept;
    kept.time = "0:30:00";
    kept.account = "lab";
    desk.experiments().setSlurmSettings(kept);
    ASSERT_EQ(desk.workbench.open(qpath(slurm.dir / "ws.amalgam")), "");
    desk.panel.setData(qpath(test::examples_dir() / "sft.jsonl"));
    desk.panel.setSteps(4);
    desk.panel.showCommand();
    EXPECT_TRUE(desk.panel.message().startsWith("amalgam-cli submit ")) << desk.panel.message().toStdString();
    EXPECT_TRUE(desk.panel.message().contains("\n#SBATCH --requeue\n")) << "the batch script it submits";
    const std::int64_t run = desk.finished(desk.panel.launch());
    ASSERT_EQ(desk.experiments().state(run), JobState::Finished) << desk.workbench.jobs().rows().back().log.toStdString();
    EXPECT_EQ(desk.experiments().clusterState(run), "Slurm job 7001: completed");
    EXPECT_FALSE(desk.experiments().adapter(run).isEmpty());
    EXPECT_EQ(desk.experiments().steps(run), (std::pair<std::int64_t, std::int64_t>{4, 4}));
    EXPECT_FALSE(desk.experiments().metrics(run).empty()) << "the curve streamed from the run folder";
    EXPECT_TRUE(desk.experiments().lineage(run).contains("as Slurm job 7001")) << desk.experiments().lineage(run).toStdString();
    RunTableModel table(desk.experiments());
    EXPECT_EQ(table.data(table.index(0, RunTableModel::StateColumn)).toString(), "finished (Slurm job 7001: completed)");
    const auto& job = std::get<TrainJob>(desk.experiments().job(run)->work);
    ASSERT_TRUE(job.slurm.has_value());
    EXPECT_EQ(job.slurm->time, "0:30:00");
    EXPECT_EQ(job.slurm->account, "lab");
}

TEST(Training, ASlurmRunLeavesThisMachineFreeAndCancelCancelsItsJob) {
    SlurmDesk slurm;
    TrainingDesk& desk = slurm.desk;
    const std::filesystem::path& dir = slurm.dir.path();
    desk.panel.setSteps(100000);
    const std::int64_t cluster = desk.panel.launch();
    ASSERT_GT(cluster, 0) << desk.panel.message().toStdString();
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().clusterState(cluster) == "Slurm job 7001: running"; }, 60000));
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().steps(cluster).first > 0; }, 60000)) << "its steps stream in";
    // A run on this machine starts and ends while the cluster's job runs.
    desk.panel.setRunOnSlurm(false);
    desk.panel.setSteps(2);
    const std::int64_t local = desk.finished(desk.panel.launch());
    EXPECT_EQ(desk.experiments().state(local), JobState::Finished);
    EXPECT_EQ(desk.experiments().state(cluster), JobState::Running);
    desk.experiments().cancel(cluster);
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().state(cluster) == JobState::Cancelled; }, 60000));
    EXPECT_EQ(test::read_text(dir / "jobs" / "7001"), "CANCELLED\n");
    const std::string slurm_out = (std::filesystem::path(desk.experiments().run(cluster)->dir) / "slurm-7001.out").string();
    EXPECT_TRUE(waitUntil([&] { return test::read_text(slurm_out).find("when asked (checkpointed)") != std::string::npos; }, 60000))
        << "the ranks stopped at a step, checkpointed: " << test::read_text(slurm_out);
    // Resumed: a new job (the cancelled one is not followed again), which takes up the checkpoint.
    desk.experiments().resume(cluster);
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().clusterState(cluster) == "Slurm job 7002: running"; }, 60000));
    EXPECT_EQ(desk.experiments().state(cluster), JobState::Running);
    const std::string resumed_out = (std::filesystem::path(desk.experiments().run(cluster)->dir) / "slurm-7002.out").string();
    EXPECT_TRUE(waitUntil([&] { return test::read_text(resumed_out).find("resuming from " + desk.experiments().run(cluster)->dir + "/checkpoints/step-") != std::string::npos; }, 60000))
        << test::read_text(resumed_out);
    desk.experiments().cancel(cluster);
    EXPECT_TRUE(waitUntil([&] { return desk.experiments().state(cluster) == JobState::Cancelled; }, 60000));
}

TEST(Training, ASlurmRunOfTheCommandLineShowsItsJobsStateAsItChanges) {
    SlurmDesk slurm;
    TrainingDesk& desk = slurm.desk;
    // The command line submits a long run into the workspace, and later cancels it.
    const auto config = slurm.dir / "sft.yaml";
    std::ofstream(config) << "stage: sft\nmodel: " << desk.experiments().tinyModel("llama").toStdString()
                          << "\ndata: " << (test::examples_dir() / "sft.jsonl").string() << "\nmax_steps: 100000\n";
    ASSERT_TRUE(waitUntil([&] { return std::filesystem::exists(desk.experiments().tinyModel("llama").toStdString() + "/config.json"); }, 60000));
    QProcess submit;
    submit.start(AMALGAM_CLI, {"submit", qpath(config), "--out", qpath(slurm.dir / "runs" / "cli"), "--workspace", qpath(slurm.dir / "ws.amalgam")});
    ASSERT_TRUE(submit.waitForFinished(60000)) << submit.readAllStandardError().toStdString();
    ASSERT_EQ(submit.exitCode(), 0) << submit.readAllStandardError().toStdString();
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().runs().size() == 1; }, 30000));
    const std::int64_t run = desk.experiments().runs().front().id;
    EXPECT_TRUE(waitUntil([&] { return desk.experiments().clusterState(run) == "Slurm job 7001: running"; }, 30000))
        << desk.experiments().clusterState(run).toStdString();
    QProcess cancel;
    cancel.start(AMALGAM_CLI, {"cancel", qpath(slurm.dir / "runs" / "cli")});
    ASSERT_TRUE(cancel.waitForFinished(60000) && cancel.exitCode() == 0) << cancel.readAllStandardError().toStdString();
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().clusterState(run) == "Slurm job 7001: cancelled"; }, 60000))
        << desk.experiments().clusterState(run).toStdString();
    RunTableModel table(desk.experiments());
    EXPECT_EQ(table.data(table.index(0, RunTableModel::StateColumn)).toString(), "command line (Slurm job 7001: cancelled)");
}

TEST(Training, AKilledWorkerLeavesTheRunResumable) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    desk.panel.applyPreset("none");
    desk.panel.setData(qpath(test::examples_dir() / "sft.jsonl"));
    desk.panel.setSteps(80);
    const auto run = desk.panel.launch();
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().steps(run).first >= 24; }, 120000));
    QProcess* worker = desk.workbench.jobs().findChild<QProcess*>();
    ASSERT_NE(worker, nullptr);
    worker->kill();  // as a crash would
    ASSERT_TRUE(waitUntil([&] { return desk.experiments().state(run) == JobState::Failed; }));
    EXPECT_EQ(desk.experiments().job(run)->error, "the worker crashed");
    desk.experiments().resume(run);
    desk.finished(run);
    EXPECT_EQ(desk.experiments().state(run), JobState::Finished) << desk.experiments().job(run)->log;
    EXPECT_EQ(desk.experiments().metrics(run).size(), 80u) << "every step logged once";
}

TEST(Training, APipelineWaitsForEachStageAndGoesOnWhenAFailedStageIsResumed) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    desk.panel.applyPreset("none");
    desk.panel.setSteps(6);
    desk.panel.setPipeline(false, true);
    // A refused stage queues nothing.
    desk.panel.setData(qpath(dir / "missing.jsonl"));
    EXPECT_FALSE(desk.panel.launchPipeline());
    EXPECT_TRUE(desk.panel.message().endsWith("missing.jsonl: no such file")) << desk.panel.message();
    EXPECT_TRUE(desk.workbench.jobs().rows().empty());

    // SFT fails on a malformed line: what waits for it is cancelled, saying why; the base is still evaluated.
    const std::string pairs = test::read_text(test::examples_dir() / "pairwise.jsonl");
    const auto data = dir.write("pairs.jsonl", pairs + "{\"prompt\": \"no answers\"}\n");
    desk.panel.setData(qpath(data));
    desk.experiments().evaluate({QString(), QString(), qpath(test::examples_dir()), "sets the suites", 2});
    ASSERT_TRUE(desk.panel.launchPipeline()) << desk.panel.message();
    EXPECT_EQ(desk.panel.message(), "Queued sft-1 \u2192 dpo-2, then 3 evaluations.");
    ASSERT_TRUE(waitUntil([&] { return !desk.workbench.jobs().busy(); }, 120000));
    auto stateOf = [&](const QString& label) {
        for (const auto& job : desk.workbench.jobs().rows())
            if (job.label == label) return std::make_pair(job.state, job.error);
        return std::make_pair(JobState::Queued, QString("no such job"));
    };
    EXPECT_EQ(stateOf("Train sft-1").first, JobState::Failed);
    EXPECT_EQ(stateOf("Train dpo-2"), std::make_pair(JobState::Cancelled, QString("not started: Train sft-1 did not finish")));
    EXPECT_EQ(stateOf("Evaluate tiny-llama").first, JobState::Finished);
    EXPECT_EQ(stateOf("Evaluate sft-1").first, JobState::Cancelled);
    EXPECT_EQ(stateOf("Merge sft-1").first, JobState::Cancelled);
    EXPECT_EQ(stateOf("Evaluate dpo-2"), std::make_pair(JobState::Cancelled, QString("not started: Train dpo-2 did not finish")));

    // Mended and resumed, SFT finishes and the rest of the pipeline runs after it.
    dir.write("pairs.jsonl", pairs);
    desk.experiments().resume(desk.experiments().runs()[0].id);
    ASSERT_TRUE(waitUntil([&] { return !desk.workbench.jobs().busy(); }, 120000));
    for (const auto& job : desk.workbench.jobs().rows()) EXPECT_EQ(job.state, JobState::Finished) << job.label << ": " << job.log;
    const auto results = desk.workbench.workspace().evaluations().all();
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(results[2].label, "sft-1");
    EXPECT_EQ(results[3].label, "dpo-2");
    EXPECT_EQ(results[3].run, desk.experiments().runs()[1].id);
    EXPECT_EQ(results[3].step, 6);
}

TEST(Training, KtoTakesItsPresetAndSettingsAndTrainsFromTheSftRun) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    const auto sft = desk.trained(Stage::Sft, "sft.jsonl");

    desk.panel.setStage(Stage::Kto);
    desk.panel.setData(qpath(test::examples_dir() / "pairwise.jsonl"));  // each pair read as two labelled completions
    desk.panel.setSteps(2);
    TrainRequest request = desk.panel.request();
    EXPECT_EQ(request.config.preset, "kto");
    EXPECT_DOUBLE_EQ(request.config.optimizer.lr, 1e-6);
    EXPECT_DOUBLE_EQ(request.config.kto.beta, 0.1);
    EXPECT_DOUBLE_EQ(request.config.kto.desirable_weight, 1.0);
    EXPECT_EQ(request.parent, sft);
    EXPECT_TRUE(desk.experiments().configYaml(request).contains("kto:\n  beta: 0.1\n  desirable_weight: 1.0\n")) << desk.experiments().configYaml(request);
    request.config.max_length = 512;  // TRL's 1024 is beyond the built-in model's context
    const auto kto = desk.finished(desk.experiments().launch(request));
    ASSERT_EQ(desk.experiments().state(kto), JobState::Finished) << desk.experiments().job(kto)->log;
    EXPECT_TRUE(desk.experiments().metrics(kto).back().contains("rewards/margins"));
}

TEST(Training, GrpoTakesTheRewardModelRunFirstThenTheRulesAndTrainsFromTheSftRun) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    desk.trained(Stage::Sft, "sft.jsonl");
    const auto rm = desk.trained(Stage::RewardModel, "pairwise.jsonl");

    desk.panel.setStage(Stage::Grpo);
    desk.panel.setData(qpath(test::examples_dir() / "sft.jsonl"));
    desk.panel.setSteps(2);
    desk.panel.setRuleRewards("{contains: \"a\", weight: 0.5}, {length: [1, 8]}");
    TrainRequest request = desk.panel.request();
    ASSERT_EQ(request.reward, rm);
    const TrainConfig config = desk.experiments().resolvedConfig(request);
    ASSERT_EQ(config.group.rewards.size(), 3u);
    EXPECT_EQ(config.group.rewards[0].text, qpath(dir / "runs/rm-2/adapter").toStdString());
    EXPECT_EQ(config.group.rewards[1].name, "contains");
    EXPECT_DOUBLE_EQ(config.group.rewards[1].weight, 0.5);
    request.config.batch_size = 8;
    request.config.group.num_generations = 4;
    request.config.group.max_completion_length = 6;
    const auto grpo = desk.finished(desk.experiments().launch(request));
    ASSERT_EQ(desk.experiments().state(grpo), JobState::Finished) << desk.experiments().job(grpo)->log;
    EXPECT_TRUE(desk.experiments().metrics(grpo).back().contains("rewards/model/mean"));

    desk.panel.setRuleRewards("{contains: a, regex: b}");
    EXPECT_EQ(desk.panel.launch(), 0);
    EXPECT_EQ(desk.panel.message(), "grpo.rewards[0]: names two rewards (contains and regex): one per entry");
}

TEST(Training, APipelineToGrpoTrainsARewardModelAndRewardsTheGroupsWithIt) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    desk.panel.applyPreset("none");
    desk.panel.setData(qpath(test::examples_dir() / "pairwise.jsonl"));
    desk.panel.setSteps(2);
    desk.panel.setPipeline(false, false, false, true);
    desk.panel.setEvaluationData(qpath(test::examples_dir()));
    ASSERT_TRUE(desk.panel.launchPipeline()) << desk.panel.message();
    EXPECT_EQ(desk.panel.message(), "Queued sft-1 \u2192 rm-2 \u2192 grpo-3, then 3 evaluations.");
    ASSERT_TRUE(waitUntil([&] { return !desk.workbench.jobs().busy(); }, 120000));
    for (const auto& job : desk.workbench.jobs().rows()) EXPECT_EQ(job.state, JobState::Finished) << job.label.toStdString() << job.log.toStdString();
    const RunRow& grpo = desk.experiments().runs()[2];
    EXPECT_EQ(grpo.stage, Stage::Grpo);
    EXPECT_EQ(grpo.reward_run, desk.experiments().runs()[1].id);
    EXPECT_NE(grpo.config.find("batch_size: 32"), std::string::npos) << "4 prompts a step, 8 completions each: " << grpo.config;
    EXPECT_TRUE(desk.experiments().metrics(grpo.id).back().contains("rewards/model/mean"));
}

TEST(Training, TheEvaluationFieldsFollowTheStageAndAreCheckedBeforeAnythingIsQueued) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    const QString pairs = qpath(test::examples_dir() / "pairwise.jsonl"), suites = qpath(test::examples_dir());
    desk.panel.setData(pairs);
    desk.panel.setHeldOutData(pairs);
    desk.panel.setEvaluationData(suites);
    for (Stage stage : {Stage::Sft, Stage::RewardModel, Stage::Dpo, Stage::Kto, Stage::Ppo}) {
        desk.panel.setStage(stage);
        EXPECT_EQ(desk.panel.request().config.eval_data, (stage == Stage::Ppo ? suites : pairs).toStdString()) << to_string(stage);
    }

    desk.panel.setStage(Stage::Sft);
    desk.panel.setHeldOutData(suites);
    EXPECT_EQ(desk.panel.launch(), 0);
    EXPECT_EQ(desk.panel.message(), "eval_data: " + suites +
                                        ": is a folder; sft holds out a JSON-lines file of examples (a folder of evaluation suites is for ppo, grpo and rloo)");
    EXPECT_TRUE(desk.workbench.jobs().rows().empty());
}

TEST(Training, APipelineEvaluatesEachPolicyOnceAfterItsRun) {
    test::TempDir dir;
    TrainingDesk desk(dir / "ws.amalgam");
    desk.panel.applyPreset("none");
    desk.panel.setSteps(2);
    desk.panel.setPipeline(true, false);
    desk.panel.setData(qpath(test::examples_dir() / "pairwise.jsonl"));
    desk.panel.setHeldOutData(qpath(test::examples_dir() / "pairwise.jsonl"));
    desk.panel.setEvaluationData(qpath(test::examples_dir()));
    desk.panel.setChatTemplate(true);  // the tiny Llama has none: every stage keeps the template, and says so
    ASSERT_TRUE(desk.panel.launchPipeline()) << desk.panel.message();
    EXPECT_EQ(desk.panel.message(), "Queued sft-1 \u2192 rm-2 \u2192 ppo-3, then 3 evaluations.");
    ASSERT_TRUE(waitUntil([&] { return !desk.workbench.jobs().busy(); }, 120000));
    int evaluations = 0, in_chat_template = 0;
    for (const auto& job : desk.workbench.jobs().rows()) {
        EXPECT_EQ(job.state, JobState::Finished) << job.label << ": " << job.log;
        // The base and the policies are asked as the runs were trained: in the model's chat template.
        if (const auto* evaluation = std::get_if<EvaluateJob>(&job.work)) {
            ++evaluations;
            in_chat_template += evaluation->chat_template;
        }
    }
    EXPECT_EQ(evaluations, 3);
    EXPECT_EQ(in_chat_template, 3);
    QStringList labels;
    for (const auto& row : desk.workbench.workspace().evaluations().all()) {
        labels << QString::fromStdString(row.label);
        const auto document = nlohmann::json::parse(desk.workbench.workspace().evaluations().document(row.id));
        EXPECT_EQ(document["dtype"], "float32") << row.label << ": the type the model ran in";
    }
    labels.sort();
    EXPECT_EQ(labels, QStringList({"ppo-3", "sft-1", "tiny-llama"}));
    // SFT and RM evaluated on the held-out pairs as they trained.
    for (const auto& run : desk.experiments().runs()) {
        const bool evaluated = std::any_of(desk.experiments().metrics(run.id).begin(), desk.experiments().metrics(run.id).end(),
                                           [](const MetricsLine& line) { return line.contains("eval/loss"); });
        EXPECT_EQ(evaluated, run.stage != Stage::Ppo) << run.label;
    }
}

TEST(Training, RunsAndEvaluationsOfTheCommandLineAppearWithTheirLineage) {
    test::TempDir dir;
    auto cli = [&](const QStringList& args) {
        QProcess p;
        p.setWorkingDirectory(qpath(dir.path()));
        p.start(AMALGAM_CLI, args);
        p.waitForFinished(120000);
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0 ? QString() : QString(p.readAllStandardError());
    };
    ASSERT_EQ(cli({"model", "init", "--arch", "llama", "--out", "base"}), "");
    const std::string common = "model: base\nbatch_size: 2\nmax_length: 64\nlog_every: 1\ndata: " +
                               (test::examples_dir() / "pairwise.jsonl").string() + "\n";
    dir.write("sft.yaml", "stage: sft\nmax_steps: 4\n" + common);
    dir.write("rm.yaml", "stage: rm\nmax_steps: 2\nadapter: sft/adapter\n" + common);

    // An open workbench takes in what the command line adds, at its next poll.
    TrainingDesk desk(dir / "ws.amalgam");
    QSignalSpy results(&desk.experiments(), &Experiments::resultsChanged);
    ASSERT_EQ(cli({"train", "sft.yaml", "--out", "sft", "--max-steps", "2", "--workspace", "ws.amalgam"}), "");
    desk.workbench.jobs().poll();
    ASSERT_EQ(desk.experiments().runs().size(), 1u);
    EXPECT_EQ(desk.experiments().metrics(desk.experiments().runs()[0].id).size(), 2u) << "its curve";
    ASSERT_EQ(cli({"train", "sft.yaml", "--out", "sft", "--resume", "--workspace", "ws.amalgam"}), "");
    desk.workbench.jobs().poll();
    EXPECT_EQ(desk.experiments().metrics(desk.experiments().runs()[0].id).size(), 4u) << "its curve, grown";
    ASSERT_EQ(cli({"eval", "base", "--data", qpath(test::examples_dir()), "--suite", "winogrande", "--out", "eval.json", "--workspace", "ws.amalgam"}), "");
    desk.workbench.jobs().poll();
    EXPECT_EQ(results.count(), 1);
    desk.workbench.jobs().poll();
    EXPECT_EQ(results.count(), 1) << "nothing new";

    ASSERT_EQ(cli({"train", "rm.yaml", "--out", "rm", "--workspace", "ws.amalgam"}), "");
    ASSERT_EQ(cli({"train", "rm.yaml", "--out", "rm", "--resume", "--workspace", "ws.amalgam"}), "") << "resumed: the same run";
    desk.workbench.jobs().poll();
    const auto& runs = desk.experiments().runs();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].label, "sft");
    EXPECT_EQ(runs[0].stage, Stage::Sft);
    EXPECT_EQ(runs[0].precision, Precision::Float32) << "auto, as the CPU resolves it";
    EXPECT_FALSE(runs[0].parent_run);
    EXPECT_EQ(runs[1].label, "rm");
    EXPECT_EQ(runs[1].stage, Stage::RewardModel);
    EXPECT_EQ(runs[1].parent_run, runs[0].id);
    EXPECT_EQ(runs[1].dir, (dir / "rm").string());
    RunTableModel table(desk.experiments());
    EXPECT_EQ(table.index(1, RunTableModel::StateColumn).data().toString(), "command line");
    EXPECT_EQ(table.index(1, RunTableModel::StepColumn).data().toString(), "2 / 2");
    EXPECT_EQ(desk.experiments().adapter(runs[0].id), qpath(dir / "sft/adapter")) << "a parent the workbench can train from";
    EXPECT_THROW(desk.experiments().resume(runs[1].id), std::invalid_argument) << "no job of the workbench's to queue again";
    EXPECT_THROW(desk.experiments().cancel(runs[1].id), std::invalid_argument);
}

TEST(JobQueue, OfTwoWorkbenchesOnOneWorkspaceOneRunsTheQueue) {
    test::TempDir dir;
    const QString file = qpath(dir / "ws.amalgam");
    auto first = std::make_unique<Workbench>();
    Workbench second;
    first->jobs().setWorker(AMALGAM_CLI);
    second.jobs().setWorker(AMALGAM_CLI);
    ASSERT_EQ(first->open(file), "");
    ASSERT_EQ(second.open(file), "");
    EXPECT_TRUE(first->jobs().holdsQueue());
    EXPECT_FALSE(second.jobs().holdsQueue());

    // Queued in the second, run by the first; the second sees it end.
    second.jobs().enqueue("made in the second", MakeModelJob{"llama", (dir / "a").string()});
    EXPECT_EQ(second.jobs().rows().front().state, JobState::Queued);
    ASSERT_TRUE(waitUntil([&] { return first->jobs().rows().size() == 1 && !first->jobs().busy(); }));
    ASSERT_TRUE(waitUntil([&] { return !second.jobs().busy(); }));
    EXPECT_EQ(second.jobs().rows().front().state, JobState::Finished);
    EXPECT_FALSE(second.jobs().holdsQueue());

    // The first closes: the second takes the queue over.
    first.reset();
    second.jobs().poll();
    EXPECT_TRUE(second.jobs().holdsQueue());
    second.jobs().enqueue("made after", MakeModelJob{"llama", (dir / "b").string()});
    ASSERT_TRUE(waitUntil([&] { return !second.jobs().busy(); }));
    EXPECT_EQ(second.jobs().rows().back().state, JobState::Finished);
}

TEST(JobQueue, ACancelInTheOtherWorkbenchStopsTheWorkerOfTheOneRunningIt) {
    test::TempDir dir;
    const QString file = qpath(dir / "ws.amalgam");
    const auto worker = dir.write("worker.sh", "#!/bin/sh\nexec sleep 60\n");
    QFile::setPermissions(qpath(worker), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    Workbench running, other;
    running.jobs().setWorker(qpath(worker));
    ASSERT_EQ(running.open(file), "");
    ASSERT_EQ(other.open(file), "");
    const auto id = running.jobs().enqueue("sleeps", MakeModelJob{"llama", (dir / "m").string()});
    ASSERT_TRUE(waitUntil([&] { return running.jobs().find(id)->state == JobState::Running; }));
    ASSERT_TRUE(waitUntil([&] { return other.jobs().find(id) && other.jobs().find(id)->state == JobState::Running; }));
    const auto started = std::chrono::steady_clock::now();
    other.jobs().cancel(id);
    ASSERT_TRUE(waitUntil([&] { return running.jobs().find(id)->state == JobState::Cancelled; }, 20000));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20)) << "within a poll or two, not when sleep ends";
    EXPECT_EQ(running.jobs().findChild<QProcess*>(), nullptr) << "the worker is gone";
}

}  // namespace
}  // namespace amalgam
