#include "ui/document/workbench.h"

#include <tuple>

#include <QDir>
#include <QFileInfo>
#include <QUndoStack>

#include "core/curate/curation_output.h"
#include "core/embed/hashing_embedder.h"
#include "core/recipe/recipe_sources.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "ui/commands/job_commands.h"
#include "ui/document/experiments.h"
#include "ui/jobs/background_task.h"
#include "ui/jobs/job_queue.h"

namespace amalgam {
namespace {

const char* kRecipeKey = "recipe";
const char* kBusy = QT_TRANSLATE_NOOP("Workbench", "wait for the running task to finish, or cancel it");

/** The training sources of a recipe from the datasets read, labels resolved now. */
std::vector<CurationSource> training_sources(const Recipe& recipe, const std::vector<std::shared_ptr<const CurationSource>>& read) {
    std::vector<CurationSource> out;
    for (const DatasetSpec& spec : recipe.datasets) {
        if (spec.role != DatasetRole::Train) continue;
        for (const auto& d : read)
            if (d->name == spec.name) out.push_back({d->name, d->path, d->dataset, resolve_label(spec, d->dataset.format)});
    }
    if (out.empty()) throw std::invalid_argument("no training dataset: add one first");
    return out;
}

/** Stores a curation's selection (with every pair's cluster and position) so that the
 *  workspace restores it. */
void store_selection(Workspace& w, const Recipe& recipe, const Curation& c, const std::vector<bool>& selected, double fraction) {
    const std::int64_t recipe_id = w.selections().save_recipe("workbench", to_yaml(recipe));
    w.selections().save(recipe_id, selection_record(c, selected, fraction));
}

}  // namespace

Workbench::Workbench(QObject* parent)
    : QObject(parent), task_(new BackgroundTask(this)), jobs_(new JobQueue(this)), undo_(new QUndoStack(this)),
      experiments_(new Experiments(*jobs_, *undo_, this)) {
    connect(jobs_, &JobQueue::jobEnded, this, [this](std::int64_t, JobState state, const WorkerJob& job) {
        if (state == JobState::Finished && kind_of(job) == JobKind::Curate) restore();
    });
    connect(experiments_, &Experiments::resultsChanged, this, &Workbench::resultsChanged);
}

Workbench::~Workbench() {
    task_->cancel();
    task_->wait();
    jobs_->detach();  // before the workspace it uses goes
}

QString Workbench::open(const QString& path) {
    if (task_->running()) return tr(kBusy);
    std::unique_ptr<Workspace> workspace;
    Recipe recipe;
    try {
        workspace = std::make_unique<Workspace>(path.toStdString());
        if (auto text = workspace->settings().get(kRecipeKey); text && !text->empty())
            recipe = parse_recipe(*text, path.toStdString(), QFileInfo(path).absolutePath().toStdString(), std::nullopt);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    jobs_->detach();
    experiments_->attach(nullptr, {});
    undo_->clear();
    workspace_ = std::move(workspace);
    path_ = QFileInfo(path).absoluteFilePath();
    recipe_ = std::move(recipe);
    overrides_ = workspace_->selections().overrides();
    datasets_.clear();
    curation_.reset();
    selected_.clear();
    unpairedSelected_.clear();
    jobs_->attach(*workspace_, path_);
    experiments_->attach(workspace_.get(), path_);
    restore();  // first, so that the panels below see the datasets as being read
    emit opened();
    emit datasetsChanged();
    emit curationChanged();
    emit resultsChanged();
    return {};
}

void Workbench::restore() {
    if (recipe_.datasets.empty()) return;
    auto recipe = std::make_shared<Recipe>(recipe_);
    auto read = std::make_shared<std::vector<std::shared_ptr<const CurationSource>>>();
    auto curation = std::make_shared<std::shared_ptr<const Curation>>();
    auto problems = std::make_shared<QStringList>();
    std::string curatedWith = recipeForCuration();
    const std::string file = path_.toStdString();
    const bool started = task_->start(tr("Reading the workspace"), [recipe, read, curation, problems, file](Progress& progress) {
        Workspace w(file);
        progress.start("read", recipe->datasets.size());
        for (std::size_t i = 0; i < recipe->datasets.size(); ++i) {
            try {  // one unreadable file (moved, changed into garbage) must not hide the others
                read->push_back(std::make_shared<const CurationSource>(load_source(recipe->datasets[i], false, &w)));
            } catch (const std::exception& e) {
                *problems << QString::fromStdString(e.what());
            }
            progress.advance(i + 1);
        }
        progress.finish();
        if (auto stored = w.selections().latest()) {
            try {
                *curation = std::make_shared<const Curation>(
                    restore_curation(training_sources(*recipe, *read), recipe->curate, stored->clusters_used, stored->placements,
                                     stored->prompt_placements));
                (*curation)->pair_order();  // sorted here, off the UI thread, for the slider's cuts
                (*curation)->unpaired_order();
            } catch (const std::invalid_argument&) {
                // The datasets changed since: the map is gone until the curation runs again.
            }
        }
    }, [this, read, curation, problems, curatedWith] {
        datasets_ = *read;
        emit datasetsChanged();
        setCuration(*curation, curatedWith);
        if (!problems->isEmpty()) emit failed(tr("Some datasets could not be read:\n%1").arg(problems->join('\n')));
    });
    if (!started) emit failed(tr("A curation job finished while other work ran: reopen the workspace to see its map."));
}

void Workbench::addDataset(const DatasetSpec& spec) {
    for (const auto& d : recipe_.datasets)
        if (d.name == spec.name) {
            emit failed(tr("a dataset named %1 is already in the workspace").arg(QString::fromStdString(spec.name)));
            return;
        }
    auto source = std::make_shared<std::shared_ptr<const CurationSource>>();
    const std::string file = path_.toStdString();
    const std::string stored = std::filesystem::absolute(spec.path).lexically_normal().string();
    const auto known = workspace_->datasets().all();
    const bool importedNow = std::none_of(known.begin(), known.end(), [&](const DatasetRow& d) { return d.path == stored; });
    run(tr("Importing %1").arg(QString::fromStdString(spec.name)), [spec, source, file](Progress&) {
        Workspace w(file);
        *source = std::make_shared<const CurationSource>(load_source(spec, false, &w));
    }, [this, spec, source, importedNow] {
        DatasetSpec read = spec;
        read.format = (*source)->dataset.format;
        undo_->push(new DatasetCommand(*this, DatasetCommand::Action::Add, recipe_.datasets.size(), read, *source, importedNow));
    });
}

void Workbench::removeDataset(const std::string& name) {
    for (std::size_t i = 0; i < recipe_.datasets.size(); ++i) {
        if (recipe_.datasets[i].name != name) continue;
        std::shared_ptr<const CurationSource> source;
        for (const auto& d : datasets_)
            if (d->name == name) source = d;
        undo_->push(new DatasetCommand(*this, DatasetCommand::Action::Remove, i, recipe_.datasets[i], source));
        return;
    }
}

void Workbench::insertDataset(std::size_t position, const DatasetSpec& spec, std::shared_ptr<const CurationSource> source) {
    recipe_.datasets.insert(recipe_.datasets.begin() + static_cast<std::ptrdiff_t>(std::min(position, recipe_.datasets.size())), spec);
    if (source) {  // datasets_ follows the recipe's order
        auto at = datasets_.begin();
        for (std::size_t i = 0; i < position && at != datasets_.end(); ++i)
            if ((*at)->name == recipe_.datasets[i].name) ++at;
        datasets_.insert(at, std::move(source));
    }
    storeRecipe();
    emit datasetsChanged();
}

void Workbench::eraseDataset(const std::string& name) {
    auto& specs = recipe_.datasets;
    specs.erase(std::remove_if(specs.begin(), specs.end(), [&](const DatasetSpec& d) { return d.name == name; }), specs.end());
    datasets_.erase(std::remove_if(datasets_.begin(), datasets_.end(), [&](const auto& d) { return d->name == name; }), datasets_.end());
    storeRecipe();
    emit datasetsChanged();
}

void Workbench::setLabel(const std::string& name, const LabelSetting& choice) {
    for (const auto& d : recipe_.datasets) {
        const LabelSetting now{d.label, d.direction, d.threshold};
        if (d.name == name && !(now == choice)) undo_->push(new SetLabelCommand(*this, name, now, choice));
    }
}

void Workbench::applyLabel(const std::string& name, const LabelSetting& choice) {
    for (auto& d : recipe_.datasets)
        if (d.name == name) {
            d.label = choice.label;
            d.direction = choice.direction;
            d.threshold = choice.threshold;
        }
    storeRecipe();
    emit datasetsChanged();
}

void Workbench::setSettings(const CurationSettings& settings) {
    const CurationSettings& now = recipe_.curate;
    const auto key = [](const CurationSettings& s) { return std::make_tuple(s.embedder, s.model, s.clusters, s.restarts, s.seed, s.dedup); };
    if (key(settings) != key(now)) undo_->push(new SetSettingsCommand(*this, now, settings));
}

void Workbench::applySettings(const CurationSettings& settings) {
    recipe_.curate = settings;
    storeRecipe();
}

void Workbench::runCuration() {
    if (recipe_.curate.embedder != EmbedderKind::Hashing) {
        // Model embedders need libtorch, which lives in the workers: run the recipe as a job.
        const QString file = path_ + ".recipe.yaml";
        if (QString error = saveRecipe(file); !error.isEmpty()) {
            emit failed(error);
            return;
        }
        jobs_->enqueue(tr("Curate with %1").arg(to_string(recipe_.curate.embedder)),
                       CurateJob{file.toStdString(), (QFileInfo(path_).absolutePath() + "/curation").toStdString()});
        return;
    }
    auto recipe = std::make_shared<Recipe>(recipe_);
    auto read = datasets_;
    auto result = std::make_shared<std::shared_ptr<const Curation>>();
    std::string curatedWith = recipeForCuration();
    const std::string file = path_.toStdString();
    run(tr("Curating"), [recipe, read, result, file](Progress& progress) {
        auto c = std::make_shared<Curation>(curate(training_sources(*recipe, read), recipe->curate, HashingEmbedder(), progress));
        Workspace w(file);
        const double f = recipe->fractions.front();
        store_selection(w, *recipe, *c, c->select(f, w.selections().overrides()), f);
        *result = c;
    }, [this, result, curatedWith] { setCuration(*result, curatedWith); });
}

void Workbench::run(const QString& title, std::function<void(Progress&)> work, std::function<void()> done) {
    if (!task_->start(title, std::move(work), std::move(done))) emit failed(tr(kBusy));
}

void Workbench::setCuration(std::shared_ptr<const Curation> curation, std::string curatedWith) {
    curation_ = std::move(curation);
    curatedWith_ = std::move(curatedWith);
    reselect();  // first: whoever hears of the new curation sees its selection
    emit curationChanged();
    emit recipeChanged();
}

std::string Workbench::recipeForCuration() const {
    Recipe r = recipe_;
    r.fractions = {1.0};  // the cut is not part of the curation
    return r.datasets.empty() ? std::string() : to_yaml(r);
}

bool Workbench::curationOutdated() const { return curation_ && recipeForCuration() != curatedWith_; }

void Workbench::setFraction(double fraction) {
    if (fraction != this->fraction()) undo_->push(new SetFractionCommand(*this, this->fraction(), fraction));
}

void Workbench::applyFraction(double fraction) {
    recipe_.fractions = {fraction};
    storeRecipe();
    reselect();
}

void Workbench::setOverride(const std::vector<std::size_t>& pairs, std::optional<bool> keep) {
    if (!curation_) return;
    PairDecisions before, after;
    for (std::size_t i : pairs) {
        const PreferencePair& p = curation_->pairs.at(i);
        const PairKey key{p.source, p.source_id};
        auto it = overrides_.find(key);
        before[key] = it == overrides_.end() ? std::nullopt : std::optional<bool>(it->second);
        after[key] = keep;
    }
    if (before != after) undo_->push(new SetOverridesCommand(*this, std::move(before), std::move(after)));
}

void Workbench::applyOverrides(const PairDecisions& decisions) {
    std::map<std::optional<bool>, std::vector<PairKey>> by_decision;  // the workspace writes one decision at a time
    for (const auto& [key, keep] : decisions) {
        by_decision[keep].push_back(key);
        if (keep) overrides_[key] = *keep;
        else overrides_.erase(key);
    }
    for (const auto& [keep, keys] : by_decision) workspace_->selections().set_overrides(keys, keep);
    reselect();
}

QString Workbench::removeJob(std::int64_t id) {
    const JobQueue::Job* job = jobs_->find(id);
    if (!job) return tr("no such job");
    if (job->state == JobState::Running) return tr("%1 is running: cancel it first").arg(job->label);
    for (const auto& run : experiments_->runs())
        if (run.job_id == id) return tr("%1 trains run %2, which keeps it").arg(job->label, QString::fromStdString(run.label));
    undo_->push(new RemoveJobCommand(*jobs_, id, job->label));
    return {};
}

void Workbench::reselect() {
    selected_ = curation_ ? curation_->select(fraction(), overrides_) : std::vector<bool>{};
    unpairedSelected_ = curation_ ? curation_->select_unpaired(fraction()) : std::vector<bool>{};
    counts_ = curation_ ? count_selection(*curation_, selected_, unpairedSelected_) : SelectionCounts{};
    emit selectionChanged();
}

void Workbench::exportTrain(const QString& dir) {
    if (!curation_) {
        emit failed(tr("nothing to export: run the curation first"));
        return;
    }
    auto curation = curation_;
    auto recipe = std::make_shared<Recipe>(recipe_);
    const std::vector<bool> selected = selected_;
    const std::string file = path_.toStdString();
    run(tr("Exporting D_train"), [curation, recipe, selected, dir, file](Progress&) {
        const double f = recipe->fractions.front();
        OutputFolder out(dir.toStdString(), is_curation_output);
        write_curation(out, "", *curation, selected, f);
        Workspace w(file);
        store_selection(w, *recipe, *curation, selected, f);
        out.commit();
    }, [this, dir, recipe] {
        experiments_->setCurrentData(QDir(dir).filePath("train.jsonl"), QString::fromStdString(to_yaml(*recipe)));
        emit exported(dir);
    });
}

QString Workbench::saveRecipe(const QString& file) {
    if (recipe_.datasets.empty()) return tr("the recipe has no datasets yet");
    try {
        write_file_atomically(file.toStdString(), to_yaml(recipe_));
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void Workbench::storeRecipe() {
    // A recipe without datasets is no recipe (parse_recipe refuses it): store it empty.
    workspace_->settings().set(kRecipeKey, recipe_.datasets.empty() ? std::string() : to_yaml(recipe_));
    emit recipeChanged();
}

}  // namespace amalgam
