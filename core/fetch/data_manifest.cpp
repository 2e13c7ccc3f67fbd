#include "core/fetch/data_manifest.h"

#include <set>

#include "core/util/data_error.h"

namespace amalgam {

extern const char* const kDataManifestText;  // generated from resources/data/manifest.tsv

namespace {

std::vector<std::string> split_tabs(std::string_view line) {
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
        const auto tab = line.find('\t', start);
        fields.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return fields;
        start = tab + 1;
    }
}

bool is_hex_digest(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/** A relative path that stays inside the data folder. */
bool is_safe_path(const std::string& p) {
    if (p.empty() || p.front() == '/') return false;
    for (std::size_t start = 0; start <= p.size();) {
        auto slash = p.find('/', start);
        if (slash == std::string::npos) slash = p.size();
        const std::string part = p.substr(start, slash - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = slash + 1;
    }
    return true;
}

}  // namespace

std::vector<DataFile> parse_data_manifest(std::string_view text, const std::string& origin) {
    std::vector<DataFile> files;
    std::set<std::string> seen;
    std::size_t number = 0;
    for (std::size_t start = 0; start < text.size();) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (line.empty() || line.front() == '#') continue;
        const auto fields = split_tabs(line);
        if (fields.size() != 4) throw DataError(origin, number, "expected 4 tab-separated fields (path, sha256, bytes, url), found " + std::to_string(fields.size()));
        DataFile file{fields[0], fields[1], 0, fields[3]};
        if (!is_safe_path(file.path)) throw DataError(origin, number, "'" + file.path + "' is not a relative path inside the data folder");
        if (!is_hex_digest(file.sha256)) throw DataError(origin, number, "'" + file.sha256 + "' is not a SHA-256 in lower-case hex");
        if (fields[2].empty() || fields[2].find_first_not_of("0123456789") != std::string::npos || fields[2].size() > 15)
            throw DataError(origin, number, "'" + fields[2] + "' is not a size in bytes");
        file.bytes = std::stoull(fields[2]);
        if (file.url.rfind("https://", 0) != 0) throw DataError(origin, number, "the source of " + file.path + " is not an https:// URL");
        if (!seen.insert(file.path).second) throw DataError(origin, number, file.path + " is listed twice");
        files.push_back(std::move(file));
    }
    if (files.empty()) throw DataError(origin, 0, "the manifest lists no files");
    return files;
}

const std::vector<DataFile>& data_manifest() {
    static const std::vector<DataFile> files = parse_data_manifest(kDataManifestText, "resources/data/manifest.tsv");
    return files;
}

}  // namespace amalgam
