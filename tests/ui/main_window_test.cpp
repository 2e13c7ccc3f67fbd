#include <gtest/gtest.h>

#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/main_window.h"

namespace amalgam {
namespace {

TEST(MainWindow, OpensAWorkspaceOrSaysWhyNot) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.save_eval_result("/m/tiny", "", "tiny", R"({"metrics": {"bias": 0.1}, "counts": {}})");
    }
    MainWindow window;
    EXPECT_TRUE(window.openWorkspace(QString::fromStdString((dir / "ws.amalgam").string())).isEmpty());
    EXPECT_EQ(window.windowTitle(), QString::fromUtf8("Amalgam \xE2\x80\x94 ws.amalgam"));
    EXPECT_TRUE(window.openWorkspace(QString::fromStdString((dir / "missing.amalgam").string())).contains("no such file"));
    auto garbage = dir.write("garbage.amalgam", "this is not a database");
    EXPECT_FALSE(window.openWorkspace(QString::fromStdString(garbage.string())).isEmpty());
}

}  // namespace
}  // namespace amalgam
