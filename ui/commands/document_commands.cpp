#include "ui/commands/document_commands.h"

#include <QObject>

#include "core/store/workspace.h"
#include "ui/document/workbench.h"

namespace amalgam {

SetLabelCommand::SetLabelCommand(Workbench& workbench, std::string dataset, LabelSetting before, LabelSetting after)
    : workbench_(workbench), dataset_(std::move(dataset)), before_(std::move(before)), after_(std::move(after)) {
    setText(QObject::tr("Label of %1").arg(QString::fromStdString(dataset_)));
}

void SetLabelCommand::undo() { workbench_.applyLabel(dataset_, before_); }
void SetLabelCommand::redo() { workbench_.applyLabel(dataset_, after_); }

SetFractionCommand::SetFractionCommand(Workbench& workbench, double before, double after)
    : workbench_(workbench), before_(before), after_(after) {
    setText(QObject::tr("Fraction %1%").arg(qRound(after * 100)));
}

SetSettingsCommand::SetSettingsCommand(Workbench& workbench, CurationSettings before, CurationSettings after)
    : workbench_(workbench), before_(std::move(before)), after_(std::move(after)) {
    setText(QObject::tr("Curation settings"));
}

void SetSettingsCommand::undo() { workbench_.applySettings(before_); }
void SetSettingsCommand::redo() { workbench_.applySettings(after_); }

void SetFractionCommand::undo() { workbench_.applyFraction(before_); }
void SetFractionCommand::redo() { workbench_.applyFraction(after_); }

bool SetFractionCommand::mergeWith(const QUndoCommand* other) {
    after_ = static_cast<const SetFractionCommand*>(other)->after_;
    setText(QObject::tr("Fraction %1%").arg(qRound(after_ * 100)));
    setObsolete(after_ == before_);
    return true;
}

SetOverridesCommand::SetOverridesCommand(Workbench& workbench, PairDecisions before, PairDecisions after)
    : workbench_(workbench), before_(std::move(before)), after_(std::move(after)) {
    const auto keep = after_.empty() ? std::nullopt : after_.begin()->second;
    const QString what = !keep ? QObject::tr("Release") : *keep ? QObject::tr("Force") : QObject::tr("Exclude");
    setText(QObject::tr("%1 %n pair(s)", nullptr, static_cast<int>(after_.size())).arg(what));
}

void SetOverridesCommand::undo() { workbench_.applyOverrides(before_); }
void SetOverridesCommand::redo() { workbench_.applyOverrides(after_); }

DatasetCommand::DatasetCommand(Workbench& workbench, Action action, std::size_t position, DatasetSpec spec,
                               std::shared_ptr<const CurationSource> source, bool importedNow)
    : workbench_(workbench), action_(action), position_(position), spec_(std::move(spec)), source_(std::move(source)),
      importedNow_(importedNow) {
    setText((action == Action::Add ? QObject::tr("Add %1") : QObject::tr("Remove %1")).arg(QString::fromStdString(spec_.name)));
}

void DatasetCommand::undo() { apply(action_ != Action::Add); }
void DatasetCommand::redo() { apply(action_ == Action::Add); }

void DatasetCommand::apply(bool add) {
    if (add) {
        if (stored_) workbench_.workspace().datasets().put(*std::exchange(stored_, std::nullopt));
        workbench_.insertDataset(position_, spec_, source_);
    } else {
        workbench_.eraseDataset(spec_.name);
        if (importedNow_ && action_ == Action::Add) stored_ = workbench_.workspace().datasets().take(spec_.path);
    }
}

}  // namespace amalgam
