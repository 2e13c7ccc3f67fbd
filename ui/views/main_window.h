#pragma once

#include <QMainWindow>

class QMenu;
class QProgressBar;
class QTabWidget;

namespace amalgam {

class ComparePanel;
class CurationPanel;
class DatasetsPanel;
class JobsPanel;
class MapPanel;
class RunsPanel;
class TrainPanel;
class Workbench;

/** The workbench window: Datasets, Curation (settings and preview beside the map), Train,
 *  Jobs and Compare over one open workspace. */
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /** Opens a workspace file; returns why it could not, or nothing. */
    QString openWorkspace(const QString& path);
    /** Starts an empty workspace in `path`, replacing a file there. */
    QString createWorkspace(const QString& path);
    /** Writes the demo workspace into `dir`, opens it, curates it and evaluates the tiny model. */
    QString openDemo(const QString& dir);

    Workbench& workbench() { return *workbench_; }
    QTabWidget& tabs() { return *tabs_; }
    DatasetsPanel& datasets() { return *datasets_; }
    CurationPanel& curation() { return *curation_; }
    MapPanel& map() { return *map_; }
    JobsPanel& jobs() { return *jobs_; }
    ComparePanel& compare() { return *compare_; }
    TrainPanel& train() { return *train_; }
    RunsPanel& runs() { return *runs_; }
    /** Help > Keyboard Shortcuts: every action with a shortcut in the window, then the mouse. */
    QString shortcutsHtml() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    QString showWorkspace(const QString& path);
    void showError(const QString& title, const QString& error);
    void rememberRecent(const QString& path);
    void fillRecent();
    void showAbout();
    void showShortcuts();

    Workbench* workbench_;
    QTabWidget* tabs_;
    DatasetsPanel* datasets_;
    CurationPanel* curation_;
    MapPanel* map_;
    JobsPanel* jobs_;
    ComparePanel* compare_;
    TrainPanel* train_;
    RunsPanel* runs_;
    QProgressBar* taskProgress_;
    QMenu* recent_;
};

}  // namespace amalgam
