#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <gtest/gtest.h>

#include "core/data/importer.h"
#include "core/util/atomic_file.h"
#include "core/util/data_error.h"
#include "core/util/memory_reuse.h"
#include "core/util/portable_log.h"
#include "core/util/sha256.h"
#include "core/util/simd_level.h"
#include "core/util/text_file.h"
#include "core/util/utf8.h"
#include "test_support.h"

namespace amalgam {
namespace {

long minor_page_faults() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

/** Page faults while a block of 64 MiB is allocated, written page by page and freed. */
long faults_of_a_large_block() {
    const std::size_t bytes = std::size_t(64) << 20;
    const long before = minor_page_faults();
    volatile char* block = static_cast<volatile char*>(std::malloc(bytes));
    for (std::size_t i = 0; i < bytes; i += 4096) block[i] = 1;
    std::free(const_cast<char*>(block));
    return minor_page_faults() - before;
}

TEST(MemoryReuse, AFreedLargeBlockIsReusedWithoutFaultingItInAgain) {
    keep_freed_memory_for_reuse();
    const long first = faults_of_a_large_block();  // fresh pages from the kernel: one fault each, or each huge page
    const long again = faults_of_a_large_block();
    EXPECT_GT(first, 0);
    EXPECT_LT(again, first / 4) << "the block was mapped fresh again: " << again << " faults against " << first;
}

TEST(PortableLog, AgreesWithTheLibraryWithinTwoUlp) {
    std::size_t exact = 0, total = 0;
    for (double x : {1.0, 2.0, 0.5, 1e-300, 1e300, 3.0, 10.0, 1.4142135623730951, 0.7071067811865476}) {
        EXPECT_NEAR(portable_log(x), std::log(x), 4.5e-16 * std::max(1.0, std::fabs(std::log(x)))) << x;
    }
    EXPECT_EQ(portable_log(1.0), 0.0);
    for (int i = 1; i < 200000; ++i) {  // the integers and near-integers the hashing embedder takes
        const double x = 1.0 + i * 0.37, expected = std::log(x), got = portable_log(x);
        ASSERT_LE(std::fabs(got - expected), 2 * std::nextafter(expected, 1e9) - 2 * expected) << x;
        exact += got == expected;
        ++total;
    }
    EXPECT_GT(exact, total / 2);  // most round exactly as the library does
}

TEST(SimdLevel, EnvironmentForcesALevelOrSaysWhyNot) {
    const SimdLevel best = cpu_simd_level();
    ::unsetenv("AMALGAM_SIMD");
    EXPECT_EQ(simd_level(), best);
    ::setenv("AMALGAM_SIMD", "baseline", 1);
    EXPECT_EQ(simd_level(), SimdLevel::Baseline);
    ::setenv("AMALGAM_SIMD", "sse9", 1);
    EXPECT_THROW(simd_level(), std::runtime_error);
    if (best != SimdLevel::Avx512) {
        ::setenv("AMALGAM_SIMD", "avx512", 1);
        try {
            simd_level();
            ADD_FAILURE() << "a level above the CPU's must be refused";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("this CPU runs at most"), std::string::npos) << e.what();
        }
    }
    ::unsetenv("AMALGAM_SIMD");
}

TEST(Sha256, MatchesStandardVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
    std::string text(1000, 'x');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
    Sha256 h;
    for (std::size_t i = 0; i < text.size(); i += 37) h.update(std::string_view(text).substr(i, 37));
    EXPECT_EQ(h.hex_digest(), sha256_hex(text));
}

TEST(Utf8, FindsTheFirstInvalidByte) {
    EXPECT_FALSE(find_invalid_utf8("plain ascii"));
    EXPECT_FALSE(find_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
    EXPECT_EQ(find_invalid_utf8("ab\xFF"), 2u);
    EXPECT_EQ(find_invalid_utf8("ab\xC3"), 2u);               // truncated sequence
    EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);             // overlong
    EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);        // UTF-16 surrogate
}

TEST(TextFile, ReportsTheLineOfInvalidUtf8) {
    test::TempDir dir;
    auto path = dir.write("bad.jsonl", "{\"a\": 1}\n{\"a\": 2}\n{\"a\": \"\xFF\"}\n");
    try {
        TextFile file(path);
        FAIL() << "expected an error";
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 3u);
        EXPECT_EQ(e.file(), path.string());
        EXPECT_NE(std::string(e.what()).find("invalid UTF-8"), std::string::npos);
    }
}

TEST(TextFile, RejectsEmptyAndMissingFiles) {
    test::TempDir dir;
    auto empty = dir.write("empty.jsonl", "\n  \n");
    EXPECT_THROW(TextFile{empty}, DataError);
    try {
        TextFile file(dir / "missing.jsonl");
        FAIL();
    } catch (const DataError& e) {
        EXPECT_NE(std::string(e.what()).find("missing.jsonl"), std::string::npos);
    }
}

TEST(TextFile, NumbersLinesAndStripsCarriageReturns) {
    test::TempDir dir;
    TextFile file(dir.write("crlf.txt", "\xEF\xBB\xBFone\r\ntwo\r\n\r\nfour"));
    std::vector<std::pair<std::string, std::size_t>> lines;
    file.for_each_line([&](std::string_view l, std::size_t n) { lines.emplace_back(std::string(l), n); });
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], std::make_pair(std::string("one"), std::size_t(1)));
    EXPECT_EQ(lines[2], std::make_pair(std::string(), std::size_t(3)));
    EXPECT_EQ(lines[3], std::make_pair(std::string("four"), std::size_t(4)));
}

