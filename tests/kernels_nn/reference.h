// Naive reference helpers shared by the kernel tests: ONNX activation formulas and small utilities.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/ir/attribute.h"
#include "core/ir/gs_ops.h"

namespace gs::test {

struct RefActivation {
  std::string name; // "" = none
  std::vector<float> params;

  float apply(float x) const {
    if (name == "Relu") return std::max(x, 0.0f);
    if (name == "Clip") return std::min(std::max(x, params[0]), params[1]);
    if (name == "HardSigmoid") return std::max(0.0f, std::min(1.0f, params[0] * x + params[1]));
    if (name == "HardSwish") return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
    if (name == "LeakyRelu") return x < 0.0f ? params[0] * x : x;
    if (name == "Sigmoid") return 1.0f / (1.0f + std::exp(-x));
    if (name == "Tanh") return std::tanh(x);
    return x;
  }
  void setOn(ir::Attributes& a) const {
    if (name.empty()) return;
    a.set(ir::gsop::kActivation, ir::Attribute::ofString(name));
    if (!params.empty()) a.set(ir::gsop::kActivationParams, ir::Attribute::ofFloats(params));
  }
};

// Every fused activation, in turn (index modulo 8; 0 is none).
inline RefActivation activationByIndex(int i) {
  switch (i % 8) {
  case 1:
    return {"Relu", {}};
  case 2:
    return {"Clip", {-0.3f, 0.4f}};
  case 3:
    return {"HardSigmoid", {0.3f, 0.45f}};
  case 4:
    return {"HardSwish", {}};
  case 5:
    return {"LeakyRelu", {0.15f}};
  case 6:
    return {"Sigmoid", {}};
  case 7:
    return {"Tanh", {}};
  default:
    return {};
  }
}

inline int64_t randInt(std::mt19937& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

inline int64_t numelOf(const std::vector<int64_t>& d) {
  int64_t n = 1;
  for (auto x : d)
    n *= x;
  return n;
}

// Row-major strides.
inline std::vector<int64_t> stridesOf(const std::vector<int64_t>& d) {
  std::vector<int64_t> s(d.size(), 1);
  for (std::size_t i = d.size(); i-- > 1;)
    s[i - 1] = s[i] * d[i];
  return s;
}

} // namespace gs::test
