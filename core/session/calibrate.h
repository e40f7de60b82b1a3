// int8 calibration: the float model's activations measured on the calibration set, then the QDQ
// model written (core/compiler/quantize). The float model is compiled by GearStudio itself (one
// static build per distinct sample shape, the activations the quantized nodes read made outputs with
// --out_nodes) and run on every sample; min/max in a first pass, a 2048-bin |x| histogram in a second
// pass for the percentile and entropy methods. Deterministic: the same samples give the same ranges
// and the same model bytes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/quantize/quantize_model.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "core/session/calibration_data.h"

namespace gs::session {

struct CalibrationOptions {
  shape_config::ShapeConfig config; // the build's config: precision (dir, method, mean/scale, keep), input dims
  std::string device = "cpu";       // runs the float model
  int threads = 0;
  double percentile = 99.99;
  quantize::ActivationScheme scheme = quantize::ActivationScheme::Asymmetric;
  CalibrationLimits limits;
  std::size_t maxShapes = 16; // distinct sample shapes (one float build each)
};

struct CalibrationResult {
  std::string quantizedOnnx; // serialized QDQ model
  std::map<std::string, quantize::ActivationRange> ranges;
  std::vector<quantize::QuantTarget> targets;
  std::vector<std::string> kept;
  std::size_t samples = 0;
  int64_t opsetBefore = 0, opsetAfter = 0;
};

// Errors name the problem: a model without a source .onnx file, an already quantized or 16-bit
// model, calibration data that does not fit the model (calibration_data.h), non-finite activations
// (naming tensor and sample), cancellation (codes::kCancelled). Progress events carry stage
// "calibrate", one per sample and pass.
Expected<CalibrationResult> calibrateInt8(const ir::Model& model, const CalibrationOptions& options,
                                          const Progress& progress = {});

// The folder of a model file, for resolving its external data ("" when there is none).
std::string modelFolder(const ir::Model& model);

} // namespace gs::session
