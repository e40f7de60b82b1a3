// What-if traces: each dynamic dim drawn from a mixture of uniform, normal, log-normal and constant
// components, with a seed (the same seed and spec give the same trace on the same build).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/traffic/trace.h"

namespace gs::traffic {

struct Component {
  enum class Kind { Uniform, Normal, LogNormal, Constant };
  Kind kind = Kind::Constant;
  double weight = 1;
  double a = 0, b = 0; // uniform [a, b]; normal mean a, sd b; log-normal mu a, sigma b (of ln x); constant a
};

struct DimDistribution {
  std::vector<Component> mixture;
  int64_t lo = 1, hi = kMaxDim; // draws are rounded to the nearest integer and clamped here
};

// "0.5*lognormal(4.6,0.35) + 0.3*normal(420,60) + 0.2*uniform(900,1280)" with optional
// "; clamp=8..1280". Weights default to 1 and are normalised. Errors (codes::kInvalid) point at the
// part that does not parse.
Expected<DimDistribution> parseDistribution(const std::string& text);
std::string formatDistribution(const DimDistribution& d);

// `templ` gives the input names and dims, -1 where a dim is drawn; `dists` has one entry per -1 dim
// in input order (or a single entry used for all). Every request has count 1.
Expected<Trace> generateTrace(const std::vector<NamedShape>& templ, const std::vector<DimDistribution>& dists,
                              int64_t requests, uint64_t seed);

} // namespace gs::traffic
