#include "ui/main_window.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>

#include "core/store/workspace.h"
#include "ui/compare_panel.h"

namespace amalgam {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), compare_(new ComparePanel(this)) {
    setWindowTitle(tr("Amalgam"));
    resize(1280, 800);
    auto* tabs = new QTabWidget(this);
    tabs->addTab(compare_, tr("Compare"));
    setCentralWidget(tabs);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Workspace\u2026"), QKeySequence::Open, this, [this] {
        QString path = QFileDialog::getOpenFileName(this, tr("Open workspace"), QString(), tr("Amalgam workspace (*.amalgam);;All files (*)"));
        if (path.isEmpty()) return;
        QString error = openWorkspace(path);
        if (!error.isEmpty()) QMessageBox::warning(this, tr("Cannot open workspace"), error);
    });
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    statusBar()->showMessage(tr("No workspace open"));
}

QString MainWindow::openWorkspace(const QString& path) {
    if (!QFileInfo::exists(path)) return tr("%1: no such file").arg(path);
    try {
        Workspace workspace(path.toStdString());
        compare_->load(workspace);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    setWindowTitle(tr("Amalgam \u2014 %1").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(tr("%1: %2 evaluations").arg(path).arg(compare_->model().rowCount()));
    return {};
}

}  // namespace amalgam
