#pragma once

// Where tests and benchmarks find the project's sources and the real public datasets.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/util/data_home.h"

namespace amalgam::test {

inline std::filesystem::path source_dir() { return AMALGAM_SOURCE_DIR; }

/** Where the real public datasets may be, in the order looked at: $AMALGAM_DATA, the
 *  ../shared/data folder beside the project, the user's data folder (`amalgam-cli data get`). */
inline std::vector<std::filesystem::path> shared_data_candidates() {
    std::vector<std::filesystem::path> candidates;
    if (const char* env = std::getenv("AMALGAM_DATA"); env && *env) candidates.emplace_back(env);
    candidates.push_back((source_dir() / ".." / "shared" / "data").lexically_normal());
    candidates.push_back(user_data_home() / "data");
    return candidates;
}

/** The first candidate that holds the datasets, or an empty path. */
inline std::filesystem::path shared_data_dir() {
    for (const auto& dir : shared_data_candidates())
        if (std::filesystem::is_directory(dir / "winobias")) return dir;
    return {};
}

/** Why the datasets are absent: the paths tried and the command that fills one. */
inline std::string shared_data_absent() {
    std::string tried;
    for (const auto& dir : shared_data_candidates()) tried += (tried.empty() ? "" : ", ") + dir.string();
    return "the public datasets are not present (looked in " + tried + "); `amalgam-cli data get` fetches them";
}

}  // namespace amalgam::test
