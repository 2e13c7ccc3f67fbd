#include "ui/views/runs_panel.h"

#include <functional>

#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/document/experiments.h"
#include "ui/document/workbench.h"
#include "ui/jobs/job_queue.h"
#include "ui/models/run_table_model.h"
#include "ui/views/run_curves.h"
#include "ui/views/table_fit.h"

namespace amalgam {

RunsPanel::RunsPanel(Workbench& workbench, QWidget* parent)
    : QWidget(parent), workbench_(workbench), model_(new RunTableModel(workbench.experiments(), this)), table_(new QTableView(this)),
      curves_(new RunCurves(workbench.experiments(), this)), lineage_(new QLabel(this)), samples_(new QPushButton(tr("Samples\u2026"), this)),
      answers_(new QPushButton(tr("Answers\u2026"), this)) {
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);  // several runs overlay their curves
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    fitHeightToRows(table_, 8);
    lineage_->setWordWrap(true);
    lineage_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* cancel = new QPushButton(tr("Cancel"), this);
    auto* resume = new QPushButton(tr("Resume"), this);
    auto* evaluate = new QPushButton(tr("Evaluate"), this);
    auto* exportModel = new QPushButton(tr("Merge and export\u2026"), this);
    resume->setToolTip(tr("Continue from the last checkpoint: after a cancel, a crash or closing the window"));
    evaluate->setToolTip(tr("Evaluate the run's adapter on the evaluation suites; the row appears in Compare"));
    answers_->setToolTip(tr("The run's answers to a file of prompts, each put through its training template"));
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {cancel, resume, evaluate, exportModel, samples_, answers_}) buttons->addWidget(b);
    buttons->addStretch();

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(buttons);
    topLayout->addWidget(table_);
    topLayout->addWidget(lineage_);
    auto* layout = new QVBoxLayout(this);  // the runs as tall as their rows, the curves take the rest
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(top);
    layout->addWidget(curves_, 1);

    connect(cancel, &QPushButton::clicked, this, &RunsPanel::cancelSelected);
    connect(resume, &QPushButton::clicked, this, &RunsPanel::resumeSelected);
    connect(evaluate, &QPushButton::clicked, this, &RunsPanel::evaluateSelected);
    connect(exportModel, &QPushButton::clicked, this, &RunsPanel::exportSelected);
    connect(samples_, &QPushButton::clicked, this, &RunsPanel::showSamples);
    connect(answers_, &QPushButton::clicked, this, &RunsPanel::askForPrompts);
    connect(&workbench_.jobs(), &JobQueue::jobEnded, this, [this](std::int64_t job, JobState state, const WorkerJob&) {
        const auto it = answering_.find(job);
        if (it == answering_.end()) return;
        const std::int64_t run = it->second;
        answering_.erase(it);
        if (state == JobState::Finished) showAnswers(run);
        else lineage_->setText(tr("<span style='color:#d62728'>The answers were not written: the Jobs tab has the worker's log.</span>"));
    });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPanel::selectionChanged);
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {  // follow the newest run
        if (model_->rowCount() > 0) table_->selectRow(model_->rowCount() - 1);
    });
    connect(&workbench_.experiments(), &Experiments::runsChanged, this, [this] { lineage_->setText(lineage()); });
    if (model_->rowCount() > 0) table_->selectRow(model_->rowCount() - 1);
}

std::vector<std::int64_t> RunsPanel::selectedRuns() const {
    std::vector<std::int64_t> out;
    for (const QModelIndex& row : table_->selectionModel()->selectedRows()) out.push_back(model_->runAt(row.row()));
    std::sort(out.begin(), out.end());
    return out;
}

void RunsPanel::selectionChanged() {
    const auto runs = selectedRuns();
    curves_->showRuns(runs);
    lineage_->setText(lineage());
    const auto* run = runs.size() == 1 ? workbench_.experiments().run(runs.front()) : nullptr;
    samples_->setEnabled(run && samples_completions(run->stage));
    answers_->setEnabled(run && answers_prompts(run->stage));
}

