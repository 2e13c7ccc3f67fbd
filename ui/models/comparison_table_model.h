#pragma once

#include <vector>

#include <QAbstractTableModel>

#include "core/eval/comparison_table.h"

namespace amalgam {

/** The paper's Table 1 as a Qt model: one row per stored evaluation, the label and the six
 *  metric columns; the best value of each column is bold, and every column sorts. */
class ComparisonTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    explicit ComparisonTableModel(QObject* parent = nullptr);

    void setRows(std::vector<ComparisonRow> rows);
    const std::vector<ComparisonRow>& rows() const { return rows_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    std::vector<ComparisonRow> rows_;
    std::vector<std::optional<std::size_t>> best_;
};

}  // namespace amalgam
