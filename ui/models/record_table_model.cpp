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
    if (source_) {
        const auto& prompts = source_->dataset.prompts;
        lowered_.reserve(prompts.size());
        for (const auto& p : prompts) lowered_.push_back(lower(p.source_id + "\n" + p.text));
        rows_.resize(prompts.size());
        for (std::size_t i = 0; i < rows_.size(); ++i) rows_[i] = i;
    }
    endResetModel();
}

void RecordTableModel::setSearch(const QString& text) {
    const std::string needle = lower(text.toStdString());
    beginResetModel();
    rows_.clear();
    for (std::size_t i = 0; i < lowered_.size(); ++i)
        if (needle.empty() || lowered_[i].find(needle) != std::string::npos) rows_.push_back(i);
    endResetModel();
}

int RecordTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }

int RecordTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RecordTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const Prompt& p = source_->dataset.prompts[rows_[static_cast<std::size_t>(index.row())]];
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
