#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amalgam {

/** One file of the public data: where it goes in the data folder, what it must hash to, and
 *  its public source (a URL pinned to a commit). */
struct DataFile {
    std::string path;  ///< relative, '/'-separated, e.g. winobias/pro_stereotyped_type1.txt.test
    std::string sha256;
    std::uint64_t bytes = 0;
    std::string url;
};

/** Reads a manifest: one file a line, `path TAB sha256 TAB bytes TAB url`; '#' lines are
 *  comments. A malformed line is a DataError naming `origin` and the line. */
std::vector<DataFile> parse_data_manifest(std::string_view text, const std::string& origin);

/** resources/data/manifest.tsv, built into the program. */
const std::vector<DataFile>& data_manifest();

}  // namespace amalgam
