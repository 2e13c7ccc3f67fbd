#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "core/util/blas_kernels.h"
#include "ui/views/main_window.h"

int main(int argc, char** argv) {
    amalgam::use_fast_blas_kernels(argv);  // the map's PCA runs in BLAS
    QApplication app(argc, argv);
    QApplication::setApplicationName("Amalgam");
    QApplication::setOrganizationName("Amalgam");
    QCommandLineParser parser;
    parser.setApplicationDescription("The Amalgam workbench: curate heterogeneous feedback, run and compare evaluations.");
    parser.addHelpOption();
    parser.addOption({"demo", "Open the demo workspace: the example data, curated, and the built-in tiny model, evaluated."});
    parser.addOption({"demo-dir", "Where the demo workspace is made (default: ~/.local/share/Amalgam/demo).", "DIR"});
    parser.addPositionalArgument("workspace", "A workspace file to open (created when absent).", "[WORKSPACE]");
    parser.process(app);

    amalgam::MainWindow window;
    QString error;
    if (parser.isSet("demo")) {
        const QString dir = parser.isSet("demo-dir") ? parser.value("demo-dir")
                                                     : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/Amalgam/demo";
        QDir().mkpath(dir);
        error = window.openDemo(dir);
    } else if (!parser.positionalArguments().isEmpty()) {
        const QString path = parser.positionalArguments().front();
        error = QFileInfo::exists(path) ? window.openWorkspace(path) : window.createWorkspace(path);
    }
    if (!error.isEmpty()) std::fprintf(stderr, "amalgam: %s\n", qPrintable(error));
    window.show();
    return QApplication::exec();
}
