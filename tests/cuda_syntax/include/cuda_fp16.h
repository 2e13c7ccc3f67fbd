// A CUDA header libtorch's CUDA headers include (tests/cuda_syntax); nothing of it is used.
#pragma once
