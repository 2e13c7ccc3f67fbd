#pragma once

#include <optional>
#include <vector>

#include <QAbstractTableModel>

#include "core/eval/comparison_table.h"

namespace amalgam {

/** The paper's Table 1 as a Qt model: one row per stored evaluation, the label and the six
 *  metric columns; the best value of each column is bold, and every column sorts. A value
 *  shows its bootstrap interval below it and, against a baseline row, its difference with the
 *  paired interval; a difference whose interval excludes 0 is starred and tinted green where
 *  it is better, red where worse. The label's tooltip tells where the row came from. */
class ComparisonTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    explicit ComparisonTableModel(QObject* parent = nullptr);

    /** `origins` (one per row, or none) are the labels' tooltips. */
    void setRows(std::vector<ComparisonRow> rows, std::optional<std::size_t> baseline = std::nullopt, std::vector<QString> origins = {});
    const std::vector<ComparisonRow>& rows() const { return rows_; }
    std::optional<std::size_t> baseline() const { return baseline_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    QString cellText(std::size_t row, std::size_t column) const;
    QVariant cellTint(std::size_t row, std::size_t column) const;

    std::vector<ComparisonRow> rows_;
    std::optional<std::size_t> baseline_;
    std::vector<QString> origins_;
    std::vector<std::optional<std::size_t>> best_;
};

}  // namespace amalgam
