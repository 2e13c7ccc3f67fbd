#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace amalgam {

/** Writes a file through a temporary name beside it (flushed to disk, then renamed over the
 *  target), so a reader or a crash sees the old content or the new, never a part. Temporary
 *  files that killed writers left beside it are removed. */
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

/** Whether a file name is a temporary one write_file_atomically left when its process was
 *  killed before the rename: the next write of that file removes it. */
bool is_abandoned_temporary(const std::string& file_name);

/** A command's output folder, written as one set: files go into a hidden staging folder beside
 *  it (.NAME.staging-PID), and commit() swaps that in with a single rename (RENAME_EXCHANGE
 *  when the folder exists), so a reader or a kill sees the whole old set or the whole new one.
 *  Staging folders of killed runs are removed by the next run. Until commit() nothing shows,
 *  and a folder never committed is removed with its staging. */
class OutputFolder {
public:
    /** Checks the place before any work: a path is given, it is no file, it is not the working
     *  folder or above it, and an existing folder holds only entries `replaceable` accepts (by
     *  name; by default none: only an empty folder is replaced). Throws std::invalid_argument
     *  saying which. */
    explicit OutputFolder(std::filesystem::path dir, std::function<bool(const std::string& entry)> replaceable = nullptr);
    ~OutputFolder();
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;

    const std::filesystem::path& path() const { return dir_; }
    /** Where the files go until commit(). */
    const std::filesystem::path& staging() const { return staging_; }
    /** Writes a file of the set (flushed to disk); `relative` may name subfolders. */
    void write(const std::filesystem::path& relative, const std::string& content);
    /** Puts the new set in place of the old one. */
    void commit();

private:
    void removeLeftovers() const;

    std::filesystem::path dir_;
    std::filesystem::path staging_;
    bool committed_ = false;
};

}  // namespace amalgam
