#pragma once

namespace amalgam {

class MainWindow;

/** Waits, without a window on screen, for the demo's work (curation, export, the training
 *  pipeline, the evaluations) while printing each job as it ends; then prints the comparison
 *  with the tiny Llama as baseline. Returns the exit status: 1 if anything failed. */
int finishDemoHeadless(MainWindow& window);

}  // namespace amalgam
