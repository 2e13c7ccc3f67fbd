#include "ui/jobs/worker_job.h"

#include <array>
#include <stdexcept>
#include <utility>

namespace amalgam {
namespace {

}  // namespace

QStringList WorkerJob::arguments(const QString& workspace) const {
    const QStringList store = {"--workspace", workspace, "--progress", "json"};
    auto optional = [this](QStringList& out, const char* key, const char* flag) {
        const QJsonValue v = options.value(key);
        if (v.isString() && !v.toString().isEmpty()) out << flag << v.toString();
        if (v.isDouble()) out << flag << QString::number(v.toInteger());
    };
    switch (kind) {
    case JobKind::MakeModel:
        return {"model", "init", "--arch", option("arch"), "--preset", "tiny", "--out", option("out")};
    case JobKind::Curate:
        return QStringList{"curate", option("recipe"), "--out", option("out")} + store;
    case JobKind::Evaluate: {
        QStringList out = {"eval", option("model"), "--data", option("data"), "--out", option("out")};
        optional(out, "adapter", "--adapter");
        optional(out, "label", "--label");
        optional(out, "suite", "--suite");
        optional(out, "limit", "--limit");
        optional(out, "run", "--run");
        optional(out, "step", "--step");
        return out + QStringList{"--device", option("device"), "--dtype", option("dtype")} + store;
    }
    case JobKind::Train:
        // Always --resume: a job queued again after a crash or a cancel continues its run.
        return QStringList{"train", option("config"), "--out", option("out"), "--resume", "--device", option("device"), "--dtype",
                           option("dtype")} +
               store;
    case JobKind::Merge:
        return {"model", "merge", option("model"), "--adapter", option("adapter"), "--out", option("out")};
    case JobKind::Generate:
        return {"generate", option("model"),  "--adapter", option("adapter"), "--data",  option("data"),
                "--template", option("template"), "--out", option("out"),     "--device", option("device"), "--dtype", option("dtype")};
    }
    return {};
}

}  // namespace amalgam
