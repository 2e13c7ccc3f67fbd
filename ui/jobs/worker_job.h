#pragma once

#include <cstdint>

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace amalgam {

/** What an amalgam-cli worker is asked to do. */
enum class JobKind { MakeModel, Curate, Evaluate, Train, Merge, Generate };

enum class JobState { Queued, Running, Finished, Failed, Cancelled };

/** One worker run as the workbench describes it: a kind and its options. arguments() is the one
 *  place that spells amalgam-cli's flags; the workspace stores the kind and options.
 *
 *  Options by kind (paths absolute):
 *  - MakeModel: arch, out
 *  - Curate:    recipe, out
 *  - Evaluate:  model, data, out, device, dtype; adapter, label, limit, suite, run, step
 *  - Train:     config, out, device, dtype
 *  - Merge:     model, adapter, out
 *  - Generate:  model, adapter, data, template, out, device, dtype */
struct WorkerJob {
    JobKind kind = JobKind::Evaluate;
    QJsonObject options;

    /** The worker's command line; jobs that store results write them into `workspace`. */
    QStringList arguments(const QString& workspace) const;
    QString option(const char* key) const { return options.value(key).toString(); }
};

QString to_string(JobKind kind);
/** The kind a stored name means; throws std::invalid_argument for a name this build does not know. */
JobKind job_kind(const QString& name);
QString to_string(JobState state);
JobState job_state(const QString& name);
inline bool ended(JobState s) { return s == JobState::Finished || s == JobState::Failed || s == JobState::Cancelled; }

}  // namespace amalgam
