#include "ui/models/comparison_table_model.h"

#include <algorithm>

#include <QColor>
#include <QFont>

namespace amalgam {

ComparisonTableModel::ComparisonTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ComparisonTableModel::setRows(std::vector<ComparisonRow> rows, std::optional<std::size_t> baseline, std::vector<QString> origins) {
    beginResetModel();
    rows_ = std::move(rows);
    baseline_ = baseline;
    origins_ = std::move(origins);
    origins_.resize(rows_.size());
    best_ = best_rows(rows_);
    endResetModel();
}

QString ComparisonTableModel::cellText(std::size_t r, std::size_t c) const {
    const ComparisonRow& row = rows_[r];
    if (!row.values[c]) return {};
    QString text = QString::fromStdString(metric_text(*row.values[c]));
    if (row.intervals[c]) text += "  " + QString::fromStdString(interval_text(*row.intervals[c]));
    if (row.differences[c] && baseline_ && *baseline_ != r) {
        text += "\n\u0394 " + QString::fromStdString(metric_text(*row.differences[c], true));
        if (const auto& i = row.difference_intervals[c]) text += "  " + QString::fromStdString(interval_text(*i, true)) + (i->excludes_zero() ? "*" : "");
    }
    return text;
}

QVariant ComparisonTableModel::cellTint(std::size_t r, std::size_t c) const {
    const auto& i = rows_[r].difference_intervals[c];
    if (!i || !i->excludes_zero() || !baseline_ || *baseline_ == r) return {};
    const bool better = comparison_columns()[c].lower_is_better ? i->hi < 0 : i->lo > 0;
    return better ? QColor(214, 240, 214) : QColor(248, 218, 218);
}

int ComparisonTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }

int ComparisonTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 1 + static_cast<int>(comparison_columns().size());
}

QVariant ComparisonTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
    const ComparisonRow& row = rows_[static_cast<std::size_t>(index.row())];
    const auto r = static_cast<std::size_t>(index.row());
    if (index.column() == 0) {
        if (role == Qt::DisplayRole) return QString::fromStdString(row.label) + (baseline_ == r ? tr(" (baseline)") : QString());
        if (role == Qt::ToolTipRole && !origins_[r].isEmpty()) return origins_[r];
        return {};
    }
    const std::size_t c = static_cast<std::size_t>(index.column() - 1);
    const auto& value = row.values[c];
    switch (role) {
        case Qt::DisplayRole: return value ? QVariant(cellText(r, c)) : QVariant();
        case Qt::BackgroundRole: return cellTint(r, c);
        case Qt::UserRole: return value ? QVariant(*value) : QVariant();  // the number, for charts and sorting
        case Qt::TextAlignmentRole: return QVariant(static_cast<int>(Qt::AlignRight | Qt::AlignVCenter));
        case Qt::FontRole: {
            if (!is_best(rows_, best_, static_cast<std::size_t>(index.row()), c)) return {};
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        default: return {};
    }
}

QVariant ComparisonTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount()) return {};
    if (section == 0) return tr("Model");
    return QString::fromUtf8(comparison_columns()[static_cast<std::size_t>(section - 1)].heading);
}

void ComparisonTableModel::sort(int column, Qt::SortOrder order) {
    if (column < 0 || column >= columnCount()) return;
    std::vector<int> order_of(rows_.size());  // new position -> old row
    for (std::size_t i = 0; i < order_of.size(); ++i) order_of[i] = static_cast<int>(i);
    auto less = [&](int ia, int ib) {
        const ComparisonRow& a = rows_[static_cast<std::size_t>(ia)];
        const ComparisonRow& b = rows_[static_cast<std::size_t>(ib)];
        if (column == 0) return order == Qt::AscendingOrder ? a.label < b.label : a.label > b.label;
        const auto& x = a.values[static_cast<std::size_t>(column - 1)];
        const auto& y = b.values[static_cast<std::size_t>(column - 1)];
        if (x.has_value() != y.has_value()) return x.has_value();  // rows without the metric go last
        if (!x) return false;
        return order == Qt::AscendingOrder ? *x < *y : *x > *y;
    };
    std::stable_sort(order_of.begin(), order_of.end(), less);

    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    std::vector<int> new_row(rows_.size());
    std::vector<ComparisonRow> sorted;
    std::vector<QString> origins;
    for (std::size_t i = 0; i < order_of.size(); ++i) {
        const auto from = static_cast<std::size_t>(order_of[i]);
        new_row[from] = static_cast<int>(i);
        sorted.push_back(std::move(rows_[from]));
        origins.push_back(origins_[from]);
    }
    rows_ = std::move(sorted);
    origins_ = std::move(origins);
    if (baseline_) baseline_ = static_cast<std::size_t>(new_row[*baseline_]);
    best_ = best_rows(rows_);
    QModelIndexList from = persistentIndexList(), to;
    for (const QModelIndex& i : from) to.append(index(new_row[static_cast<std::size_t>(i.row())], i.column()));
    changePersistentIndexList(from, to);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

}  // namespace amalgam
