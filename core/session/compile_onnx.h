// The one build entry point. The studio's Build, "Profile all gears" (when it compiles),
// "Compare strategies" (each strategy's models), gearbench's on-the-fly compile and the helpers
// below all go through buildModel() with the user's whole form, so what is profiled is what was
// built. Also: a loader that takes either an .om file or an .onnx file (compiled on the fly).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::session {

// Everything that decides the bytes of a build.
struct BuildRequest {
  shape_config::ShapeConfig config;        // shapes, gears or ranges, input format, out nodes
  std::vector<std::string> disabledPasses; // pass names (compiler::passRegistry)
  std::string device = "cpu";              // the target device: fusions it has no kernels for are skipped
  std::string sourceSha256;                // of the model file; empty: hashed from model.sourcePath
  std::string atcCommand; // the command recorded in the .om (the studio's form, with --output); empty: buildCommand
  // Leave clock values (build time, compile timings) out of the .om, so that the same request
  // gives the same bytes (tests, reproducible builds).
  bool reproducible = false;
  // --quantize=int8 builds: where the quantized QDQ .onnx model is written (empty: not written).
  std::string quantizedModelPath;
  bool operator==(const BuildRequest&) const = default;
};

// The canonical ATC command of a request, recorded in the .om (--model from model.sourcePath).
std::string buildCommand(const ir::Model& model, const shape_config::ShapeConfig& config);
// A key naming what a build was made from (command and disabled passes): equal keys, same model.
std::string buildKey(const ir::Model& model, const BuildRequest& request);

// The one entry point: validates the config against the model and compiles. Progress events carry
// stage "compile" and the gear. With --quantize=int8 (config.precision.quantizeInt8) the model is
// calibrated first (session/calibrate.h; events with stage "calibrate"), and the quantized QDQ model
// is what gets compiled (and written to request.quantizedModelPath when given).
Expected<om::Model> buildModel(const ir::Model& model, const BuildRequest& request, const Progress& progress = {});

// Parses shape options (--input_shape, the gear options, --input_format, --out_nodes) into a request.
Expected<BuildRequest> requestFromOptions(const shape_config::AtcOptions& options,
                                          std::vector<std::string> disabledPasses = {});

// Imports `path` and builds it with the shape options of `options` (--model/--framework/--output
// are not needed).
Expected<om::Model> compileOnnx(const std::string& path, const shape_config::AtcOptions& options,
                                const Progress& progress = {}, std::vector<std::string> disabledPasses = {});
// Same for an already imported model.
Expected<om::Model> compileModel(const ir::Model& model, const shape_config::AtcOptions& options,
                                 const Progress& progress = {}, std::vector<std::string> disabledPasses = {});

// An .om file is read (weights stay mapped); an .onnx file is compiled with `options`.
Expected<std::shared_ptr<const om::Model>> loadModel(const std::string& path,
                                                     const shape_config::AtcOptions& options = {},
                                                     const Progress& progress = {},
                                                     std::vector<std::string> disabledPasses = {});

} // namespace gs::session
