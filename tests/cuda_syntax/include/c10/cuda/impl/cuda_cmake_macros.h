// Written by a CUDA build of libtorch; a CPU build ships its headers without it.
#pragma once
#define C10_CUDA_BUILD_SHARED_LIBS
