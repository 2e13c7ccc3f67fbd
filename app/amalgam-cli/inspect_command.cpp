#include <cstdio>

#include "arguments.h"
#include "commands.h"
#include "core/data/importer.h"
#include "core/data/prompt_json.h"

namespace amalgam::cli {

const char* const kInspectUsage = R"(usage: amalgam-cli inspect FILE [options]

Prints the detected format of a dataset file, how many records and prompts it holds, the
labels its answers carry, and its first prompts as the importer reads them.

options:
  --format NAME       read as this format instead of detecting it
  --limit N           how many prompts to print (default 3)
  --skip-bad-lines    pass over malformed records and count them
)";

int run_inspect(const std::vector<std::string>& words) {
    Arguments args(words, {"format", "limit"}, {"skip-bad-lines"});
    if (args.positional().size() != 1) throw UsageError("inspect takes one file");
    const std::size_t limit = static_cast<std::size_t>(args.unsigned_integer("limit", 3));
    ImportOptions options;
    options.skip_bad_lines = args.flag("skip-bad-lines");
    Dataset d = import_dataset(args.positional()[0], args.option("format").value_or("auto"), options);

    std::size_t answers = 0;
    for (const auto& p : d.prompts) answers += p.responses.size();
    std::printf("file:     %s\nformat:   %s\nsha256:   %s\nrecords:  %zu\nprompts:  %zu\nanswers:  %zu\n",
                args.positional()[0].c_str(), d.format.c_str(), d.content_hash.c_str(), d.report.lines, d.prompts.size(), answers);
    if (d.report.skipped_lines) std::printf("skipped:  %zu (first: %s)\n", d.report.skipped_lines, d.report.first_skipped.c_str());
    std::string label_list;
    for (const auto& l : label_names(d.prompts)) label_list += (label_list.empty() ? "" : ", ") + l;
    std::printf("labels:   %s\n", label_list.empty() ? "(none)" : label_list.c_str());
    for (std::size_t i = 0; i < d.prompts.size() && i < limit; ++i) std::printf("\n%s\n", to_json(d.prompts[i]).dump(2).c_str());
    return 0;
}

}  // namespace amalgam::cli
