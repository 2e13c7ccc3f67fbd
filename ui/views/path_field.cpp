#include "ui/views/path_field.h"

#include <algorithm>

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace amalgam {

QWidget* pathField(QLineEdit* edit, PathKind kind, QWidget* parent) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* browse = new QPushButton(QObject::tr("Browse\u2026"), row);
    // Wide enough for its hint or its path (within reason), so a dialog is sized to show them.
    const QFontMetrics metrics = edit->fontMetrics();
    const int wanted = std::max(metrics.horizontalAdvance(edit->placeholderText()), metrics.horizontalAdvance(edit->text()));
    edit->setMinimumWidth(std::min(wanted + 3 * metrics.averageCharWidth(), 64 * metrics.averageCharWidth()));
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, edit, [edit, kind] {
        const QString path = kind == PathKind::Folder
                                 ? QFileDialog::getExistingDirectory(edit, QString(), edit->text())
                                 : QFileDialog::getOpenFileName(edit, QString(), edit->text(), QObject::tr("JSON lines (*.jsonl);;All files (*)"));
        if (!path.isEmpty()) edit->setText(path);
    });
    return row;
}

}  // namespace amalgam
