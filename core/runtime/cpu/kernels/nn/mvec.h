// glibc's vector math library (libmvec, part of libc6 since 2.22; erf/tanh since 2.35): the same
// functions as libm's, for 4, 8 or 16 floats per call, picked at run time for the CPU (SSE2, AVX2,
// AVX-512). Results are within glibc's documented vector-variant bounds (a few ulp) and special
// inputs (NaN, inf, overflow) follow libm's scalar semantics. Used where oneDNN has no eltwise
// algorithm for an ONNX op (Erf) or where its algorithm is less accurate (Log: ~30 ulp near 1), and
// for the recurrent gates, where arrays are short and a plain call beats a primitive's set-up.
#pragma once

#include <cstdint>

namespace gs::runtime::cpu::nn::mvec {

// y[i] = erf(x[i]) / log(x[i]) for n floats (y may equal x); serial: the caller splits large arrays.
void erf(const float* x, float* y, int64_t n);
void log(const float* x, float* y, int64_t n);
void exp(const float* x, float* y, int64_t n);
void tanh(const float* x, float* y, int64_t n);
// x[i] = 1 / (1 + exp(-x[i])) in place (the ONNX RNN gates' sigmoid).
void sigmoid(float* x, int64_t n);

} // namespace gs::runtime::cpu::nn::mvec
