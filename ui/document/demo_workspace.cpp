#include "ui/document/demo_workspace.h"

#include <memory>
#include <stdexcept>

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include "core/recipe/recipe.h"
#include "core/store/workspace.h"
#include "ui/document/experiments.h"
#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"
#include "ui/jobs/job_queue.h"

namespace amalgam {

QString prepareDemoWorkspace(const QString& dir) {
    const QDir root(dir);
    for (QDirIterator it(":/amalgam", QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
        const QString resource = it.next();
        const QString target = root.filePath(resource.mid(QString(":/amalgam/").size()));
        if (QFileInfo::exists(target)) continue;
        QDir().mkpath(QFileInfo(target).absolutePath());
        if (!QFile::copy(resource, target)) throw std::runtime_error("cannot write " + target.toStdString());
        QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    const QString file = root.filePath("demo.amalgam");
    Workspace workspace(file.toStdString());
    if (!workspace.settings().get("recipe").value_or("").empty()) return file;
    Recipe recipe = load_recipe(root.filePath("recipes/demo.yaml").toStdString(), std::nullopt);
    workspace.settings().set("recipe", to_yaml(recipe));
    return file;
}

namespace {

/** Runs `slot` the first time `sender` emits `signal`. */
template <typename Sender, typename Signal, typename Slot>
void once(Sender* sender, Signal signal, QObject* context, Slot slot) {
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(sender, signal, context, [connection, slot](auto&&...) {
        QObject::disconnect(*connection);
        slot();
    });
}

/** Tiny runs that finish in seconds on a laptop's CPU and still move the curves. */
PipelineRequest demoPipeline(const QString& dir, const QString& data) {
    PipelineRequest pipeline;
    TrainConfig& c = pipeline.settings.config;
    c.data = data.toStdString();
    c.max_steps = 40;
    c.batch_size = 4;
    c.max_length = 128;
    c.optimizer.lr = 5e-4;
    c.log_every = 2;
    c.save_every = 20;
    c.ppo.min_new_tokens = 8;
    c.ppo.max_new_tokens = 24;
    pipeline.kto = true;
    pipeline.evaluationData = QDir(dir).filePath("examples");
    return pipeline;
}

/** Exports the curated D_train, then queues the demo's pipeline on it. */
void trainDemo(Workbench& workbench, const QString& dir) {
    once(&workbench, &Workbench::exported, &workbench, [&workbench, dir] {
        try {
            workbench.experiments().launchPipeline(demoPipeline(dir, workbench.experiments().currentData()));
        } catch (const std::exception& e) {
            emit workbench.failed(QString::fromStdString(e.what()));
        }
    });
    workbench.exportTrain(QDir(dir).filePath("dtrain"));
}

}  // namespace

void startDemo(Workbench& workbench, const QString& dir) {
    const bool fresh = workbench.workspace().evaluations().all().empty() && workbench.experiments().runs().empty() && !workbench.jobs().busy();
    if (fresh) workbench.experiments().evaluate({QString(), QString(), QDir(dir).filePath("examples"), "tiny-gpt2", 0, "gpt2"});
    // Each step starts when the background work before it is done: read the workspace, curate, export, train.
    auto curate = [&workbench, dir, fresh] {
        if (workbench.curation()) {
            if (fresh) trainDemo(workbench, dir);
            return;
        }
        if (fresh)
            once(&workbench, &Workbench::curationChanged, &workbench, [&workbench, dir] {
                if (workbench.curation()) trainDemo(workbench, dir);
            });
        workbench.runCuration();
    };
    if (workbench.task().running()) once(&workbench.task(), &BackgroundTask::finished, &workbench, curate);
    else curate();
}

}  // namespace amalgam
