#include "core/store/run_store.h"

#include <stdexcept>

#include "core/store/stored_values.h"

namespace amalgam {

using stored::bind_optional;
using stored::now_utc;
using stored::optional_integer;
using stored::stored_name;
using stored::stored_value;

namespace {

/** Binds a run's columns as ?1 (label) to ?16 (cluster_job), in the order of kRunColumns. */
void bind_run(SqliteDb::Statement& s, const RunRow& run) {
    s.bind(1, run.label).bind(2, to_string(run.stage)).bind(3, run.dir).bind(4, run.config);
    bind_optional(s, 5, run.parent_run);
    bind_optional(s, 6, run.reward_run);
    s.bind(7, run.data).bind(8, run.data_sha256).bind(9, run.recipe).bind(10, run.device.name()).bind(11, to_string(run.precision));
    bind_optional(s, 12, run.job_id);
    s.bind(13, run.model);
    bind_optional(s, 14, run.max_steps);
    s.bind(15, run.prompt_template).bind(16, run.cluster_job);
}

const std::string kRunColumns =
    "label, stage, dir, config, parent_run, reward_run, data, data_sha256, recipe, device, dtype, job_id, model, max_steps, template, cluster_job";
const std::string kInsertRun =
    "INSERT INTO runs (" + kRunColumns + ", created_at, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

}  // namespace

std::int64_t RunStore::add(const RunRow& run) {
    SqliteDb::Statement s(db_, kInsertRun);
    bind_run(s, run);
    s.bind(17, now_utc()).bind(18, std::nullopt).step();
    return db_.last_insert_id();
}

RunRow RunStore::record(const RunRow& run) {
    {
        SqliteDb::Statement s(db_, kInsertRun +
                                        " ON CONFLICT(dir) DO UPDATE SET config = ?4, parent_run = ?5, reward_run = ?6, data = ?7, "
                                        "data_sha256 = ?8, device = ?10, dtype = ?11, model = ?13, max_steps = ?14, template = ?15, "
                                        "cluster_job = CASE WHEN ?16 = '' THEN cluster_job ELSE ?16 END WHERE job_id IS NULL");
        bind_run(s, run);
        s.bind(17, now_utc()).bind(18, std::nullopt).step();
    }
    for (RunRow& stored : all())
        if (stored.dir == run.dir) return stored;
    throw std::logic_error("run folder " + run.dir + " neither added nor found");
}

void RunStore::set_cluster_job(std::int64_t id, const std::string& job) {
    SqliteDb::Statement s(db_, "UPDATE runs SET cluster_job = ? WHERE id = ?");
    s.bind(1, job).bind(2, id).step();
}

void RunStore::remove(std::int64_t id) {
    SqliteDb::Statement s(db_, "DELETE FROM runs WHERE id = ?");
    s.bind(1, id).step();
}

void RunStore::restore(const RunRow& run) {
    SqliteDb::Statement s(db_, kInsertRun);
    bind_run(s, run);
    s.bind(17, run.created_at).bind(18, run.id).step();
}

std::vector<RunRow> RunStore::all() {
    std::vector<RunRow> rows;
    SqliteDb::Statement s(db_, "SELECT id, " + kRunColumns + ", created_at FROM runs ORDER BY id");
    while (s.step()) {
        RunRow r;
        r.id = s.integer(0);
        r.label = s.text(1);
        r.stage = stored_name<Stage>(db_.path(), s.text(2));
        r.dir = s.text(3);
        r.config = s.text(4);
        r.parent_run = optional_integer(s, 5);
        r.reward_run = optional_integer(s, 6);
        r.data = s.text(7);
        r.data_sha256 = s.text(8);
        r.recipe = s.text(9);
        r.device = stored_value(db_.path(), s.text(10), Device::parse);
        r.precision = stored_name<Precision>(db_.path(), s.text(11));
        r.job_id = optional_integer(s, 12);
        r.model = s.text(13);
        r.max_steps = optional_integer(s, 14);
        r.prompt_template = s.text(15);
        r.cluster_job = s.text(16);
        r.created_at = s.text(17);
        rows.push_back(std::move(r));
    }
    return rows;
}

}  // namespace amalgam
