#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace amalgam {

class RunCurves;
class RunTableModel;
class Workbench;

/** The workspace's training runs: a table with each run's state, step and loss, the curves
 *  of the selected runs overlaid, the selected run's lineage, and what can be done to a run:
 *  cancel it, resume it, evaluate its adapter, merge it into a model folder, read its samples. */
class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(Workbench& workbench, QWidget* parent = nullptr);

    RunTableModel& model() { return *model_; }
    QTableView& table() { return *table_; }
    RunCurves& curves() { return *curves_; }
    /** The lineage of the selected run, as shown. */
    QString lineage() const;
    std::vector<std::int64_t> selectedRuns() const;

    void cancelSelected();
    void resumeSelected();
    void evaluateSelected();

private:
    void selectionChanged();
    void exportSelected();
    void showSamples();
    void act(const std::function<void(std::int64_t)>& action);

    Workbench& workbench_;
    RunTableModel* model_;
    QTableView* table_;
    RunCurves* curves_;
    QLabel* lineage_;
    QPushButton* samples_;
};

}  // namespace amalgam
