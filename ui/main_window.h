#pragma once

#include <QMainWindow>

namespace amalgam {

/** The workbench window. The panels (datasets, curation, map, jobs, compare) dock here. */
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace amalgam
