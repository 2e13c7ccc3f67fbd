#pragma once

class QLineEdit;
class QWidget;

namespace amalgam {

enum class PathKind { Folder, File };

/** A line edit with a Browse button that picks a folder or a file into it. */
QWidget* pathField(QLineEdit* edit, PathKind kind, QWidget* parent);

}  // namespace amalgam
