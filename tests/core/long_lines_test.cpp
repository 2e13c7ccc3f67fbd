// Lines up to the 16 MiB bound are read without recursion that grows with them, and a line
// beyond it is refused at its start, without reading it whole.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/data/format_detection.h"
#include "core/data/importer.h"
#include "core/eval/winobias_items.h"
#include "core/util/data_error.h"
#include "core/util/text_file.h"
#include "test_support.h"

namespace amalgam {
namespace {

/** A WinoBias sentence whose middle repeats one word until the line is `bytes` long. */
std::string long_winobias_line(std::size_t bytes, const std::string& pronoun) {
    std::string line = "1 [The developer] argued with the designer because [" + pronoun + "] did not like";
    while (line.size() + 40 < bytes) line += " design";
    return line + " [the design].";
}

TEST(LongLines, DetectionRefusesALineBeyondTheBoundAtItsStart) {
    test::TempDir dir;
    const auto path = dir / "one-line.jsonl";
    {
        std::ofstream out(path, std::ios::binary);
        const std::string block(1 << 20, 'x');
        for (int i = 0; i < 64; ++i) out << block;  // 64 MiB, no line break
    }
    // In a child, so that its peak memory is its own.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            detect_format(path);
        } catch (const DataError& e) {
            ::_exit(std::string(e.what()) == path.string() + ":1: line is longer than 16 MiB, the limit for one record" ? 0 : 2);
        }
        ::_exit(1);
    }
    int status = 0;
    rusage usage{};
    ASSERT_EQ(::wait4(child, &status, 0, &usage), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error; 2: another error";
    EXPECT_LT(usage.ru_maxrss, 100 * 1024) << "KiB at the peak";
}

TEST(LongLines, TheFirstLineSkipsBlankLinesAndAMark) {
    test::TempDir dir;
    const FirstLine first = read_first_line(dir.write("f.txt", "\xEF\xBB\xBF  \r\n\t\n{\"a\": 1}\r\nnext\n"));
    EXPECT_EQ(first.text, "{\"a\": 1}");
    EXPECT_EQ(first.number, 3u);
    EXPECT_EQ(read_first_line(dir.write("blank.txt", " \n\n\t")).text, "");
    EXPECT_EQ(read_first_line(dir.write("last.txt", "\n\nend")).number, 3u);
}

TEST(LongLines, AWinoBiasLineOfMegabytesIsDetectedImportedAndScored) {
    test::TempDir dir;
    for (const std::size_t bytes : {std::size_t{200} << 10, std::size_t{8} << 20}) {
        const std::string line = long_winobias_line(bytes, "he");
        const auto pro = dir.write("pro_stereotyped_type1.txt.test", line + "\n");
        dir.write("anti_stereotyped_type1.txt.test", long_winobias_line(bytes, "she") + "\n");
        EXPECT_EQ(detect_format(pro), "winobias");
        const Dataset d = import_dataset(pro, "auto");
        ASSERT_EQ(d.prompts.size(), 1u);
        EXPECT_EQ(d.prompts[0].text, "The developer argued with the designer because");
        EXPECT_EQ(d.prompts[0].responses[0].text.substr(0, 27), "she did not like design des");
        const WinobiasItem item = parse_winobias_line(line, pro.string(), 1);
        EXPECT_EQ(item.pronoun, "he");
        EXPECT_EQ(item.occupation, "developer");
    }
}

}  // namespace
}  // namespace amalgam
