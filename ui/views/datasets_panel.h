#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QTableView;
class QTableWidget;
class QTextBrowser;

namespace amalgam {

class RecordTableModel;
class Workbench;

/** The datasets of the workspace with their counts, and the records of the one picked, in a
 *  virtualised table with search. Adding a file goes through AddDatasetDialog. */
class DatasetsPanel : public QWidget {
    Q_OBJECT

public:
    explicit DatasetsPanel(Workbench& workbench, QWidget* parent = nullptr);

    /** Asks for a file, previews it and adds it. */
    void addFile(const QString& file);
    QTableWidget& datasetTable() { return *datasets_; }
    RecordTableModel& records() { return *records_; }
    QLineEdit& search() { return *search_; }

private:
    void refresh();
    void showRecords();

    Workbench& workbench_;
    QTableWidget* datasets_;
    QLineEdit* search_;
    QLabel* shown_;
    QTableView* recordView_;
    QTextBrowser* details_;
    RecordTableModel* records_;
};

}  // namespace amalgam
