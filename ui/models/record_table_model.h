#pragma once

#include <memory>
#include <string>
#include <vector>

#include <QAbstractTableModel>

#include "core/curate/curation.h"

namespace amalgam {

/** The prompts of one dataset as a table (id, prompt, answers, labels), virtualised: views
 *  ask only for the rows they draw, so a dataset shows at once however large. A
 *  case-insensitive search over ids and prompt texts narrows the rows; it scans lower-cased
 *  copies made at the dataset's first search. */
class RecordTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { IdColumn, PromptColumn, AnswersColumn, LabelsColumn, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setDataset(std::shared_ptr<const CurationSource> source);
    const std::shared_ptr<const CurationSource>& source() const { return source_; }
    void setSearch(const QString& text);
    /** The dataset's prompt index shown in a row. */
    std::size_t promptAt(int row) const {
        return searched_ ? rows_.at(static_cast<std::size_t>(row)) : static_cast<std::size_t>(row);
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::shared_ptr<const CurationSource> source_;
    std::vector<std::string> lowered_;  ///< id + "\n" + prompt, lower-cased, per prompt (from the first search)
    bool searched_ = false;             ///< whether rows_ holds a search's rows, or every prompt is shown
    std::vector<std::size_t> rows_;
};

}  // namespace amalgam
