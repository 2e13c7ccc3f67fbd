#pragma once

#include <QComboBox>

#include "core/util/name_table.h"

namespace amalgam {

/** Offers an enum's values in a combo box under the names its one table gives them, so that a
 *  view never spells a name of its own. */
template <typename Enum, std::size_t N>
void add_names(QComboBox* box, const NameTable<Enum, N>& table) {
    for (Enum value : table.values()) box->addItem(QString::fromUtf8(table.name(value)));
}

template <typename Enum>
Enum chosen(const QComboBox* box) {
    return parse_name<Enum>(box->currentText().toStdString());
}

template <typename Enum>
void choose(QComboBox* box, Enum value) {
    box->setCurrentText(QString::fromUtf8(to_string(value)));
}

}  // namespace amalgam
