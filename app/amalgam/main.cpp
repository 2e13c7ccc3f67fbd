#include <algorithm>
#include <cstdio>
#include <cstring>
#include <initializer_list>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>

#include "core/util/blas_kernels.h"
#include "core/util/data_home.h"
#include "headless_demo.h"
#include "ui/views/main_window.h"

int main(int argc, char** argv) {
    amalgam::use_fast_blas_kernels();  // the map's PCA runs in BLAS
    auto given = [&](std::initializer_list<const char*> options) {
        return std::any_of(argv + 1, argv + argc, [&](const char* a) {
            return std::any_of(options.begin(), options.end(), [&](const char* o) { return std::strcmp(a, o) == 0; });
        });
    };
    const bool headless = given({"--headless"});
    // Set before the application picks a display: --help and --version need none either.
    if (headless || given({"--help", "-h", "--help-all", "--version", "-v"})) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName("Amalgam");
    QApplication::setOrganizationName("Amalgam");
    QApplication::setApplicationVersion(AMALGAM_VERSION);
    QApplication::setDesktopFileName("io.amalgam.amalgam");
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256}) icon.addFile(QString(":/amalgam/icons/io.amalgam.amalgam-%1.png").arg(size));
    QApplication::setWindowIcon(icon);
    QCommandLineParser parser;
    parser.setApplicationDescription("The Amalgam workbench: curate heterogeneous feedback, train on it, evaluate and compare.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({"demo", "Open the demo workspace: the example data curated, tiny SFT, RM, PPO and DPO runs trained on it, "
                              "and the built-in tiny models and every run evaluated."});
    parser.addOption({"headless", "With --demo: do the demo's work without a window, print each job as it ends and then the "
                                  "comparison, and exit (1 if anything failed)."});
    parser.addOption({"demo-dir", "Where the demo workspace is made (default: ~/.local/share/Amalgam/demo).", "DIR"});
    parser.addPositionalArgument("workspace", "A workspace file to open (created when absent).", "[WORKSPACE]");
    parser.process(app);

    amalgam::MainWindow window;
    QString error;
    if (parser.isSet("demo")) {
        const QString dir = parser.isSet("demo-dir") ? parser.value("demo-dir")
                                                     : QString::fromStdString((amalgam::user_data_home() / "demo").string());
        QDir().mkpath(dir);
        error = window.openDemo(dir);
    } else if (!parser.positionalArguments().isEmpty()) {
        const QString path = parser.positionalArguments().front();
        error = QFileInfo::exists(path) ? window.openWorkspace(path) : window.createWorkspace(path);
    }
    if (!error.isEmpty()) std::fprintf(stderr, "amalgam: %s\n", qPrintable(error));
    if (headless) {
        if (!parser.isSet("demo")) {
            std::fprintf(stderr, "amalgam: --headless goes with --demo\n");
            return 2;
        }
        return error.isEmpty() ? amalgam::finishDemoHeadless(window) : 1;
    }
    window.show();
    return QApplication::exec();
}
