#pragma once

namespace amalgam {

/** Uses every core for libtorch and OpenMP (faiss). libtorch otherwise sees one thread on
 *  some machines, and its first use would pin OpenMP to one thread too. Call at start-up. */
void use_all_cores();

}  // namespace amalgam
