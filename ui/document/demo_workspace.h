#pragma once

#include <QString>

namespace amalgam {

class Workbench;

/** The demo: the example datasets and recipe built into the program are written into `dir`
 *  (examples/, recipes/demo.yaml) and a workspace dir/demo.amalgam is made from the recipe.
 *  An existing demo workspace is kept as it is. Returns the workspace file, or throws. */
QString prepareDemoWorkspace(const QString& dir);

/** What the demo does once its workspace is open: curates it if it has no curation yet and,
 *  if nothing was evaluated, evaluates the built-in tiny Llama and GPT-2 models on the
 *  example evaluation folder. */
void startDemo(Workbench& workbench, const QString& dir);

}  // namespace amalgam
