#include <gtest/gtest.h>

#include "core/store/workspace.h"
#include "test_support.h"
#include "ui/document/workbench.h"
#include "ui/views/compare_panel.h"
#include "ui/views/main_window.h"

namespace amalgam {
namespace {

TEST(MainWindow, OpensAWorkspaceOrSaysWhyNot) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.evaluations().save("/m/tiny", "", "tiny", R"({"metrics": {"bias": 0.1}, "counts": {}})");
    }
    MainWindow window;
    EXPECT_TRUE(window.openWorkspace(QString::fromStdString((dir / "ws.amalgam").string())).isEmpty());
    EXPECT_EQ(window.windowTitle(), QString::fromUtf8("Amalgam \xE2\x80\x94 ws.amalgam"));
    EXPECT_TRUE(window.openWorkspace(QString::fromStdString((dir / "missing.amalgam").string())).contains("no such file"));
    auto garbage = dir.write("garbage.amalgam", "this is not a database");
    EXPECT_FALSE(window.openWorkspace(QString::fromStdString(garbage.string())).isEmpty());
}

TEST(MainWindow, NewWorkspaceStartsEmptyEvenOverAnOldFile) {
    test::TempDir dir;
    {
        Workspace w(dir / "ws.amalgam");
        w.evaluations().save("/m/tiny", "", "tiny", R"({"metrics": {"bias": 0.1}, "counts": {}})");
    }
    MainWindow window;
    ASSERT_EQ(window.openWorkspace(QString::fromStdString((dir / "ws.amalgam").string())), "");
    EXPECT_EQ(window.compare().model().rowCount(), 1);
    ASSERT_EQ(window.createWorkspace(QString::fromStdString((dir / "ws.amalgam").string())), "");
    EXPECT_EQ(window.compare().model().rowCount(), 0);
    EXPECT_TRUE(window.workbench().recipe().datasets.empty());
    ASSERT_EQ(window.createWorkspace(QString::fromStdString((dir / "fresh.amalgam").string())), "");
    EXPECT_TRUE(std::filesystem::exists(dir / "fresh.amalgam"));
}

}  // namespace
}  // namespace amalgam
