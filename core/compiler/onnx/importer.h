// ONNX model import: reads a .onnx file (or bytes) into an ir::Model. The public API is free of
// ONNX/protobuf headers so users of the IR do not need them.
//
// Semantics worth knowing (see importer.cpp for the reasons):
// - Files are memory-mapped and parsed from the mapping; each tensor's raw_data string is moved into
//   the IR (no copy). External-data weights stay in a shared read-only mapping of their file.
// - Constant nodes become constant values (initializers), in subgraphs too.
// - A graph input that also has an initializer is a constant, not an input, for every ir_version
//   (for ir_version < 4 every initializer is listed as an input; for >= 4 the initializer would be a
//   default that a runtime may override, which a compiled model does not support).
// - Non-tensor types (sequence, map, optional, sparse tensor) and unknown element types are errors
//   (kUnsupported) naming the value; unknown ops are imported as they are.
// - Errors: kIo (cannot read), kFormat (corrupt, hostile or invalid content, ONNX checker findings),
//   kUnsupported; every message names the file.
#pragma once

#include <cstdint>
#include <string>

#include "core/common/status.h"
#include "core/ir/graph.h"
#include "core/ir/tensor.h"

namespace gs::onnx_import {

struct ImportOptions {
  // Protobuf cannot parse messages of 2 GiB or more; bigger models must use external data.
  uint64_t maxFileBytes = (uint64_t{1} << 31) - 1;
  // Run onnx::checker::check_model (findings it cannot judge, e.g. opsets newer than the checker
  // knows, are logged as warnings instead of failing the import).
  bool runChecker = true;
  // Deepest allowed nesting of If/Loop/Scan bodies (the main graph is depth 0).
  int maxSubgraphDepth = 16;
};

// Imports a model file. External data is resolved relative to the file's folder.
Expected<ir::Model> importModel(const std::string& path, const ImportOptions& options = {});

// Imports serialized ModelProto bytes. baseDir is the folder external data is resolved against
// ("" refuses external data). The bytes are released once parsed.
Expected<ir::Model> importModelFromBytes(std::string bytes, const std::string& baseDir,
                                         const ImportOptions& options = {});

// Reads one serialized TensorProto file (e.g. test_data_set_0/input_0.pb of the ONNX backend tests).
// name, when given, receives the tensor's name.
Expected<ir::Tensor> tensorFromProtoFile(const std::string& path, std::string* name = nullptr);

} // namespace gs::onnx_import
