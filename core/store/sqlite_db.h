#pragma once

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace amalgam {

/** A thin RAII handle on one SQLite connection; errors become std::runtime_error with
 *  SQLite's message and the file name. */
class SqliteDb {
public:
    explicit SqliteDb(const std::string& path);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    /** A prepared statement; bind with 1-based indices, step() until it returns false. */
    class Statement {
    public:
        Statement(SqliteDb& db, const std::string& sql);
        ~Statement();
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;

        Statement& bind(int index, const std::string& value);
        Statement& bind(int index, std::int64_t value);
        Statement& bind(int index, double value);
        Statement& bind(int index, std::nullopt_t);
        bool step();
        void reset();

        std::string text(int column) const;
        std::int64_t integer(int column) const;
        double real(int column) const;
        bool is_null(int column) const;

    private:
        SqliteDb& db_;
        sqlite3_stmt* stmt_ = nullptr;
    };

    /** BEGIN IMMEDIATE now; ROLLBACK on destruction unless commit() was called. Inside another
     *  transaction it is a savepoint of it: its changes last when the outer one commits. */
    class Transaction {
    public:
        explicit Transaction(SqliteDb& db);
        ~Transaction();
        void commit();

    private:
        SqliteDb& db_;
        std::string savepoint_;  ///< empty for the outermost
        bool done_ = false;
    };

    void exec(const std::string& sql);
    std::int64_t last_insert_id() const;
    const std::string& path() const { return path_; }

private:
    [[noreturn]] void fail(const std::string& what) const;
    sqlite3* db_ = nullptr;
    std::string path_;
};

}  // namespace amalgam
