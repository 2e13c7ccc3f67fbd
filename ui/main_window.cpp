#include "ui/main_window.h"

#include <QStatusBar>

namespace amalgam {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("Amalgam"));
    resize(1280, 800);
    statusBar()->showMessage(tr("No workspace open"));
}

}  // namespace amalgam
