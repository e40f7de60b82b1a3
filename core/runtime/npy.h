// NumPy .npy files: gearbench's input and output format (one tensor per file). Version 1 and 2
// headers, little-endian, C order; float32/float64/int64/int32/int8/uint8/bool. The header parser
// treats its input as hostile: every length and field is checked before use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/runtime/tensor.h"

namespace gs::runtime::npy {

struct Header {
  ir::DataType dtype = ir::DataType::Undefined;
  std::vector<int64_t> dims;
  std::size_t dataOffset = 0; // where the element data starts in the file
};

// Parses the magic, version and header dict of an .npy image; checks that the data fits in `size`
// (fromBytes then also refuses bytes after the data).
Expected<Header> parseHeader(const void* bytes, std::size_t size);

// Whole-file helpers. Errors name the file (codes::kIo / codes::kFormat / codes::kUnsupported).
// read() checks before it reads any data: regular files only (not a device or pipe such as
// /dev/zero), a valid header, and a file size that is exactly header + data (no trailing bytes).
Expected<HostTensor> read(const std::string& path);
// The header of a file, with the same checks as read() and without reading the data; dataBytes,
// when given, receives the data's size.
Expected<Header> readHeader(const std::string& path, std::size_t* dataBytes = nullptr);
Expected<HostTensor> fromBytes(std::string_view bytes);
Status write(const std::string& path, const HostTensor& t);
Expected<std::string> toBytes(const HostTensor& t);

// "a/b:0" -> "a_b_0": the file stem used for a tensor (same rule as the ONNX Runtime reference script).
std::string fileStem(std::string_view tensorName);

} // namespace gs::runtime::npy
