#include "core/util/atomic_file.h"

#include <cstdio>
#include <fstream>
#include <system_error>
#include <unistd.h>

namespace amalgam {

void write_files_atomically(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
    namespace fs = std::filesystem;
    std::vector<fs::path> temps;
    auto discard = [&] {
        std::error_code ignored;
        for (const auto& t : temps) fs::remove(t, ignored);
    };
    try {
        for (const auto& [path, content] : files) {
            if (path.has_parent_path()) fs::create_directories(path.parent_path());
            fs::path temp = path;
            temp += ".tmp." + std::to_string(::getpid());
            temps.push_back(temp);
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            out.write(content.data(), static_cast<std::streamsize>(content.size()));
            out.close();
            if (!out) throw std::runtime_error("cannot write " + path.string());
        }
        for (std::size_t i = 0; i < files.size(); ++i) fs::rename(temps[i], files[i].first);
    } catch (const fs::filesystem_error& e) {
        discard();
        throw std::runtime_error(std::string("cannot write output: ") + e.what());
    } catch (...) {
        discard();
        throw;
    }
}

}  // namespace amalgam
