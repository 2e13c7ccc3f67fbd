#pragma once

#include <memory>

#include <QAbstractTableModel>

#include "core/curate/curation.h"

namespace amalgam {

/** The preview of a cut: one row per source, then one per cluster, with its pairs, the pairs
 *  selected and their share, then its unpaired rows and the rows selected. The counts are the
 *  core's (count_selection). */
class SelectionCountsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { GroupColumn, PairsColumn, SelectedColumn, ShareColumn, UnpairedColumn, UnpairedSelectedColumn, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setSelection(std::shared_ptr<const Curation> curation, const SelectionCounts& counts);
    const SelectionCounts& counts() const { return counts_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::shared_ptr<const Curation> curation_;
    SelectionCounts counts_;
};

}  // namespace amalgam
