#include "ui/views/table_fit.h"

#include <algorithm>

#include <QEvent>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

namespace amalgam {
namespace {

/** Calls `fit` soon after the table's model changes shape or its viewport is resized. The
 *  call goes through a zero timer owned by the watcher, a child of the table: a table being
 *  destroyed (whose model may still signal as it goes) takes the timer with it, so `fit` only
 *  ever sees a whole table, and a burst of changes costs one fit. */
template <class Fit>
void follow(QTableView* table, Fit fit) {
    struct Watcher : QObject {
        QTimer timer;
        Watcher(QObject* parent, Fit f) : QObject(parent) {
            timer.setSingleShot(true);
            timer.setInterval(0);
            connect(&timer, &QTimer::timeout, this, std::move(f));
        }
        bool eventFilter(QObject*, QEvent* event) override {
            if (event->type() == QEvent::Resize || event->type() == QEvent::Show || event->type() == QEvent::FontChange) timer.start();
            return false;
        }
    };
    auto* watcher = new Watcher(table, fit);
    table->viewport()->installEventFilter(watcher);
    table->installEventFilter(watcher);
    QAbstractItemModel* model = table->model();
    auto later = [watcher] { watcher->timer.start(); };
    QObject::connect(model, &QAbstractItemModel::modelReset, watcher, later);
    QObject::connect(model, &QAbstractItemModel::layoutChanged, watcher, later);
    QObject::connect(model, &QAbstractItemModel::rowsInserted, watcher, later);
    QObject::connect(model, &QAbstractItemModel::rowsRemoved, watcher, later);
    QObject::connect(model, &QAbstractItemModel::dataChanged, watcher, later);
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
