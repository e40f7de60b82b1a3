// ONNX TensorProto -> ir::Tensor, for reuse by code that already holds ONNX protobuf messages.
// Conversion checks every size against the dims and dtype (hostile files must not cause huge
// allocations or out-of-bounds reads), keeps raw_data without copying where the message may be
// consumed, and maps external-data files instead of reading them.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <onnx/onnx_pb.h>

#include "core/common/status.h"
#include "core/ir/tensor.h"

namespace gs::onnx_import {

// Resolves data_location=EXTERNAL tensors against a model folder. Each data file is mapped once and
// shared by every tensor that points into it. baseDir "" refuses external data.
class ExternalData {
public:
  explicit ExternalData(std::string baseDir) : m_baseDir(std::move(baseDir)) {}

  // Checks the tensor's location entry without touching the file: a base folder exists, and the
  // path is relative and has no "..".
  Status checkLocation(const onnx::TensorProto& t) const;
  // Everything load() checks (location, symlinks resolving inside the folder, the file, offset and
  // length against its size and byteSize), mapping the file for later loads.
  Status check(const onnx::TensorProto& t, std::size_t byteSize);
  // A tensor viewing the mapped file at the tensor's offset (copied only when the offset is not
  // aligned for the element type). byteSize is the size dims and dtype call for.
  Expected<ir::Tensor> load(const onnx::TensorProto& t, ir::DataType dtype, std::vector<int64_t> dims,
                            std::size_t byteSize);

private:
  struct Region {
    std::shared_ptr<ir::MappedFile> file;
    std::size_t offset = 0;
  };
  Expected<std::string> resolvePath(const std::string& location) const;
  Expected<Region> locate(const onnx::TensorProto& t, std::size_t byteSize);
  std::string m_baseDir;
  std::map<std::string, std::shared_ptr<ir::MappedFile>> m_files; // by resolved path
};

// Element count of a tensor's dims, refusing negative dims and counts whose byte size overflows.
// what names the tensor in messages ("initializer 'w'").
Expected<int64_t> checkedElementCount(const onnx::TensorProto& t, const std::string& what);

// Every check conversion makes (dtype, dims, data field sizes, external data location and bounds)
// without converting anything.
Status checkTensorProto(const onnx::TensorProto& t, ExternalData& external);

// Converts a tensor, copying its data (t stays untouched).
Expected<ir::Tensor> tensorFromProto(const onnx::TensorProto& t, const std::string& baseDir);

// Converts a tensor, moving raw_data out of t (the bytes are not copied) and releasing typed fields
// once converted. t is left without data.
Expected<ir::Tensor> takeTensorFromProto(onnx::TensorProto& t, ExternalData& external);

} // namespace gs::onnx_import
