#include "core/util/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace amalgam {
namespace fs = std::filesystem;
namespace {

std::string pid_text() { return std::to_string(::getpid()); }

/** Whether the process that named a leftover `...-PID` / `....PID` is gone (or is us). */
bool writer_gone(const std::string& name, char separator) {
    const auto at = name.rfind(separator);
    if (at == std::string::npos) return false;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + at + 1, &end, 10);
    if (end == name.c_str() + at + 1 || *end != '\0' || pid <= 0) return false;
    return pid == ::getpid() || (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH);
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
    throw std::runtime_error("cannot write " + path.string() + ": " + what);
}

/** Writes the bytes and flushes them to the disk. */
void write_durably(const fs::path& path, const std::string& content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(path, std::strerror(errno));
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            fail(path, why);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) fail(path, std::strerror(errno));
}

/** Flushes a folder's entries (a rename into it) to the disk. */
void sync_folder(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

void write_file_atomically(const fs::path& path, const std::string& content) {
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    const std::string stem = path.filename().string() + ".tmp.";
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(stem, 0) == 0 && writer_gone(name, '.')) fs::remove(entry.path(), ec);
    }
    fs::path temp = path;
    temp += ".tmp." + pid_text();
    try {
        write_durably(temp, content);
        fs::rename(temp, path);
    } catch (const std::exception& e) {
        fs::remove(temp, ec);
        if (dynamic_cast<const fs::filesystem_error*>(&e)) fail(path, e.what());
        throw;
    }
    sync_folder(dir);
}

bool is_abandoned_temporary(const std::string& file_name) {
    return file_name.find(".tmp.") != std::string::npos && writer_gone(file_name, '.');
}

OutputFolder::OutputFolder(fs::path dir, std::function<bool(const std::string&)> replaceable) {
    if (dir.empty()) throw std::invalid_argument("no output folder given");
    dir_ = fs::absolute(dir).lexically_normal();
    if (!dir_.has_filename()) dir_ = dir_.parent_path();  // "out/" names "out"
    const fs::path cwd = fs::current_path().lexically_normal();
    const auto [inside, rest] = std::mismatch(dir_.begin(), dir_.end(), cwd.begin(), cwd.end());
    if (inside == dir_.end() || !dir_.has_filename())
        throw std::invalid_argument(dir_.string() + ": the working folder or one above it cannot be an output folder");
    std::error_code ec;
    if (fs::exists(dir_, ec) && !fs::is_directory(dir_, ec)) throw std::invalid_argument(dir_.string() + ": is a file, not a folder");
    if (fs::is_directory(dir_, ec))
        for (const auto& entry : fs::directory_iterator(dir_)) {
            const std::string name = entry.path().filename().string();
            if (!replaceable || !replaceable(name))
                throw std::invalid_argument(dir_.string() + " holds " + name +
                                            ", which is not an output of this command: choose a new or empty folder");
        }
    fs::create_directories(dir_.parent_path(), ec);
    if (ec) fail(dir_, ec.message());
    removeLeftovers();
    staging_ = dir_.parent_path() / ("." + dir_.filename().string() + ".staging-" + pid_text());
    fs::remove_all(staging_, ec);
    if (!fs::create_directory(staging_, ec) || ec) fail(dir_, ec ? ec.message() : "cannot make " + staging_.string());
}

OutputFolder::~OutputFolder() {
    std::error_code ignored;
    if (!staging_.empty()) fs::remove_all(staging_, ignored);
}

void OutputFolder::removeLeftovers() const {
    const std::string prefix = "." + dir_.filename().string() + ".staging-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && writer_gone(name, '-')) fs::remove_all(entry.path(), ec);
    }
}

void OutputFolder::write(const fs::path& relative, const std::string& content) {
    if (committed_) throw std::logic_error("OutputFolder: written after commit");
    const fs::path path = staging_ / relative;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) fail(dir_ / relative, ec.message());
    write_durably(path, content);
}

void OutputFolder::commit() {
    if (committed_) return;
    sync_folder(staging_);
    std::error_code ec;
    if (!fs::exists(dir_, ec)) {
        if (::rename(staging_.c_str(), dir_.c_str()) != 0) fail(dir_, std::strerror(errno));
    } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, dir_.c_str(), RENAME_EXCHANGE) != 0) {
        fail(dir_, std::string("cannot swap the new outputs in: ") + std::strerror(errno));
    }
    committed_ = true;
    sync_folder(dir_.parent_path());
    fs::remove_all(staging_, ec);  // the old set, after an exchange
}

}  // namespace amalgam
