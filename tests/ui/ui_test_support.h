#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <ostream>

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QScrollBar>
#include <QStringList>
#include <QTableView>
#include <QThread>
#include <QWidget>

#include "test_support.h"
#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"

namespace amalgam::test {

inline QString qpath(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

/** A dataset of resources/examples as the workbench adds it. */
inline DatasetSpec spec(const std::string& name, const std::string& file, std::optional<std::string> label = std::nullopt,
                        std::optional<Direction> direction = std::nullopt) {
    DatasetSpec s;
    s.name = name;
    s.path = examples_dir() / file;
    s.label = std::move(label);
    s.direction = direction;
    return s;
}

/** Runs the event loop until `done` holds or `ms` pass; returns whether it held. */
inline bool waitUntil(const std::function<bool()>& done, int ms = 30000) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    QCoreApplication::processEvents();
    return true;
}

/** Waits for the workbench's background task; returns its error (empty on success). */
inline QString finishTask(Workbench& workbench) {
    QString error;
    bool ended = !workbench.task().running();
    auto connection = QObject::connect(&workbench.task(), &BackgroundTask::finished, [&](const QString& e) {
        error = e;
        ended = true;
    });
    waitUntil([&] { return ended; });
    QObject::disconnect(connection);
    return error;
}

/** "TABLE row R" for each row a table shows only in part, where it could show it whole: a
 *  table sized to its rows (fixed height) never may, and neither may a table that does not
 *  scroll. A scrolling table's last row is cut by the height the window gives it. */
inline QStringList partlyShownRows(QWidget& panel) {
    QStringList cut;
    for (QTableView* table : panel.findChildren<QTableView*>()) {
        if (!table->isVisibleTo(&panel) || !table->model()) continue;
        const bool sizedToRows = table->sizePolicy().verticalPolicy() == QSizePolicy::Fixed;
        if (!sizedToRows && table->verticalScrollBar()->isVisible()) continue;
        const int height = table->viewport()->height();
        for (int r = table->rowAt(0); r >= 0 && r < table->model()->rowCount(); ++r) {
            const int top = table->rowViewportPosition(r);
            if (top >= height) break;
            if (top + table->rowHeight(r) > height) cut << QString("%1 row %2").arg(table->objectName().isEmpty() ? table->metaObject()->className() : table->objectName()).arg(r);
        }
    }
    return cut;
}

/** Saves a widget as build/screenshots/NAME.png. */
inline void saveScreenshot(QWidget& widget, const QString& name) {
    QDir().mkpath(AMALGAM_SCREENSHOT_DIR);
    widget.grab().save(QDir(AMALGAM_SCREENSHOT_DIR).filePath(name + ".png"));
}

}  // namespace amalgam::test

// Readable QStrings in GoogleTest messages.
inline void PrintTo(const QString& s, std::ostream* out) { *out << '"' << s.toStdString() << '"'; }
inline std::ostream& operator<<(std::ostream& out, const QString& s) { return out << s.toStdString(); }
