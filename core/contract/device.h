#pragma once

#include <string>
#include <string_view>

#include "core/util/name_table.h"

namespace amalgam {

enum class DeviceKind { Cpu, Cuda };
inline constexpr NameTable<DeviceKind, 2> device_kind_names{"device", {{{DeviceKind::Cpu, "cpu"}, {DeviceKind::Cuda, "cuda"}}}};
constexpr const auto& names(DeviceKind) { return device_kind_names; }

/** Where a model runs, as --device and `amalgam-cli devices` spell it: cpu, cuda (the current
 *  GPU) or cuda:N. A plain value, so that the workbench can name a device without libtorch. */
struct Device {
    DeviceKind kind = DeviceKind::Cpu;
    int index = -1;  ///< cuda:N; -1 for cpu and for plain cuda

    /** std::invalid_argument for anything but cpu, cuda and cuda:N. */
    static Device parse(std::string_view text);
    std::string name() const;
    bool operator==(const Device& o) const { return kind == o.kind && index == o.index; }
};

}  // namespace amalgam
