#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QUndoCommand>

#include "core/curate/curation.h"
#include "core/recipe/recipe.h"
#include "core/store/dataset_store.h"
#include "ui/document/document_types.h"

namespace amalgam {

class Workbench;

/** The edits of the workbench's document. Each puts back, when undone, exactly what it
 *  changed: the recipe, the overrides, the datasets read. */
class SetLabelCommand : public QUndoCommand {
public:
    SetLabelCommand(Workbench& workbench, std::string dataset, LabelSetting before, LabelSetting after);
    void undo() override;
    void redo() override;

private:
    Workbench& workbench_;
    std::string dataset_;
    LabelSetting before_, after_;
};

/** A new cut of the curation. The steps of one slider drag merge into one command. */
class SetFractionCommand : public QUndoCommand {
public:
    SetFractionCommand(Workbench& workbench, double before, double after);
    void undo() override;
    void redo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    Workbench& workbench_;
    double before_, after_;
};

/** New diversity settings (embedder, its model, k, restarts, seed); the curation must run again. */
class SetSettingsCommand : public QUndoCommand {
public:
    SetSettingsCommand(Workbench& workbench, CurationSettings before, CurationSettings after);
    void undo() override;
    void redo() override;

private:
    Workbench& workbench_;
    CurationSettings before_, after_;
};

/** Forces, excludes or releases pairs; undone, each pair gets back its own earlier decision. */
class SetOverridesCommand : public QUndoCommand {
public:
    SetOverridesCommand(Workbench& workbench, PairDecisions before, PairDecisions after);
    void undo() override;
    void redo() override;

private:
    Workbench& workbench_;
    PairDecisions before_, after_;
};

/** Adds a dataset that has been read (the import ran before, off the UI thread), or removes
 *  one: the same edit in the two directions. An addition whose import made the workspace's
 *  stored copy of the file takes that copy out when undone and puts it back when redone. */
class DatasetCommand : public QUndoCommand {
public:
    enum class Action { Add, Remove };
    DatasetCommand(Workbench& workbench, Action action, std::size_t position, DatasetSpec spec, std::shared_ptr<const CurationSource> source,
                   bool importedNow = false);
    void undo() override;
    void redo() override;

private:
    void apply(bool add);

    Workbench& workbench_;
    Action action_;
    std::size_t position_;
    DatasetSpec spec_;
    std::shared_ptr<const CurationSource> source_;
    bool importedNow_;
    std::optional<StoredImport> stored_;  ///< while undone
};

}  // namespace amalgam
