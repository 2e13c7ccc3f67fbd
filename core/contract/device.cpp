#include "core/contract/device.h"

#include <charconv>
#include <stdexcept>

namespace amalgam {

Device Device::parse(std::string_view text) {
    const std::size_t colon = text.find(':');
    const DeviceKind kind = device_kind_names.parse(text.substr(0, colon));
    if (colon == std::string_view::npos) return {kind, -1};
    int index = -1;
    const std::string_view digits = text.substr(colon + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (kind != DeviceKind::Cuda || digits.empty() || error != std::errc() || end != digits.data() + digits.size() || index < 0)
        throw std::invalid_argument("unknown device '" + std::string(text) + "' (cpu, cuda or cuda:N)");
    return {kind, index};
}

std::string Device::name() const {
    std::string out = to_string(kind);
    return index >= 0 ? out + ":" + std::to_string(index) : out;
}

}  // namespace amalgam
