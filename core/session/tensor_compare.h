// Comparing a run's output with a reference tensor, as the ONNX backend tests do: dtype and shape
// must match; floating-point elements within atol + rtol * |expected| (NaN equals NaN, infinities must
// be equal); other types bit for bit. bfloat16 references stored as uint16 (numpy has no bfloat16)
// compare as bfloat16.
#pragma once

#include <optional>
#include <string>

#include "core/ir/tensor.h"
#include "core/runtime/tensor.h"

namespace gs::session {

// nullopt when equal within tolerance, else what differs ("3/64 elements differ; worst at 5: ...").
std::optional<std::string> compareTensors(const runtime::HostTensor& got, const ir::Tensor& want, double rtol,
                                          double atol);

} // namespace gs::session
