#include "core/store/schema.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/yaml_json.h"

namespace amalgam {
namespace {

/** Fills the columns a migration adds from what the rows already hold. */
using Backfill = void (*)(SqliteDb&);

/** A run's resolved config as columns, read once from the YAML it was launched with. */
void fill_run_config_columns(SqliteDb& db) {
    std::vector<std::pair<std::int64_t, std::string>> configs;
    {
        SqliteDb::Statement s(db, "SELECT id, config FROM runs");
        while (s.step()) configs.emplace_back(s.integer(0), s.text(1));
    }
    SqliteDb::Statement update(db, "UPDATE runs SET model = ?, max_steps = ?, template = ? WHERE id = ?");
    for (const auto& [id, text] : configs) {
        nlohmann::json config = nlohmann::json::object();
        try {
            config = yaml_to_json(text, db.path()).value;
        } catch (const std::exception&) {
            // a config that no longer reads keeps empty columns: the run's folder still has it all
        }
        update.bind(1, config.value("model", std::string()));
        const nlohmann::json steps = config.value("max_steps", nlohmann::json());
        if (steps.is_number_integer()) update.bind(2, steps.get<std::int64_t>());
        else update.bind(2, std::nullopt);
        update.bind(3, config.value("template", std::string())).bind(4, id).step();
        update.reset();
    }
}

struct Migration {
    Migration(const char* sql, Backfill backfill = nullptr) : sql(sql), backfill(backfill) {}
    const char* sql;
    Backfill backfill;
};

// Migration i takes a workspace from version i to i + 1. Append; never edit a shipped one.
const std::vector<Migration> kMigrations = {
    R"sql(
    CREATE TABLE datasets (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL,
        path          TEXT NOT NULL UNIQUE,
        format        TEXT NOT NULL,
        options       TEXT NOT NULL,      -- field mapping, JSON
        content_hash  TEXT NOT NULL,      -- SHA-256 over every file the import read
        records       INTEGER NOT NULL,
        skipped_lines INTEGER NOT NULL,
        imported_at   TEXT NOT NULL
    );
    CREATE TABLE items (
        id         INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        ordinal    INTEGER NOT NULL,      -- position in the dataset
        source_id  TEXT NOT NULL,
        prompt     TEXT NOT NULL,
        record     TEXT NOT NULL,         -- the whole prompt with answers and labels, JSON
        UNIQUE (dataset_id, ordinal)
    );
    CREATE TABLE recipes (
        id         INTEGER PRIMARY KEY,
        path       TEXT NOT NULL,
        text       TEXT NOT NULL,
        sha256     TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE selections (
        id              INTEGER PRIMARY KEY,
        recipe_id       INTEGER REFERENCES recipes(id) ON DELETE SET NULL,
        fraction        REAL NOT NULL,
        seed            INTEGER NOT NULL,
        hyperparameters TEXT NOT NULL,    -- JSON
        inputs          TEXT NOT NULL,    -- JSON: name, path, format, sha256 of every dataset
        summary         TEXT NOT NULL,    -- summary.json
        created_at      TEXT NOT NULL
    );
    CREATE TABLE selection_pairs (
        selection_id INTEGER NOT NULL REFERENCES selections(id) ON DELETE CASCADE,
        pair_id      INTEGER NOT NULL,
        source       TEXT NOT NULL,
        source_id    TEXT NOT NULL,
        cluster      INTEGER NOT NULL,
        x            REAL NOT NULL,
        y            REAL NOT NULL,
        quality      REAL,
        selected     INTEGER NOT NULL,
        PRIMARY KEY (selection_id, pair_id)
    );
    )sql",
    R"sql(
    CREATE TABLE eval_results (
        id         INTEGER PRIMARY KEY,
        model      TEXT NOT NULL,         -- the model folder
        adapter    TEXT,                  -- the LoRA adapter folder, if any
        run_id     INTEGER,               -- the training run that made the adapter, when there is one
        label      TEXT NOT NULL,         -- the row name in comparison tables
        metrics    TEXT NOT NULL,         -- JSON
        counts     TEXT NOT NULL,         -- JSON
        results    TEXT NOT NULL,         -- the whole results.json, items included
        created_at TEXT NOT NULL
    );
    )sql",
    R"sql(
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,           -- the workbench's document: recipe, fraction, ...
        value TEXT NOT NULL
    );
    CREATE TABLE pair_overrides (
        source    TEXT NOT NULL,          -- keyed by the dataset's own ids, so a decision outlives
        source_id TEXT NOT NULL,          -- any re-clustering
        keep      INTEGER NOT NULL,       -- 1: forced into D_train, 0: excluded from it
        PRIMARY KEY (source, source_id)
    );
    CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY,
        label       TEXT NOT NULL,
        arguments   TEXT NOT NULL,        -- JSON array of amalgam-cli arguments
        state       TEXT NOT NULL,        -- queued, running, finished, failed, cancelled
        progress    REAL NOT NULL DEFAULT 0,
        stage       TEXT NOT NULL DEFAULT '',
        log         TEXT NOT NULL DEFAULT '',
        error       TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        finished_at TEXT
    );
    )sql",
    R"sql(
    -- A job is a kind of worker run and its options; the command line is derived from them.
    ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
    UPDATE jobs SET state = 'cancelled', error = 'queued by an older Amalgam: queue it again'
        WHERE state IN ('queued', 'running');
    ALTER TABLE jobs DROP COLUMN arguments;
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        label       TEXT NOT NULL,
        stage       TEXT NOT NULL,        -- sft, rm, dpo, ppo
        dir         TEXT NOT NULL UNIQUE, -- the run folder: run.json, metrics.jsonl, checkpoints, adapter
        config      TEXT NOT NULL,        -- the config YAML it was launched with
        parent_run  INTEGER REFERENCES runs(id) ON DELETE SET NULL,  -- whose adapter it starts from
        reward_run  INTEGER REFERENCES runs(id) ON DELETE SET NULL,  -- PPO: the reward model's run
        data        TEXT NOT NULL,        -- the training data file
        data_sha256 TEXT NOT NULL,
        recipe      TEXT NOT NULL,        -- the recipe that selected the data, when the workbench exported it
        device      TEXT NOT NULL,
        dtype       TEXT NOT NULL,
        job_id      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        created_at  TEXT NOT NULL
    );
    ALTER TABLE eval_results ADD COLUMN step INTEGER;  -- the run's step the adapter came from
    -- Which workbench runs the workspace's queue: one row, renewed while its holder lives.
    CREATE TABLE queue_lease (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        holder     TEXT NOT NULL,
        expires_at REAL NOT NULL          -- unix seconds
    );
    )sql",
    R"sql(
    -- The jobs a job waits for (a pipeline's stages): it starts once they have finished.
    ALTER TABLE jobs ADD COLUMN waits_for TEXT NOT NULL DEFAULT '[]';  -- JSON array of job ids
    )sql",
    {R"sql(
    -- A run's resolved config as data, so that nothing parses its YAML again.
    ALTER TABLE runs ADD COLUMN model TEXT NOT NULL DEFAULT '';     -- the base model folder (before a parent's merge)
    ALTER TABLE runs ADD COLUMN max_steps INTEGER;                   -- NULL: it trains for epochs
    ALTER TABLE runs ADD COLUMN template TEXT NOT NULL DEFAULT '';  -- the prompt template
    )sql",
     fill_run_config_columns},
    R"sql(
    -- The cluster's job a run is (Slurm's job id), so that its state can be asked after.
    ALTER TABLE runs ADD COLUMN cluster_job TEXT NOT NULL DEFAULT '';
    )sql",
    R"sql(
    -- Where a selection put the prompts that give unpaired rows but no pair (paired prompts
    -- are in selection_pairs): enough to restore the unpaired rows' map without embedding.
    CREATE TABLE selection_prompts (
        selection_id INTEGER NOT NULL REFERENCES selections(id) ON DELETE CASCADE,
        prompt_id    INTEGER NOT NULL,
        source       TEXT NOT NULL,
        source_id    TEXT NOT NULL,
        cluster      INTEGER NOT NULL,
        x            REAL NOT NULL,
        y            REAL NOT NULL,
        PRIMARY KEY (selection_id, prompt_id)
    );
    )sql",
    R"sql(
    -- Whether a pair repeats a kept pair of its cluster: 0 no, 1 the same text, 2 a near duplicate.
    ALTER TABLE selection_pairs ADD COLUMN duplicate INTEGER NOT NULL DEFAULT 0;
    )sql",
};

}  // namespace

int schema_version(SqliteDb& db) {
    SqliteDb::Statement s(db, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
}

int current_schema_version() { return static_cast<int>(kMigrations.size()); }

void migrate(SqliteDb& db) {
    int version = schema_version(db);
    if (version > current_schema_version())
        throw std::runtime_error(db.path() + ": workspace schema version " + std::to_string(version) +
                                 " is newer than this build understands (" + std::to_string(current_schema_version()) + ")");
    for (; version < current_schema_version(); ++version) {
        SqliteDb::Transaction t(db);
        db.exec(kMigrations[version].sql);
        if (kMigrations[version].backfill) kMigrations[version].backfill(db);
        db.exec("PRAGMA user_version = " + std::to_string(version + 1));
        t.commit();
    }
}

}  // namespace amalgam
