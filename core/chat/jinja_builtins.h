#pragma once

// The functions a template calls by name, as jinja2 and transformers define them.
#include <string>

#include "core/chat/jinja_value.h"

namespace amalgam::jinja {

/** `subject | name(arguments)`; an unknown filter is an Error. */
Value apply_filter(const std::string& name, const Value& subject, const Arguments& arguments);
/** `subject is name(arguments)`; an unknown test is an Error. */
bool apply_test(const std::string& name, const Value& subject, const Arguments& arguments);
/** `subject.name(arguments)`: Python's str, dict and list methods that do not change their object. */
Value call_method(const Value& subject, const std::string& name, const Arguments& arguments);
/** raise_exception, namespace, range, dict and strftime_now. */
Dict global_functions();

/** Python's binary operators: + - * / // % ** on numbers, + and * on strings and lists. */
Value arithmetic(const std::string& op, const Value& a, const Value& b);
/** <, >, <=, >= on numbers, strings and lists. */
bool less(const Value& a, const Value& b);
/** `needle in haystack`: a substring, a list's item or a dict's key. */
bool contains(const Value& haystack, const Value& needle);

}  // namespace amalgam::jinja
