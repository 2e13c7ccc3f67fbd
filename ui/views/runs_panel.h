#pragma once

#include <cstdint>
#include <functional>
#include <map>
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
 *  cancel it, resume it, evaluate its adapter, merge it into a model folder, read its samples,
 *  have it answer a file of prompts. */
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
    /** Queues the selected run's answers to every prompt of `prompts` (a file train reads); they
     *  open in a window once written. */
    void answerSelected(const QString& prompts);
    /** A run's answers as the window shows them: each prompt, then its answer. */
    QString answersText(std::int64_t run) const;

private:
    void selectionChanged();
    void exportSelected();
    void showSamples();
    void askForPrompts();
    void showAnswers(std::int64_t run);
    void showText(const QString& title, const QString& text);
    void act(const std::function<void(std::int64_t)>& action);

    Workbench& workbench_;
    RunTableModel* model_;
    QTableView* table_;
    RunCurves* curves_;
    QLabel* lineage_;
    QPushButton* samples_;
    QPushButton* answers_;
    std::map<std::int64_t, std::int64_t> answering_;  ///< queued answer jobs and their runs
};

}  // namespace amalgam
