// The public-data manifest: the built-in one is well formed, and a malformed one is refused
// with its line.
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "core/fetch/data_manifest.h"
#include "core/util/data_error.h"
#include "test_support.h"

namespace amalgam {
namespace {

const std::string kHash(64, 'a');

std::string line(const std::string& path, const std::string& hash = kHash, const std::string& bytes = "10",
                 const std::string& url = "https://example.org/f") {
    return path + "\t" + hash + "\t" + bytes + "\t" + url + "\n";
}

std::string error_of(const std::string& text) {
    try {
        parse_data_manifest(text, "m.tsv");
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

TEST(DataManifest, BuiltInListsEveryFileOnce) {
    const auto& files = data_manifest();
    ASSERT_EQ(files.size(), 50u);
    std::set<std::string> suites;
    std::uint64_t bytes = 0;
    for (const auto& f : files) {
        suites.insert(f.path.substr(0, f.path.find('/')));
        bytes += f.bytes;
        EXPECT_EQ(f.url.rfind("https://raw.githubusercontent.com/", 0), 0u) << f.path;
    }
    EXPECT_EQ(suites, (std::set<std::string>{"oasst1", "tokenizers", "winobias", "winogender", "winogrande"}));
    EXPECT_EQ(bytes, 14591071u);
    // It is the file in resources/, built in.
    EXPECT_EQ(parse_data_manifest(test::read_text(test::source_dir() / "resources" / "data" / "manifest.tsv"), "x").size(), files.size());
}

TEST(DataManifest, ReadsCommentsAndFields) {
    const auto files = parse_data_manifest("# comment\n\n" + line("a/b.txt", kHash, "123"), "m.tsv");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].path, "a/b.txt");
    EXPECT_EQ(files[0].bytes, 123u);
    EXPECT_EQ(files[0].url, "https://example.org/f");
}

TEST(DataManifest, RefusesMalformedLinesNamingThem) {
    EXPECT_EQ(error_of("# only\n"), "m.tsv: the manifest lists no files");
    EXPECT_EQ(error_of(line("a") + "a\tb\n"), "m.tsv:2: expected 4 tab-separated fields (path, sha256, bytes, url), found 2");
    EXPECT_EQ(error_of(line("../etc/passwd")), "m.tsv:1: '../etc/passwd' is not a relative path inside the data folder");
    EXPECT_EQ(error_of(line("/abs")), "m.tsv:1: '/abs' is not a relative path inside the data folder");
    EXPECT_EQ(error_of(line("a//b")), "m.tsv:1: 'a//b' is not a relative path inside the data folder");
    EXPECT_EQ(error_of(line("a", "ABC")), "m.tsv:1: 'ABC' is not a SHA-256 in lower-case hex");
    EXPECT_EQ(error_of(line("a", kHash, "-1")), "m.tsv:1: '-1' is not a size in bytes");
    EXPECT_EQ(error_of(line("a", kHash, "10", "http://x/a")), "m.tsv:1: the source of a is not an https:// URL");
    EXPECT_EQ(error_of(line("a") + line("a")), "m.tsv:2: a is listed twice");
}

}  // namespace
}  // namespace amalgam
