#include "core/data/json_records.h"

#include <cmath>

#include "core/util/data_error.h"
#include "core/util/json_error.h"

namespace amalgam {

void guard_record(const std::string& file, std::size_t line, const ImportOptions& options,
                  ImportReport& report, const std::function<void()>& body) {
    auto skip_or_stop = [&](const std::string& reason) {
        DataError error(file, line, reason);
        if (!options.skip_bad_lines) throw error;
        if (report.skipped_lines++ == 0) report.first_skipped = error.what();
    };
    try {
        body();
    } catch (const RecordError& e) {
        skip_or_stop(e.what());
    } catch (const nlohmann::json::exception& e) {  // a field of the wrong type, read by the format's code
        skip_or_stop("unexpected content: " + json_error_text(e));
    }
}

void for_each_json_record(const TextFile& file, const ImportOptions& options, ImportReport& report,
                          const std::function<void(const nlohmann::json&, std::size_t)>& fn) {
    file.for_each_line([&](std::string_view line, std::size_t number) {
        if (line.find_first_not_of(" \t") == std::string_view::npos) return;
        ++report.lines;
        guard_record(file.path(), number, options, report, [&] {
            if (auto bad = file.invalid_utf8(number)) throw RecordError("invalid UTF-8 at byte " + std::to_string(*bad) + " of the line");
            nlohmann::json object;
            try {
                object = nlohmann::json::parse(line);
            } catch (const nlohmann::json::exception& e) {  // a syntax error, or a number too large for a double
                throw RecordError("malformed JSON: " + json_error_text(e));
            }
            if (!object.is_object()) throw RecordError("expected a JSON object on each line");
            fn(object, number);
        });
    });
    if (report.lines == report.skipped_lines)
        throw DataError(file.path(), 0, "no usable records" + (report.first_skipped.empty()
                                                                  ? std::string()
                                                                  : " (first problem: " + report.first_skipped + ")"));
}

const std::string& require_string(const nlohmann::json& object, const std::string& key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) throw RecordError("missing field '" + key + "'");
    if (!it->is_string()) throw RecordError("field '" + key + "' is not a string");
    return it->get_ref<const std::string&>();
}

std::optional<std::string> optional_string(const nlohmann::json& object, const std::string& key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw RecordError("field '" + key + "' is not a string");
    return it->get<std::string>();
}

std::string record_id(const nlohmann::json& r, const ImportOptions& options, const std::filesystem::path& path,
                      std::size_t line) {
    auto it = r.find(options.field("id"));
    if (it != r.end() && it->is_string()) return it->get<std::string>();
    if (it != r.end() && it->is_number_integer()) return std::to_string(it->get<long long>());
    return path.filename().string() + ":" + std::to_string(line);
}

double label_value(const std::string& name, const nlohmann::json& value) {
    if (value.is_number() && std::isfinite(value.get<double>())) return value.get<double>();
    throw RecordError("label '" + name + "' is " + value.dump() + ", not a finite number");
}

void collect_numbers(const nlohmann::json& object, const std::string& prefix, std::map<std::string, double>& out,
                     const ImportOptions& options) {
    for (const auto& [key, value] : object.items()) {
        const std::string name = prefix + key;
        if (value.is_object()) collect_numbers(value, name + ".", out, options);
        else if (name == options.label && !value.is_null()) out[name] = label_value(name, value);
        else if (value.is_number() && std::isfinite(value.get<double>())) out[name] = value.get<double>();
    }
}

}  // namespace amalgam
