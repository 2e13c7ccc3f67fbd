#pragma once

#include <optional>

#include <QDialog>

namespace amalgam {

class Workbench;

/** One pair of the curation as a record: source, id, cluster, quality, whether it is in
 *  D_train, the prompt with its context, the chosen and the rejected answer; and buttons to
 *  exclude it, force it in, or forget that decision. */
class PairDialog : public QDialog {
    Q_OBJECT

public:
    PairDialog(Workbench& workbench, std::size_t pair, QWidget* parent = nullptr);
    /** The record as the dialog shows it (HTML). */
    static QString describe(const Workbench& workbench, std::size_t pair);
};

}  // namespace amalgam
