#pragma once

#include <memory>

#include <QDialog>

#include "core/recipe/recipe.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTableWidget;
class QTextBrowser;

namespace amalgam {

class BackgroundTask;
class RecordTableModel;

/** Adding one dataset file: its format (detected, or chosen), its name and role, how the
 *  file's fields map onto prompt / answers / labels for generic files, the label that orders
 *  graded data, and a preview of the records as they will be read. A file that does not read
 *  shows file:line and the reason, and cannot be added. */
class AddDatasetDialog : public QDialog {
    Q_OBJECT

public:
    AddDatasetDialog(const QString& file, QWidget* parent = nullptr);
    ~AddDatasetDialog() override;

    DatasetSpec spec() const;
    /** The preview's error, empty when the file reads. */
    QString error() const { return error_; }
    RecordTableModel& preview() { return *preview_; }
    BackgroundTask& task() { return *task_; }
    void setFormat(const QString& format);
    void setField(const QString& canonical, const QString& field);

private:
    void refresh();

    QString file_;
    QString error_;
    bool refreshPending_ = false;  ///< settings changed while a preview was reading
    QLineEdit* name_;
    QComboBox* format_;
    QComboBox* role_;
    QComboBox* label_;
    QComboBox* direction_;
    QTableWidget* fields_;
    QLabel* status_;
    QTableView* table_;
    QTextBrowser* details_;
    QDialogButtonBox* buttons_;
    RecordTableModel* preview_;
    BackgroundTask* task_;
};

}  // namespace amalgam
