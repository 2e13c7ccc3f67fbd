// GoogleTest main for Qt tests: one offscreen QApplication for the whole run.
#include <gtest/gtest.h>

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);  // settings (recent files) go to a test location
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
