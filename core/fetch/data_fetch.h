#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/fetch/data_manifest.h"
#include "core/util/progress.h"

namespace amalgam {

/** What became of one file. */
enum class DataFileOutcome { Present, Fetched, Failed };

struct DataFetchSummary {
    std::size_t present = 0;  ///< already there with the right checksum
    std::size_t fetched = 0;
    std::uint64_t fetched_bytes = 0;
    std::vector<std::string> failures;  ///< "path: reason", one per file that could not be had
    std::string stopped;                ///< why fetching stopped early (a host out of reach), or ""
    std::size_t not_tried = 0;          ///< files left when it stopped
    bool complete() const { return failures.empty() && stopped.empty(); }
};

/** Called once a file is settled; `detail` says where it came from or why it failed. */
using DataFileReport = std::function<void(const DataFile&, DataFileOutcome, const std::string& detail)>;

/** Brings the files into `to`. A file already there whose size and SHA-256 match is kept;
 *  the others are read from `mirror` (a folder, or an http(s):// or file:// URL laid out like
 *  the data folder), or from each file's public source when `mirror` is empty. Every file is
 *  checked against its SHA-256 before it is written (atomically), so `to` never holds a file
 *  that does not match. A file that cannot be had is a failure in the summary; the others still
 *  come, except after a host that cannot be reached: then the rest is left (`stopped`).
 *  Progress counts bytes. */
DataFetchSummary fetch_data(const std::vector<DataFile>& files, const std::filesystem::path& to, const std::string& mirror,
                            Progress& progress, const DataFileReport& report);

/** 512 B, 32.0 KiB, 13.9 MiB. */
std::string size_text(std::uint64_t bytes);

/** "path: reason" for every file of `dir` that is missing or does not match. */
std::vector<std::string> check_data(const std::vector<DataFile>& files, const std::filesystem::path& dir);

}  // namespace amalgam
