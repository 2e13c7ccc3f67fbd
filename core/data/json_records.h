#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/data/import_options.h"
#include "core/data/record.h"
#include "core/util/text_file.h"

namespace amalgam {

/** Calls fn(object, line_number) for every non-blank line of a JSON Lines file (open it with
 *  Utf8Check::PerLine). A line that is not valid UTF-8 or not a JSON object, or for which fn
 *  throws RecordError, stops the import with a DataError naming the line, or with
 *  skip_bad_lines is counted in the report and passed over. */
void for_each_json_record(const TextFile& file, const ImportOptions& options, ImportReport& report,
                          const std::function<void(const nlohmann::json&, std::size_t)>& fn);

/** The same policy for any record source: runs `body` and deals with a RecordError from it. */
void guard_record(const std::string& file, std::size_t line, const ImportOptions& options,
                  ImportReport& report, const std::function<void()>& body);

/** A string field that must be there; RecordError names the field otherwise. */
const std::string& require_string(const nlohmann::json& object, const std::string& key);

/** A string field that may be missing or null. */
std::optional<std::string> optional_string(const nlohmann::json& object, const std::string& key);

/** The record's id field (string or integer) when it has one, else "file:line". */
std::string record_id(const nlohmann::json& object, const ImportOptions& options, const std::filesystem::path& path,
                      std::size_t line);

/** Every finite number in an object, nested objects flattened with dots ("detoxify.toxicity").
 *  The options' label, where present and not null, must be a finite number: RecordError
 *  otherwise. */
void collect_numbers(const nlohmann::json& object, const std::string& prefix, std::map<std::string, double>& out,
                     const ImportOptions& options);

/** RecordError unless a value of the options' label is a finite number. */
double label_value(const std::string& name, const nlohmann::json& value);

}  // namespace amalgam
