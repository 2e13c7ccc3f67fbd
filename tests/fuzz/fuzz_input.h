// What every fuzz target shares: the input as a file (our readers take paths), and the rule
// for exceptions. Errors the code promises (std::runtime_error, with DataError and YAML's
// among them; std::invalid_argument) are answers. Anything else that escapes, such as a
// library's raw exception, is a finding: the target stops as a crash would.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace amalgam::fuzz {

/** A folder of this process for the input files. */
inline const std::filesystem::path& folder() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("amalgam-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

/** Writes the bytes as `name` in folder() and returns its path. */
inline std::filesystem::path as_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
    const auto path = folder() / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

/** Runs `body`; promised errors are fine, anything else aborts with its message. */
template <class Body>
void expect_clean(Body&& body) {
    try {
        body();
    } catch (const std::runtime_error&) {
    } catch (const std::invalid_argument&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "an unpromised exception escaped: %s\n", e.what());
        std::abort();
    }
}

}  // namespace amalgam::fuzz
