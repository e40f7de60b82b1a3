// Compile-and-load glue for the apps and the studio: an ONNX file plus ATC shape options in, an
// om::Model out (import -> shape config -> validate -> compile), and a loader that takes either an
// .om file or an .onnx file (compiled on the fly).
#pragma once

#include <memory>
#include <string>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/ir/graph.h"
#include "core/om/model.h"

namespace gs::session {

// Imports `path` and compiles it with the shape options of `options` (--input_shape, the gear
// options, --input_format, --out_nodes; --model/--framework/--output are not needed).
Expected<om::Model> compileOnnx(const std::string& path, const shape_config::AtcOptions& options,
                                const Progress& progress = {});
// Same for an already imported model.
Expected<om::Model> compileModel(const ir::Model& model, const shape_config::AtcOptions& options,
                                 const Progress& progress = {});

// An .om file is read (weights stay mapped); an .onnx file is compiled with `options`.
Expected<std::shared_ptr<const om::Model>>
loadModel(const std::string& path, const shape_config::AtcOptions& options = {}, const Progress& progress = {});

} // namespace gs::session
