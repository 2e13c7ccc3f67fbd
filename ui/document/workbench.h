#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QString>

#include "core/curate/curation.h"
#include "core/recipe/recipe.h"
#include "ui/commands/document_commands.h"

class QUndoStack;

namespace amalgam {

class BackgroundTask;
class Experiments;
class JobQueue;
class Workspace;

/** The open workspace as the workbench edits it: the recipe (datasets, labels, curation
 *  settings, fraction), the datasets read from it, the current curation, the researcher's
 *  exclusions and forcings, and the selection they give. Every change is written to the
 *  workspace at once, so reopening it restores the same state. Slow work (importing,
 *  embedding, clustering) runs in task(), off the UI thread; model work runs in jobs(), training
 *  runs and evaluations through experiments(). */
class Workbench : public QObject {
    Q_OBJECT

public:
    explicit Workbench(QObject* parent = nullptr);
    ~Workbench() override;

    /** Opens a workspace file (creating it when absent) and restores its datasets and
     *  curation in the background; returns why it could not, or nothing. */
    QString open(const QString& path);
    bool isOpen() const { return workspace_ != nullptr; }
    QString path() const { return path_; }
    Workspace& workspace() { return *workspace_; }

    const Recipe& recipe() const { return recipe_; }
    /** The datasets read so far, in recipe order (a dataset still importing is missing). */
    const std::vector<std::shared_ptr<const CurationSource>>& datasets() const { return datasets_; }
    std::shared_ptr<const Curation> curation() const { return curation_; }
    const std::vector<bool>& selected() const { return selected_; }
    /** The unpaired rows cut at the same fraction. */
    const std::vector<bool>& unpairedSelected() const { return unpairedSelected_; }
    /** The selection's pairs and selected pairs per source and per cluster, and its unpaired rows. */
    const SelectionCounts& counts() const { return counts_; }
    double fraction() const { return recipe_.fractions.front(); }
    const PairOverrides& overrides() const { return overrides_; }
    BackgroundTask& task() { return *task_; }
    JobQueue& jobs() { return *jobs_; }
    /** The workspace's training runs and evaluations. */
    Experiments& experiments() { return *experiments_; }
    /** The edits made since the workspace was opened, to undo and redo. */
    QUndoStack& undoStack() { return *undo_; }

    /** The edits below are commands on undoStack(); each is written to the workspace at once. */

    /** Imports a dataset in the background and adds it to the recipe; a file that does not
     *  read is reported through failed() and changes nothing. */
    void addDataset(const DatasetSpec& spec);
    void removeDataset(const std::string& name);
    /** The label that orders a graded dataset and its direction; the curation must run again. */
    void setLabel(const std::string& name, const LabelSetting& choice);
    /** The diversity settings (embedder, k, restarts, seed); the curation must run again. */
    void setSettings(const CurationSettings& settings);
    /** Unify, embed, cluster and project in the background (the hashing embedder in this
     *  process; a model embedder as an amalgam-cli job), then store the curation. */
    void runCuration();
    /** A new cut of the current curation: instant, nothing is embedded again. */
    void setFraction(double fraction);
    /** Forces (true) or excludes (false) pairs of the current curation, or forgets that (nullopt). */
    void setOverride(const std::vector<std::size_t>& pairs, std::optional<bool> keep);
    /** Takes a queued or ended job that no run refers to out of the job list; returns why
     *  not, or nothing. */
    QString removeJob(std::int64_t id);
    /** Writes D_train (train.jsonl, summary.json, points.csv) into `dir` as amalgam-cli curate
     *  does and stores the selection, in the background; `exported` or `failed` follows. */
    void exportTrain(const QString& dir);
    /** Whether labels or settings changed since the current curation was made. */
    bool curationOutdated() const;
    /** The recipe as a file amalgam-cli curate runs. */
    QString saveRecipe(const QString& file);

signals:
    void opened();
    void datasetsChanged();
    void curationChanged();
    void selectionChanged();
    void resultsChanged();
    void recipeChanged();
    void exported(const QString& dir);
    void failed(const QString& error);

private:
    friend class SetLabelCommand;
    friend class SetFractionCommand;
    friend class SetSettingsCommand;
    friend class SetOverridesCommand;
    friend class DatasetCommand;
    // What the commands do and undo.
    void applyLabel(const std::string& name, const LabelSetting& choice);
    void applyFraction(double fraction);
    void applySettings(const CurationSettings& settings);
    void applyOverrides(const PairDecisions& decisions);
    void insertDataset(std::size_t position, const DatasetSpec& spec, std::shared_ptr<const CurationSource> source);
    void eraseDataset(const std::string& name);

    void storeRecipe();
    /** Starts work in task(), or says that other work runs. */
    void run(const QString& title, std::function<void(Progress&)> work, std::function<void()> done);
    void restore();
    void reselect();
    void setCuration(std::shared_ptr<const Curation> curation, std::string curatedWith);
    std::string recipeForCuration() const;

    std::unique_ptr<Workspace> workspace_;
    QString path_;
    Recipe recipe_;
    std::vector<std::shared_ptr<const CurationSource>> datasets_;
    std::shared_ptr<const Curation> curation_;
    std::string curatedWith_;  ///< the recipe, fraction aside, that made curation_
    PairOverrides overrides_;
    std::vector<bool> selected_;
    std::vector<bool> unpairedSelected_;
    SelectionCounts counts_;
    BackgroundTask* task_;
    JobQueue* jobs_;
    QUndoStack* undo_;
    Experiments* experiments_;
};

}  // namespace amalgam
