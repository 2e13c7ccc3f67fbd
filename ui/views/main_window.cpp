#include "ui/views/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QUndoStack>

#include "ui/document/demo_workspace.h"
#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"
#include "ui/views/compare_panel.h"
#include "ui/views/curation_panel.h"
#include "ui/views/datasets_panel.h"
#include "ui/views/jobs_panel.h"
#include "ui/views/map_panel.h"
#include "ui/views/runs_panel.h"
#include "ui/views/train_panel.h"

namespace amalgam {
namespace {

const char* kRecentKey = "recentWorkspaces";
const QString kWorkspaceFilter = QObject::tr("Amalgam workspace (*.amalgam);;All files (*)");

/** A settings column that scrolls when the window is too low for it, instead of squeezing it. */
QScrollArea* scrolling(QWidget* panel) {
    auto* area = new QScrollArea(panel->parentWidget());
    area->setWidget(panel);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    area->setMinimumWidth(panel->minimumSizeHint().width() + area->verticalScrollBar()->sizeHint().width());
    return area;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), workbench_(new Workbench(this)), tabs_(new QTabWidget(this)),
      datasets_(new DatasetsPanel(*workbench_, this)), curation_(new CurationPanel(*workbench_, this)),
      map_(new MapPanel(*workbench_, this)), jobs_(new JobsPanel(*workbench_, this)), compare_(new ComparePanel(this)),
      train_(new TrainPanel(*workbench_, this)), runs_(new RunsPanel(*workbench_, this)), taskProgress_(new QProgressBar(this)) {
    setWindowTitle(tr("Amalgam"));
    resize(1440, 900);
    auto* curate = new QSplitter(Qt::Horizontal, this);
    curate->addWidget(scrolling(curation_));
    curate->addWidget(map_);
    curate->setStretchFactor(1, 3);
    curate->setSizes({480, 960});
    tabs_->addTab(datasets_, tr("Datasets"));
    tabs_->addTab(curate, tr("Curation"));
    auto* train = new QSplitter(Qt::Horizontal, this);
    train->addWidget(scrolling(train_));
    train->addWidget(runs_);
    train->setStretchFactor(1, 3);
    train->setSizes({460, 980});
    tabs_->addTab(train, tr("Train"));
    tabs_->addTab(jobs_, tr("Jobs"));
    tabs_->addTab(compare_, tr("Compare"));
    setCentralWidget(tabs_);
    taskProgress_->setRange(0, 1000);
    taskProgress_->setMaximumWidth(260);
    taskProgress_->hide();
    statusBar()->addPermanentWidget(taskProgress_);
    statusBar()->showMessage(tr("No workspace open: File > New or Open, or start with amalgam --demo"));
    buildMenus();

    BackgroundTask& task = workbench_->task();
    connect(&task, &BackgroundTask::started, this, [this](const QString& title) {
        statusBar()->showMessage(title + "\u2026");
        taskProgress_->setValue(0);
        taskProgress_->show();
    });
    connect(&task, &BackgroundTask::progressed, this, [this](const QString& stage, double share) {
        taskProgress_->setFormat(stage + " %p%");
        taskProgress_->setValue(static_cast<int>(share * 1000));
    });
    connect(&task, &BackgroundTask::finished, this, [this](const QString& error) {
        taskProgress_->hide();
        if (error.isEmpty()) statusBar()->showMessage(tr("Ready"), 4000);
        else showError(tr("Task stopped"), error);
    });
    connect(workbench_, &Workbench::failed, this, [this](const QString& error) { showError(tr("Amalgam"), error); });
    connect(workbench_, &Workbench::exported, this, [this](const QString& dir) {
        statusBar()->showMessage(tr("Wrote %1/train.jsonl, summary.json and points.csv").arg(dir), 8000);
    });
    connect(workbench_, &Workbench::resultsChanged, this, [this] {
        if (workbench_->isOpen()) compare_->load(workbench_->experiments().evaluations(), &workbench_->experiments());
    });
    QSettings settings;
    restoreGeometry(settings.value("geometry").toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New Workspace\u2026"), QKeySequence::New, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("New workspace"), QString(), kWorkspaceFilter);
        if (path.isEmpty()) return;
        if (!path.endsWith(".amalgam")) path += ".amalgam";
        if (QString error = createWorkspace(path); !error.isEmpty()) showError(tr("Cannot create workspace"), error);
    });
    file->addAction(tr("&Open Workspace\u2026"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"), QString(), kWorkspaceFilter);
        if (path.isEmpty()) return;
        if (QString error = openWorkspace(path); !error.isEmpty()) showError(tr("Cannot open workspace"), error);
    });
    recent_ = file->addMenu(tr("Open &Recent"));
    fillRecent();
    file->addSeparator();
    file->addAction(tr("Add &Dataset\u2026"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add dataset"));
        if (!path.isEmpty()) datasets_->addFile(path);
    });
    file->addAction(tr("&Export D_train\u2026"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export D_train into"));
        if (dir.isEmpty()) return;
        workbench_->exportTrain(dir);
    });
    file->addAction(tr("Save &Recipe As\u2026"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save recipe"), QString(), tr("Recipe (*.yaml)"));
        if (path.isEmpty()) return;
        if (QString error = workbench_->saveRecipe(path); !error.isEmpty()) showError(tr("Cannot save the recipe"), error);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = workbench_->undoStack().createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = workbench_->undoStack().createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < tabs_->count(); ++i) {
        QAction* a = view->addAction(tabs_->tabText(i), this, [this, i] { tabs_->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About Amalgam"), this, &MainWindow::showAbout);
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About Amalgam"),
        tr("<h3>Amalgam %1</h3>"
           "<p>A workbench for fine-tuning language models on heterogeneous human feedback: unify preference, "
           "ranking and rating datasets, select a high-quality and diverse subset, train SFT, reward-model, PPO and "
           "DPO adapters, and compare bias and accuracy across runs.</p>"
           "<p>The method: R. Aponte et al., <a href=\"https://arxiv.org/abs/2408.02861\">A Framework for Fine-Tuning "
           "LLMs using Heterogeneous Feedback</a> (arXiv:2408.02861).</p>"
           "<p>MIT License. Built with Qt %2, libtorch, faiss, SQLite and QCustomPlot.</p>")
            .arg(QApplication::applicationVersion(), qVersion()));
}

QString MainWindow::shortcutsHtml() const {
    QString rows;
    for (const QAction* action : findChildren<QAction*>()) {
        if (action->shortcut().isEmpty() || action->text().isEmpty()) continue;
        QString name = action->text().remove('&').remove(QChar(0x2026));
        rows += QString("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(), name.toHtmlEscaped());
    }
    const QString mouse[][2] = {{tr("Wheel"), tr("Zoom the map")},
                                {tr("Drag"), tr("Pan the map, or draw a box or lasso in those modes")},
                                {tr("Click a point"), tr("Open the pair it stands for")}};
    for (const auto& [gesture, what] : mouse) rows += QString("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(gesture, what);
    return "<table cellspacing=\"6\">" + rows + "</table>";
}

void MainWindow::showShortcuts() {
    auto* box = new QMessageBox(QMessageBox::NoIcon, tr("Keyboard Shortcuts"), shortcutsHtml(), QMessageBox::Close, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

QString MainWindow::createWorkspace(const QString& path) {
    for (const char* suffix : {"", "-wal", "-shm"})
        if (QFileInfo::exists(path + suffix) && !QFile::remove(path + suffix)) return tr("%1: cannot replace it").arg(path + suffix);
    return showWorkspace(path);
}

QString MainWindow::openWorkspace(const QString& path) {
    if (!QFileInfo::exists(path)) return tr("%1: no such file").arg(path);
    return showWorkspace(path);
}

QString MainWindow::showWorkspace(const QString& path) {
    if (QString error = workbench_->open(path); !error.isEmpty()) return error;
    setWindowTitle(tr("Amalgam \u2014 %1").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(tr("Opened %1").arg(workbench_->path()), 4000);
    rememberRecent(workbench_->path());
    return {};
}

QString MainWindow::openDemo(const QString& dir) {
    QString file;
    try {
        file = prepareDemoWorkspace(dir);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    if (QString error = openWorkspace(file); !error.isEmpty()) return error;
    startDemo(*workbench_, dir);
    tabs_->setCurrentIndex(1);
    return {};
}

void MainWindow::showError(const QString& title, const QString& error) {
    statusBar()->showMessage(error, 10000);
    if (error == tr("cancelled")) return;
    auto* box = new QMessageBox(QMessageBox::Warning, title, error, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not exec(): the workbench keeps running behind it
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue(kRecentKey, recent.mid(0, 8));
    fillRecent();
}

void MainWindow::fillRecent() {
    recent_->clear();
    for (const QString& path : QSettings().value(kRecentKey).toStringList())
        recent_->addAction(path, this, [this, path] {
            if (QString error = openWorkspace(path); !error.isEmpty()) showError(tr("Cannot open workspace"), error);
        });
    recent_->setEnabled(!recent_->isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings().setValue("geometry", saveGeometry());
    QMainWindow::closeEvent(event);
}

}  // namespace amalgam