QString RunsPanel::lineage() const {
    const auto runs = selectedRuns();
    return runs.size() == 1 ? workbench_.experiments().lineage(runs.front()) : QString();
}

void RunsPanel::act(const std::function<void(std::int64_t)>& action) {
    for (std::int64_t run : selectedRuns()) {
        try {
            action(run);
        } catch (const std::exception& e) {
            lineage_->setText(QString("<span style='color:#d62728'>%1</span>").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        }
    }
}

void RunsPanel::cancelSelected() {
    act([this](std::int64_t run) { workbench_.experiments().cancel(run); });
}

void RunsPanel::resumeSelected() {
    act([this](std::int64_t run) { workbench_.experiments().resume(run); });
}

void RunsPanel::evaluateSelected() {
    QString data = workbench_.experiments().evaluationData();
    if (data.isEmpty()) data = QFileDialog::getExistingDirectory(this, tr("The folder with winobias/, winogrande/ and winogender/ (amalgam-cli data get fetches them)"));
    if (data.isEmpty()) return;
    act([this, data](std::int64_t run) { workbench_.experiments().evaluateRun(run, data); });
}

void RunsPanel::exportSelected() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Write the merged model into"));
    if (dir.isEmpty()) return;
    act([this, dir](std::int64_t run) {
        workbench_.experiments().exportRun(run, QDir(dir).filePath(QString::fromStdString(workbench_.experiments().run(run)->label)));
    });
}

void RunsPanel::askForPrompts() {
    const auto runs = selectedRuns();
    const auto* run = runs.size() == 1 ? workbench_.experiments().run(runs.front()) : nullptr;
    if (!run) return;
    const QString prompts = QFileDialog::getOpenFileName(this, tr("Prompts for %1 to answer").arg(QString::fromStdString(run->label)),
                                                         QFileInfo(QString::fromStdString(run->data)).absolutePath(), tr("JSON lines (*.jsonl)"));
    if (!prompts.isEmpty()) answerSelected(prompts);
    else if (QFileInfo::exists(workbench_.experiments().answersFile(run->id))) showAnswers(run->id);  // the last ones
}

void RunsPanel::answerSelected(const QString& prompts) {
    act([this, prompts](std::int64_t run) { answering_[workbench_.experiments().answerRun(run, prompts)] = run; });
}

QString RunsPanel::answersText(std::int64_t run) const {
    QString text;
    QFile file(workbench_.experiments().answersFile(run));
    if (file.open(QIODevice::ReadOnly))
        while (!file.atEnd()) {
            const QJsonObject a = QJsonDocument::fromJson(file.readLine()).object();
            text += a.value("prompt").toString() + "\n\u2192 " + a.value("response").toString() + "\n\n";
        }
    return text;
}

void RunsPanel::showAnswers(std::int64_t run) {
    const QString text = answersText(run);
    showText(tr("Answers of %1").arg(QString::fromStdString(workbench_.experiments().run(run)->label)), text.isEmpty() ? tr("No answers.") : text);
}

void RunsPanel::showText(const QString& title, const QString& text) {
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto* view = new QPlainTextEdit(text, dialog);
    view->setReadOnly(true);
    (new QVBoxLayout(dialog))->addWidget(view);
    dialog->resize(760, 560);
    dialog->open();
}

void RunsPanel::showSamples() {
    const auto runs = selectedRuns();
    const auto* run = runs.size() == 1 ? workbench_.experiments().run(runs.front()) : nullptr;
    if (!run) return;
    QString text;
    QFile file(QDir(QString::fromStdString(run->dir)).filePath("samples.jsonl"));
    if (file.open(QIODevice::ReadOnly))
        while (!file.atEnd()) {
            const QJsonObject s = QJsonDocument::fromJson(file.readLine()).object();
            text += tr("step %1  score %2\n").arg(s.value("step").toInteger()).arg(s.value("score").toDouble(), 0, 'g', 4);
            text += s.value("prompt").toString() + " \u2192 " + s.value("response").toString() + "\n\n";
        }
    showText(tr("Rollout samples of %1").arg(QString::fromStdString(run->label)), text.isEmpty() ? tr("No samples yet.") : text);
}

}  // namespace amalgam
