#pragma once

#include <QWidget>

class QPlainTextEdit;
class QTableView;

namespace amalgam {

class DeviceProbe;
class JobTableModel;
class Workbench;

/** What to evaluate: a model folder (empty: the built-in tiny model of `tinyArch`, made on
 *  first use), an optional LoRA adapter, the evaluation data folder, a row label, an item
 *  limit, and where and in which type the model runs (amalgam-cli's --device and --dtype). */
/** The job queue: each job with its state and a progress bar, the selected job's log, and
 *  buttons to queue an evaluation or cancel a job. */
class JobsPanel : public QWidget {
    Q_OBJECT

public:
    explicit JobsPanel(Workbench& workbench, QWidget* parent = nullptr);

    /** Queues the jobs an evaluation needs; results land in the workspace (and Compare). */
    JobTableModel& model() { return *model_; }

private:
    void askForEvaluation();
    void showLog();

    Workbench& workbench_;
    DeviceProbe* devices_;
    JobTableModel* model_;
    QTableView* view_;
    QPlainTextEdit* log_;
};

}  // namespace amalgam
