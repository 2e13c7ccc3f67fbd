#include "core/util/data_home.h"

#include <cstdlib>

namespace amalgam {

namespace {
const char* nonempty_env(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
}
}  // namespace

std::filesystem::path user_data_home() {
    if (const char* xdg = nonempty_env("XDG_DATA_HOME")) return std::filesystem::path(xdg) / "Amalgam";
    const char* home = nonempty_env("HOME");
    return std::filesystem::path(home ? home : ".") / ".local" / "share" / "Amalgam";
}

std::filesystem::path default_data_dir() {
    if (const char* data = nonempty_env("AMALGAM_DATA")) return data;
    return user_data_home() / "data";
}

}  // namespace amalgam
