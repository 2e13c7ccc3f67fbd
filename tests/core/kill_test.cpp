// amalgam-cli curate killed at random moments, the swap of its outputs included: the output
// folder holds the whole old set or the whole new one, and the workspace stays consistent.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/store/sqlite_db.h"
#include "core/store/workspace.h"
#include "core/util/sha256.h"
#include "test_support.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/** Runs amalgam-cli, killed with SIGKILL after `kill_after` when one is given. */
void run_cli(const std::vector<std::string>& args, std::optional<std::chrono::microseconds> kill_after = std::nullopt) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::vector<char*> argv = {const_cast<char*>(AMALGAM_CLI)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        std::freopen("/dev/null", "w", stdout);
        std::freopen("/dev/null", "w", stderr);
        ::execv(AMALGAM_CLI, argv.data());
        ::_exit(127);
    }
    if (kill_after) {
        ::usleep(static_cast<useconds_t>(kill_after->count()));
        ::kill(child, SIGKILL);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!kill_after) {
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    }
}

/** The folder's entries with the SHA-256 of each file. */
std::string contents(const fs::path& dir) {
    std::vector<std::string> entries;
    for (const auto& e : fs::directory_iterator(dir)) entries.push_back(e.path().filename().string() + " " + file_sha256(e.path().string()));
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const auto& e : entries) out += e + "\n";
    return out;
}

std::int64_t count(Workspace& w, const std::string& sql) {
    SqliteDb::Statement s(w.db(), sql);
    s.step();
    return s.integer(0);
}

TEST(CurateKilled, LeavesTheOldSetOrTheNewOneAndAConsistentWorkspace) {
    test::TempDir dir;
    const std::string recipe = (test::examples_dir() / "../recipes/demo.yaml").string();
    const std::string out = (dir / "out").string(), workspace = (dir / "ws.amalgam").string();
    auto curate = [&](const char* fraction, const std::string& into) {
        return std::vector<std::string>{"curate", recipe, "--out", into, "--fraction", fraction, "--workspace", workspace};
    };
    // The two sets, made whole; the second run's time sets the range of the kills.
    std::map<std::string, std::string> set;
    for (const char* f : {"0.3", "0.6"}) {
        run_cli(curate(f, (dir / f).string()));
        set[f] = contents(dir / f);
    }
    const auto start = Clock::now();
    run_cli(curate("0.3", out));
    const double run_us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    ASSERT_EQ(contents(out), set["0.3"]);

    std::mt19937 rng(13);
    std::uniform_real_distribution<double> when(0.0, 1.2 * run_us);
    std::string now = "0.3";
    int changed = 0;
    for (int i = 0; i < 40; ++i) {
        const std::string target = now == "0.3" ? "0.6" : "0.3";
        run_cli(curate(target.c_str(), out), std::chrono::microseconds(static_cast<long>(when(rng))));
        const std::string seen = contents(out);
        ASSERT_TRUE(seen == set[now] || seen == set[target]) << "kill " << i << " left a mix:\n" << seen;
        if (seen == set[target]) {
            now = target;
            ++changed;
        }
        Workspace w(workspace);
        ASSERT_EQ(count(w, "SELECT COUNT(*) FROM selections s WHERE (SELECT COUNT(*) FROM selection_pairs p WHERE p.selection_id = s.id) "
                           "!= json_extract(s.summary, '$.total.pairs')"),
                  0)
            << "a selection without all its pairs";
        ASSERT_EQ(count(w, "SELECT COUNT(*) FROM datasets d WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.dataset_id = d.id)"), 0)
            << "a dataset stored without its items";
        SqliteDb::Statement integrity(w.db(), "PRAGMA integrity_check");
        ASSERT_TRUE(integrity.step());
        ASSERT_EQ(integrity.text(0), "ok");
    }
    EXPECT_GT(changed, 0) << "no run got through: the kills came too early to show anything";
    EXPECT_LT(changed, 40) << "no run was cut short";
    // The next whole run clears what the killed ones left.
    run_cli(curate("0.6", out));
    EXPECT_EQ(contents(out), set["0.6"]);
    for (const auto& e : fs::directory_iterator(dir.path()))
        EXPECT_EQ(e.path().filename().string().find(".out.staging"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace amalgam
