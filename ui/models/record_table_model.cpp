#include "ui/models/record_table_model.h"

#include <algorithm>
#include <cctype>

namespace amalgam {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

QString labelsText(const Prompt& p) {
    QStringList parts;
    for (std::size_t a = 0; a < p.responses.size(); ++a) {
        QStringList labels;
        for (const auto& [name, value] : p.responses[a].labels) labels << QString("%1=%2").arg(QString::fromStdString(name)).arg(value, 0, 'g', 3);
        if (!labels.isEmpty()) parts << QString("#%1 %2").arg(a + 1).arg(labels.join(' '));
    }
    return parts.isEmpty() ? QString::fromUtf8(to_string(p.supervision)) : parts.join("; ");
}

}  // namespace

void RecordTableModel::setDataset(std::shared_ptr<const CurationSource> source) {
    beginResetModel();
    source_ = std::move(source);
    lowered_.clear();
    rows_.clear();
    searched_ = false;
    endResetModel();
}

void RecordTableModel::setSearch(const QString& text) {
    const std::string needle = lower(text.toStdString());
    beginResetModel();
    rows_.clear();
    searched_ = source_ && !needle.empty();
    if (searched_ && lowered_.empty()) {
        lowered_.reserve(source_->dataset.prompts.size());
        for (const auto& p : source_->dataset.prompts) lowered_.push_back(lower(p.source_id + "\n" + p.text));
    }
    if (searched_)
        for (std::size_t i = 0; i < lowered_.size(); ++i)
            if (lowered_[i].find(needle) != std::string::npos) rows_.push_back(i);
    endResetModel();
}

int RecordTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !source_) return 0;
    return static_cast<int>(searched_ ? rows_.size() : source_->dataset.prompts.size());
}

int RecordTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RecordTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const Prompt& p = source_->dataset.prompts[promptAt(index.row())];
    if (role == Qt::ToolTipRole && index.column() == PromptColumn) return QString::fromStdString(p.text);
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case IdColumn: return QString::fromStdString(p.source_id);
    case PromptColumn: return QString::fromStdString(p.text).simplified();
    case AnswersColumn: return static_cast<int>(p.responses.size());
    case LabelsColumn: return labelsText(p);
    default: return {};
    }
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole) return {};
    if (orientation == Qt::Vertical) return section + 1;
    switch (section) {
    case IdColumn: return tr("Id");
    case PromptColumn: return tr("Prompt");
    case AnswersColumn: return tr("Answers");
    case LabelsColumn: return tr("Labels");
    default: return {};
    }
}

}  // namespace amalgam
