#pragma once

#include <cstdint>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "core/contract/job_kind.h"

namespace amalgam {

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

}  // namespace amalgam
