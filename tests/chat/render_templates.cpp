// Renders template cases with our interpreter, for tests/chat/jinja_equality.py to set beside
// jinja2: reads {"cases": [{"template", "source", "variables"}]} from the file named by argv[1]
// and prints a JSON list of {"output"} or {"error"}, one per case, in order.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/chat/jinja_template.h"

int main(int argc, char** argv) {
    using nlohmann::ordered_json;
    if (argc != 2) {
        std::cerr << "usage: amalgam_render_templates CASES.json\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    const ordered_json cases = ordered_json::parse(in);
    ordered_json out = ordered_json::array();
    for (const ordered_json& c : cases.at("cases")) {
        try {
            const amalgam::jinja::Template t(c.at("template").get<std::string>(), c.value("source", "template"));
            out.push_back({{"output", t.render(amalgam::jinja::Value::from_json(c.at("variables")).as_dict())}});
        } catch (const std::exception& e) {
            out.push_back({{"error", e.what()}});
        }
    }
    std::cout << out.dump(-1, ' ', false, ordered_json::error_handler_t::replace) << "\n";
    return 0;
}
