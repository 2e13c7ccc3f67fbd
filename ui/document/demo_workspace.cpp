#include "ui/document/demo_workspace.h"

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
    if (!workspace.setting("recipe").value_or("").empty()) return file;
    Recipe recipe = load_recipe(root.filePath("recipes/demo.yaml").toStdString(), std::nullopt);
    workspace.set_setting("recipe", to_yaml(recipe));
    return file;
}

void startDemo(Workbench& workbench, const QString& dir) {
    if (workbench.workspace().eval_results().empty() && !workbench.jobs().busy())
        for (const QString arch : {"llama", "gpt2"})
            workbench.experiments().evaluate({QString(), QString(), QDir(dir).filePath("examples"), "tiny-" + arch, 0, arch});
    auto curateOnce = [&workbench] {
        if (!workbench.curation()) workbench.runCuration();
    };
    if (!workbench.task().running()) {
        curateOnce();
        return;
    }
    // The workspace is still being read: curate when that is done.
    auto* connection = new QMetaObject::Connection;
    *connection = QObject::connect(&workbench.task(), &BackgroundTask::finished, &workbench, [connection, curateOnce](const QString&) {
        QObject::disconnect(*connection);
        delete connection;
        curateOnce();
    });
}

}  // namespace amalgam
