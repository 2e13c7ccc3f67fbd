#pragma once

#include <QMainWindow>

namespace amalgam {

class ComparePanel;

/** The workbench window: panels in tabs over one open workspace. */
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);

    /** Opens a workspace file and shows what it holds; returns why it could not, or nothing. */
    QString openWorkspace(const QString& path);

private:
    ComparePanel* compare_;
};

}  // namespace amalgam
