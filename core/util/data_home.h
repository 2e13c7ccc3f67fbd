#pragma once

#include <filesystem>

namespace amalgam {

/** The user's Amalgam folder: $XDG_DATA_HOME/Amalgam, else ~/.local/share/Amalgam (the demo
 *  workspace lives there too). */
std::filesystem::path user_data_home();

/** Where the public datasets are: $AMALGAM_DATA when set, else user_data_home()/data, which
 *  `amalgam-cli data get` fills. Recipes' ${data} and `eval --data` default to it. */
std::filesystem::path default_data_dir();

}  // namespace amalgam
