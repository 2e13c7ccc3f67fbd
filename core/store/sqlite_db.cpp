#include "core/store/sqlite_db.h"

#include <stdexcept>

#include <sqlite3.h>

namespace amalgam {

SqliteDb::SqliteDb(const std::string& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error(path + ": cannot open workspace: " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

void SqliteDb::fail(const std::string& what) const {
    throw std::runtime_error(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

void SqliteDb::exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error(path_ + ": " + message);
    }
}

std::int64_t SqliteDb::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

SqliteDb::Statement::Statement(SqliteDb& db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db.db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
        db.fail("cannot prepare statement");
}

SqliteDb::Statement::~Statement() { sqlite3_finalize(stmt_); }

SqliteDb::Statement& SqliteDb::Statement::bind(int index, const std::string& value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK)
        db_.fail("cannot bind");
    return *this;
}

SqliteDb::Statement& SqliteDb::Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.fail("cannot bind");
    return *this;
}

SqliteDb::Statement& SqliteDb::Statement::bind(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) db_.fail("cannot bind");
    return *this;
}

SqliteDb::Statement& SqliteDb::Statement::bind(int index, std::nullopt_t) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) db_.fail("cannot bind");
    return *this;
}

bool SqliteDb::Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.fail("statement failed");
}

void SqliteDb::Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string SqliteDb::Statement::text(int column) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::int64_t SqliteDb::Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double SqliteDb::Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
bool SqliteDb::Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

SqliteDb::Transaction::Transaction(SqliteDb& db) : db_(db) {
    if (sqlite3_get_autocommit(db_.db_)) {
        db_.exec("BEGIN IMMEDIATE");
        return;
    }
    static int counter = 0;
    savepoint_ = "nested_" + std::to_string(++counter);
    db_.exec("SAVEPOINT " + savepoint_);
}

SqliteDb::Transaction::~Transaction() {
    if (done_) return;
    const std::string undo = savepoint_.empty() ? "ROLLBACK" : "ROLLBACK TO " + savepoint_ + "; RELEASE " + savepoint_;
    sqlite3_exec(db_.db_, undo.c_str(), nullptr, nullptr, nullptr);
}

void SqliteDb::Transaction::commit() {
    db_.exec(savepoint_.empty() ? "COMMIT" : "RELEASE " + savepoint_);
    done_ = true;
}

}  // namespace amalgam