TEST(TextFile, ALineLongerThanTheLimitStopsTheReadWithItsNumber) {
    // An endless device without a newline: the read stops at the limit instead of at the memory's end.
    try {
        TextFile endless("/dev/zero");
        FAIL() << "read /dev/zero to its end";
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 1u);
        EXPECT_EQ(e.reason(), "line is longer than 16 MiB, the limit for one record");
    }
    test::TempDir dir;
    const auto file = dir.write("long.jsonl", "{}\n{}\n" + std::string(TextFile::kMaxLineBytes + 1, 'x'));
    try {
        TextFile long_line(file);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_EQ(e.line(), 3u);
    }
}

TEST(TextFile, AByteOrderMarkAloneIsAnEmptyFile) {
    test::TempDir dir;  // found by fuzzing: the rated importer then read before the start of its text
    EXPECT_THROW(TextFile(dir.write("bom.csv", "\xEF\xBB\xBF \n")), DataError);
    EXPECT_THROW(import_dataset(dir.write("bom.jsonl", "\xEF\xBB\xBF"), "rated"), DataError);
}

TEST(TextFile, InvalidUtf8IsAnErrorOfItsLineOrOneItsReaderPassesOver) {
    test::TempDir dir;
    const auto file = dir.write("bad.jsonl", "ok\nalso ok\nbad \xff here\n");
    try {
        TextFile whole(file);
        FAIL();
    } catch (const DataError& e) {
        EXPECT_STREQ(e.what(), (file.string() + ":3: invalid UTF-8 at byte 5 of the line").c_str());
    }
    TextFile lines(file, Utf8Check::PerLine);
    EXPECT_FALSE(lines.invalid_utf8(1));
    EXPECT_EQ(lines.invalid_utf8(3), 5u);
    EXPECT_THROW(lines.require_valid_utf8(), DataError);
}

/** The id of a process that has ended: what a killed writer leaves in its file names. */
std::string dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return std::to_string(child);
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(AtomicFile, ReplacesExistingContentAndClearsWhatKilledWritersLeft) {
    test::TempDir dir;
    write_file_atomically(dir / "out.txt", "old");
    dir.write("out.txt.tmp." + dead_pid(), "half");
    dir.write("out.txt.tmp.1", "a live writer's");  // pid 1 runs
    write_file_atomically(dir / "out.txt", "new");
    EXPECT_EQ(test::read_text(dir / "out.txt"), "new");
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"out.txt", "out.txt.tmp.1"}));
    EXPECT_TRUE(is_abandoned_temporary("run.json.tmp." + dead_pid()));
    EXPECT_FALSE(is_abandoned_temporary("out.txt.tmp.1")) << "its writer runs";
    EXPECT_FALSE(is_abandoned_temporary("notes.txt"));
}

TEST(OutputFolder, NothingShowsUntilCommitAndAnUncommittedFolderLeavesNothing) {
    test::TempDir dir;
    {
        OutputFolder out(dir / "out");
        out.write("a.txt", "one");
        out.write("sub/b.txt", "two");
        EXPECT_FALSE(std::filesystem::exists(dir / "out"));
    }  // a failure before commit
    EXPECT_TRUE(names_in(dir.path()).empty());
    OutputFolder out(dir / "out");
    out.write("a.txt", "one");
    out.write("sub/b.txt", "two");
    out.commit();
    EXPECT_EQ(test::read_text(dir / "out/sub/b.txt"), "two");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out"});
}

TEST(OutputFolder, CommitReplacesTheWholeOldSet) {
    test::TempDir dir;
    dir.write("out/fraction-0.2/train.jsonl", "old");
    dir.write("out/train.jsonl", "old");
    OutputFolder out(dir / "out", [](const std::string& name) { return name == "train.jsonl" || name.rfind("fraction-", 0) == 0; });
    out.write("train.jsonl", "new");
    EXPECT_EQ(test::read_text(dir / "out/train.jsonl"), "old") << "the old set stays until commit";
    out.commit();
    EXPECT_EQ(names_in(dir / "out"), std::vector<std::string>{"train.jsonl"}) << "no stale fraction folder";
    EXPECT_EQ(test::read_text(dir / "out/train.jsonl"), "new");
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out"}) << "the old set is gone with the staging folder";
}

TEST(OutputFolder, RefusesPlacesItMustNotReplaceBeforeAnyWork) {
    test::TempDir dir;
    dir.write("mine/notes.txt", "a researcher's");
    dir.write("file", "x");
    auto refusal = [](const std::filesystem::path& p) {
        try {
            OutputFolder out(p, [](const std::string& name) { return name == "train.jsonl"; });
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_EQ(refusal(""), "no output folder given");
    EXPECT_EQ(refusal(dir / "mine"), (dir / "mine").string() + " holds notes.txt, which is not an output of this command: choose a new or empty folder");
    EXPECT_EQ(refusal(dir / "file"), (dir / "file").string() + ": is a file, not a folder");
    EXPECT_NE(refusal(std::filesystem::current_path()).find("the working folder"), std::string::npos);
    EXPECT_NE(refusal(std::filesystem::current_path().parent_path()).find("the working folder"), std::string::npos);
    EXPECT_EQ(test::read_text(dir / "mine/notes.txt"), "a researcher's");
}

TEST(OutputFolder, RemovesTheStagingOfAKilledRun) {
    test::TempDir dir;
    dir.write(".out.staging-" + dead_pid() + "/train.jsonl", "half");
    dir.write(".out.staging-1/train.jsonl", "a live run's");
    OutputFolder out(dir / "out");
    out.write("train.jsonl", "new");
    out.commit();
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{".out.staging-1", "out"}));
}

}  // namespace
}  // namespace amalgam
