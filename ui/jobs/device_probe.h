#pragma once

#include <QObject>
#include <QStringList>

class QProcess;

namespace amalgam {

/** The devices models can run on, as the worker reports them (`amalgam-cli devices`): the GUI
 *  never loads libtorch, so it asks once, in the background, and remembers the answer. */
class DeviceProbe : public QObject {
    Q_OBJECT

public:
    explicit DeviceProbe(QObject* parent = nullptr) : QObject(parent) {}

    /** Asks `worker` unless an answer is in or on its way. */
    void start(const QString& worker);
    bool known() const { return known_; }
    /** "cpu" until the answer is in; then every device it named ("cpu", "cuda:0", ...). */
    const QStringList& devices() const { return devices_; }

    /** The device names in a worker's output, "cpu" first and always there. */
    static QStringList parse(const QByteArray& output);

signals:
    void finished();

private:
    void answered();

    QStringList devices_ = {"cpu"};
    QProcess* process_ = nullptr;
    bool known_ = false;
};

}  // namespace amalgam
