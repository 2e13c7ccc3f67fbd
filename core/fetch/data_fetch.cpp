#include "core/fetch/data_fetch.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <curl/curl.h>

#include "core/util/atomic_file.h"
#include "core/util/sha256.h"
#include "core/util/text_file.h"

namespace amalgam {
namespace fs = std::filesystem;
namespace {

bool is_url(const std::string& s) {
    for (const char* scheme : {"http://", "https://", "file://"})
        if (s.rfind(scheme, 0) == 0) return true;
    return false;
}

/** A failure that every later file would meet too: no network, no such host. */
class Unreachable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** Why a file's bytes are not the ones the manifest names, or "" when they are. */
std::string mismatch(const DataFile& file, const std::string& bytes) {
    if (bytes.size() != file.bytes)
        return "expected " + std::to_string(file.bytes) + " bytes, got " + std::to_string(bytes.size());
    const std::string digest = sha256_hex(bytes);
    if (digest != file.sha256) return "SHA-256 is " + digest + ", expected " + file.sha256;
    return "";
}

/** A GET with libcurl into memory; `on_bytes` sees the bytes received so far. */
class Download {
public:
    Download() {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        curl_ = curl_easy_init();
        if (!curl_) throw std::runtime_error("libcurl could not start");
    }
    ~Download() { curl_easy_cleanup(curl_); }
    Download(const Download&) = delete;
    Download& operator=(const Download&) = delete;

    /** The body, refused once it grows past `max_bytes` (a file is never larger than listed). */
    std::string get(const std::string& url, std::uint64_t max_bytes, const std::function<void(std::uint64_t)>& on_bytes) {
        std::string body;
        Sink sink{&body, max_bytes, &on_bytes};
        char error[CURL_ERROR_SIZE] = "";
        curl_easy_reset(curl_);
        curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl_, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);  // give up after 60 s without a byte
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(curl_, CURLOPT_USERAGENT, "amalgam/" AMALGAM_VERSION);
        curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Download::write);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &sink);
        const CURLcode code = curl_easy_perform(curl_);
        const std::string why = *error ? error : curl_easy_strerror(code);
        if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_CONNECT)
            throw Unreachable(why);
        if (sink.too_large) throw std::runtime_error("the source sends more than the " + std::to_string(max_bytes) + " bytes listed");
        if (code != CURLE_OK) throw std::runtime_error(why);
        return body;
    }

private:
    struct Sink {
        std::string* body;
        std::uint64_t max_bytes;
        const std::function<void(std::uint64_t)>* on_bytes;
        bool too_large = false;
    };
    static std::size_t write(char* data, std::size_t size, std::size_t count, void* user) {
        auto* sink = static_cast<Sink*>(user);
        if (sink->body->size() + size * count > sink->max_bytes) {
            sink->too_large = true;
            return 0;  // libcurl stops with a write error
        }
        sink->body->append(data, size * count);
        (*sink->on_bytes)(sink->body->size());
        return size * count;
    }
    CURL* curl_;
};

/** Why the file at `path` is not the one listed ("missing", another size or digest, a read
 *  error), or "" when it is. */
std::string problem_with(const DataFile& file, const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return "missing";
    try {
        return mismatch(file, read_file_bytes(path));
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace

std::string size_text(std::uint64_t bytes) {
    std::ostringstream out;
    out.precision(1);
    if (bytes < 1024) out << bytes << " B";
    else if (bytes < 1024 * 1024) out << std::fixed << bytes / 1024.0 << " KiB";
    else out << std::fixed << bytes / (1024.0 * 1024.0) << " MiB";
    return out.str();
}

DataFetchSummary fetch_data(const std::vector<DataFile>& files, const fs::path& to, const std::string& mirror,
                            Progress& progress, const DataFileReport& report) {
    DataFetchSummary summary;
    std::vector<const DataFile*> wanted;
    std::uint64_t wanted_bytes = 0;
    for (const auto& file : files) {
        if (problem_with(file, to / file.path).empty()) {
            ++summary.present;
            report(file, DataFileOutcome::Present, "");
        } else {
            wanted.push_back(&file);
            wanted_bytes += file.bytes;
        }
    }
    if (wanted.empty()) return summary;

    std::unique_ptr<Download> download;
    std::uint64_t done_bytes = 0;
    progress.start("fetching " + std::to_string(wanted.size()) + " files, " + size_text(wanted_bytes), wanted_bytes);
    for (const DataFile* file : wanted) {
        const std::string source = mirror.empty() ? file->url
                                   : is_url(mirror) ? mirror + (mirror.back() == '/' ? "" : "/") + file->path
                                                    : (fs::path(mirror) / file->path).string();
        try {
            std::string bytes;
            if (is_url(source)) {
                if (!download) download = std::make_unique<Download>();
                bytes = download->get(source, file->bytes, [&](std::uint64_t got) { progress.advance(done_bytes + got); });
            } else {
                bytes = read_file_bytes(source);
            }
            if (auto why = mismatch(*file, bytes); !why.empty()) throw std::runtime_error(why + " (from " + source + ")");
            write_file_atomically(to / file->path, bytes);
            ++summary.fetched;
            summary.fetched_bytes += bytes.size();
            report(*file, DataFileOutcome::Fetched, source);
        } catch (const Unreachable& e) {
            summary.stopped = std::string(e.what()) + " (from " + source + ")";
            summary.not_tried = static_cast<std::size_t>(wanted.end() - std::find(wanted.begin(), wanted.end(), file));
            break;
        } catch (const std::exception& e) {
            summary.failures.push_back(file->path + ": " + e.what());
            report(*file, DataFileOutcome::Failed, e.what());
        }
        done_bytes += file->bytes;
        progress.advance(done_bytes);
    }
    progress.finish();
    return summary;
}

std::vector<std::string> check_data(const std::vector<DataFile>& files, const fs::path& dir) {
    std::vector<std::string> problems;
    for (const auto& file : files)
        if (auto problem = problem_with(file, dir / file.path); !problem.empty()) problems.push_back(file.path + ": " + problem);
    return problems;
}

}  // namespace amalgam
