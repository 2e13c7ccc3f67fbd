#include "ui/views/table_fit.h"

#include <algorithm>

#include <QEvent>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>

namespace amalgam {
namespace {

/** Calls `fit` whenever the table's model changes shape or the table's viewport is resized. */
template <class Fit>
void follow(QTableView* table, Fit fit) {
    struct Watcher : QObject {
        Fit fit;
        Watcher(QObject* parent, Fit f) : QObject(parent), fit(std::move(f)) {}
        bool eventFilter(QObject*, QEvent* event) override {
            if (event->type() == QEvent::Resize || event->type() == QEvent::Show || event->type() == QEvent::FontChange) fit();
            return false;
        }
    };
    auto* watcher = new Watcher(table, fit);
    table->viewport()->installEventFilter(watcher);
    table->installEventFilter(watcher);
    QAbstractItemModel* model = table->model();
    QObject::connect(model, &QAbstractItemModel::modelReset, table, fit);
    QObject::connect(model, &QAbstractItemModel::layoutChanged, table, fit);
    QObject::connect(model, &QAbstractItemModel::rowsInserted, table, fit);
    QObject::connect(model, &QAbstractItemModel::rowsRemoved, table, fit);
    QObject::connect(model, &QAbstractItemModel::dataChanged, table, fit);
    fit();
}

}  // namespace

void fitHeightToRows(QTableView* table, int maxRows) {
    table->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    table->setSizePolicy(table->sizePolicy().horizontalPolicy(), QSizePolicy::Fixed);
    follow(table, [table, maxRows] {
        const int count = table->model()->rowCount();
        int rows = 0;  // the height of the rows shown: every row up to maxRows, at least one row's worth
        for (int r = 0; r < std::min(count, maxRows); ++r) rows += table->verticalHeader()->sectionSize(r);
        if (count == 0) rows = table->verticalHeader()->defaultSectionSize();
        const int header = table->horizontalHeader()->isHidden() ? 0 : table->horizontalHeader()->sizeHint().height();
        const int scrollBar = table->horizontalScrollBar()->isVisible() ? table->horizontalScrollBar()->sizeHint().height() : 0;
        const int height = header + rows + scrollBar + 2 * table->frameWidth();
        if (table->height() != height) table->setFixedHeight(height);
    });
}

void fillWidth(QTableView* table) {
    QHeaderView* header = table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(false);
    follow(table, [table, header] {
        const int columns = table->model()->columnCount();
        if (columns == 0) return;
        table->resizeColumnsToContents();
        int used = 0;
        for (int c = 0; c < columns; ++c) used += header->sectionSize(c);
        const int spare = table->viewport()->width() - used;
        if (spare <= 0) return;
        for (int c = 0; c < columns; ++c) header->resizeSection(c, header->sectionSize(c) + spare / columns + (c < spare % columns));
    });
}

}  // namespace amalgam
