#pragma once

#include <string>

#include <QString>

namespace amalgam {

struct Prompt;

/** Text escaped for rich-text views, line breaks kept. */
QString htmlText(const std::string& text);

/** A prompt as it was read: id, earlier turns, the prompt, and every answer with its labels,
 *  so a researcher sees how a file's fields landed. */
QString promptHtml(const Prompt& prompt);

}  // namespace amalgam
