#include <cstdio>

#include <QApplication>

#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("Amalgam");
    amalgam::MainWindow window;
    const QStringList arguments = QApplication::arguments();
    if (arguments.size() > 1) {  // amalgam [WORKSPACE]
        QString error = window.openWorkspace(arguments.at(1));
        if (!error.isEmpty()) std::fprintf(stderr, "amalgam: %s\n", qPrintable(error));
    }
    window.show();
    return QApplication::exec();
}
