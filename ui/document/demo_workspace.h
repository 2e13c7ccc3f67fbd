#pragma once

#include <QString>

namespace amalgam {

class Workbench;

/** The demo: the example datasets and recipe built into the program are written into `dir`
 *  (examples/, recipes/demo.yaml) and a workspace dir/demo.amalgam is made from the recipe.
 *  An existing demo workspace is kept as it is. Returns the workspace file, or throws. */
QString prepareDemoWorkspace(const QString& dir);

/** What the demo does once its workspace is open, when it is new: evaluates the built-in tiny
 *  GPT-2; curates; exports D_train into dir/dtrain; and queues tiny SFT → RM → PPO and SFT → DPO
 *  runs on it, then the evaluation of the tiny Llama and of each policy. A reopened demo is
 *  curated if it has no curation and otherwise left as it is. */
void startDemo(Workbench& workbench, const QString& dir);

}  // namespace amalgam
