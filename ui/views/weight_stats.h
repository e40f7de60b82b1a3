// Statistics of a constant tensor for the node properties panel: min/max for every numeric dtype, and
// for float32 also mean, standard deviation and sparsity (the share of exact zeros).
#pragma once

#include <cstdint>
#include <optional>

#include "core/ir/tensor.h"

namespace gs::ui {

struct WeightStats {
  int64_t count = 0;
  double min = 0;
  double max = 0;
  bool hasMoments = false; // mean, stddev and sparsity are set (float32 only)
  double mean = 0;
  double stddev = 0;   // population standard deviation
  double sparsity = 0; // zeros / count, in [0, 1]
};

// nullopt for empty tensors and dtypes without numbers (string, float16, complex, ...).
std::optional<WeightStats> computeWeightStats(const ir::Tensor& t);

} // namespace gs::ui
