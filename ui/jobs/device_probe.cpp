#include "ui/jobs/device_probe.h"

#include <QProcess>

#include "core/contract/device.h"

namespace amalgam {

void DeviceProbe::start(const QString& worker) {
    if (known_ || process_) return;
    process_ = new QProcess(this);
    connect(process_, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        if (status == QProcess::NormalExit && exitCode == 0) devices_ = parse(process_->readAllStandardOutput());
        answered();
    });
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) answered();  // no worker: the CPU is all there is to offer
    });
    process_->start(worker, {"devices"});
}

void DeviceProbe::answered() {
    known_ = true;
    process_->deleteLater();
    process_ = nullptr;
    emit finished();
}

QStringList DeviceProbe::parse(const QByteArray& output) {
    QStringList devices = {"cpu"};
    for (const QByteArray& line : output.split('\n')) {
        try {
            const Device device = Device::parse(line.trimmed().toStdString());
            const QString name = QString::fromStdString(device.name());
            if (!devices.contains(name)) devices << name;
        } catch (const std::invalid_argument&) {
            // not a device line
        }
    }
    return devices;
}

}  // namespace amalgam
