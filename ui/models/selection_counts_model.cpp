#include "ui/models/selection_counts_model.h"

#include <QFont>

namespace amalgam {

void SelectionCountsModel::setSelection(std::shared_ptr<const Curation> curation, const SelectionCounts& counts) {
    const bool sameShape = curation == curation_;
    if (!sameShape) beginResetModel();
    curation_ = std::move(curation);
    counts_ = counts;
    if (!sameShape) endResetModel();
    else if (rowCount() > 0) emit dataChanged(index(0, PairsColumn), index(rowCount() - 1, ColumnCount - 1));
}

int SelectionCountsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(counts_.source_pairs.size() + counts_.cluster_pairs.size());
}

int SelectionCountsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SelectionCountsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto row = static_cast<std::size_t>(index.row());
    const bool isSource = row < counts_.source_pairs.size();
    const std::size_t k = row - counts_.source_pairs.size();
    if (role == Qt::FontRole && isSource) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::TextAlignmentRole && index.column() != GroupColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    const std::size_t pairs = isSource ? counts_.source_pairs[row] : counts_.cluster_pairs[k];
    const std::size_t selected = isSource ? counts_.source_selected[row] : counts_.cluster_selected[k];
    const std::size_t unpaired = isSource ? counts_.source_unpaired[row] : counts_.cluster_unpaired[k];
    const std::size_t unpairedSelected = isSource ? counts_.source_unpaired_selected[row] : counts_.cluster_unpaired_selected[k];
    switch (index.column()) {
    case GroupColumn: return isSource ? QString::fromStdString(curation_->sources[row].name) : tr("cluster %1").arg(k);
    case PairsColumn: return static_cast<qulonglong>(pairs);
    case SelectedColumn: return static_cast<qulonglong>(selected);
    case ShareColumn: return pairs ? QString("%1%").arg(100.0 * static_cast<double>(selected) / static_cast<double>(pairs), 0, 'f', 1) : QString("\u2013");
    case UnpairedColumn: return static_cast<qulonglong>(unpaired);
    case UnpairedSelectedColumn: return static_cast<qulonglong>(unpairedSelected);
    default: return {};
    }
}

QVariant SelectionCountsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && section == UnpairedColumn)
        return tr("Answers labelled desirable or undesirable on their own, for KTO (unpaired.jsonl): a pair's two answers, "
                  "and single answers that pairing drops");
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case GroupColumn: return tr("Source / cluster");
    case PairsColumn: return tr("Pairs");
    case SelectedColumn: return tr("Selected");
    case ShareColumn: return tr("Kept");
    case UnpairedColumn: return tr("Unpaired");
    case UnpairedSelectedColumn: return tr("Selected");
    default: return {};
    }
}

}  // namespace amalgam
