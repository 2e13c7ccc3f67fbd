#include "core/store/job_store.h"

#include "core/store/stored_values.h"

namespace amalgam {

using stored::now_utc;
using stored::stored_json;
using stored::stored_name;

namespace {

double unix_seconds() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

std::int64_t JobStore::add(const std::string& label, JobKind kind, const std::string& options_json,
                           const std::vector<std::int64_t>& waits_for) {
    SqliteDb::Statement s(db_,
                          "INSERT INTO jobs (label, kind, options, state, created_at, waits_for) VALUES (?, ?, ?, 'queued', ?, ?)");
    s.bind(1, label).bind(2, to_string(kind)).bind(3, options_json).bind(4, now_utc()).bind(5, nlohmann::json(waits_for).dump()).step();
    return db_.last_insert_id();
}

void JobStore::update(const JobRow& job) {
    SqliteDb::Statement s(db_, "UPDATE jobs SET state = ?, progress = ?, stage = ?, log = ?, error = ?, finished_at = ? WHERE id = ?");
    s.bind(1, to_string(job.state)).bind(2, job.progress).bind(3, job.stage).bind(4, job.log).bind(5, job.error);
    if (ended(job.state)) s.bind(6, now_utc());
    else s.bind(6, std::nullopt);
    s.bind(7, job.id).step();
}

std::vector<JobRow> JobStore::all() {
    std::vector<JobRow> rows;
    SqliteDb::Statement s(db_,
                          "SELECT id, label, kind, options, state, progress, stage, log, error, created_at, finished_at, waits_for "
                          "FROM jobs ORDER BY id");
    while (s.step())
        rows.push_back({s.integer(0), s.text(1), job_kind_names.find(s.text(2)), s.text(3),
                        stored_name<JobState>(db_.path(), s.text(4)), s.real(5), s.text(6), s.text(7), s.text(8), s.text(9),
                        s.is_null(10) ? std::string() : s.text(10), stored_json(db_.path(), s.text(11), "a job's prerequisites", [](const nlohmann::json& j) { return j.get<std::vector<std::int64_t>>(); })});
    return rows;
}

void JobStore::remove(std::int64_t id) {
    SqliteDb::Statement s(db_, "DELETE FROM jobs WHERE id = ?");
    s.bind(1, id).step();
}

void JobStore::restore(const JobRow& job) {
    SqliteDb::Statement s(db_,
                          "INSERT INTO jobs (id, label, kind, options, state, progress, stage, log, error, created_at, finished_at, waits_for) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, job.id).bind(2, job.label).bind(3, job.kind ? to_string(*job.kind) : "").bind(4, job.options).bind(5, to_string(job.state)).bind(6, job.progress).bind(7, job.stage);
    s.bind(8, job.log).bind(9, job.error).bind(10, job.created_at);
    if (job.finished_at.empty()) s.bind(11, std::nullopt);
    else s.bind(11, job.finished_at);
    s.bind(12, nlohmann::json(job.waits_for).dump()).step();
}

bool JobStore::take_lease(const std::string& holder, double seconds) {
    // IMMEDIATE: the read and the write are one step, whichever process comes first.
    SqliteDb::Transaction t(db_);
    const double now = unix_seconds();
    {
        SqliteDb::Statement find(db_, "SELECT holder, expires_at FROM queue_lease WHERE id = 1");
        if (find.step() && find.text(0) != holder && find.real(1) > now) return false;
    }
    SqliteDb::Statement take(db_, "INSERT INTO queue_lease (id, holder, expires_at) VALUES (1, ?, ?) "
                                   "ON CONFLICT(id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at");
    take.bind(1, holder).bind(2, now + seconds).step();
    t.commit();
    return true;
}

void JobStore::release_lease(const std::string& holder) {
    SqliteDb::Statement s(db_, "DELETE FROM queue_lease WHERE id = 1 AND holder = ?");
    s.bind(1, holder).step();
}

}  // namespace amalgam
