// TensorProto conversion: element counts checked against overflow, every data field checked against
// the dims and dtype, raw_data moved rather than copied, external data mapped rather than read.
#include "core/compiler/onnx/tensor_proto.h"
#include "core/compiler/onnx/value_type.h"

#include <bit>
#include <charconv>
#include <filesystem>
#include <limits>

namespace gs::onnx_import {
namespace {

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian");

// Byte sizes beyond this are refused outright: no real tensor is 4 EiB, and it keeps every product
// below int64 overflow.
constexpr int64_t kMaxTensorBytes = int64_t{1} << 62;

std::string label(const onnx::TensorProto& t) {
  return t.name().empty() ? std::string("an unnamed tensor") : "tensor '" + t.name() + "'";
}

std::string dimsString(const onnx::TensorProto& t) {
  std::string s = "[";
  for (int i = 0; i < t.dims_size(); ++i) {
    if (i) s += ',';
    s += std::to_string(t.dims(i));
  }
  s += ']';
  return s;
}

Expected<ir::DataType> checkedDtype(const onnx::TensorProto& t) {
  const auto dtype = ir::dtypeFromOnnx(t.data_type());
  if (!dtype)
    return makeError(codes::kUnsupported, label(t) + " has element type " + onnxOnlyTypeName(t.data_type()) +
                                              ", which GearStudio does not support");
  if (*dtype == ir::DataType::Undefined) return makeError(codes::kFormat, label(t) + " has no element type");
  return *dtype;
}

// The one data field that holds values, or "" when none does; more than one is an error.
Expected<std::string> dataField(const onnx::TensorProto& t) {
  std::string found;
  auto see = [&](bool present, const char* name) -> Status {
    if (!present) return ok();
    if (!found.empty()) return makeError(codes::kFormat, label(t) + " has data in both " + found + " and " + name);
    found = name;
    return ok();
  };
  GS_RETURN_IF_ERROR(see(!t.raw_data().empty(), "raw_data"));
  GS_RETURN_IF_ERROR(see(t.float_data_size() > 0, "float_data"));
  GS_RETURN_IF_ERROR(see(t.int32_data_size() > 0, "int32_data"));
  GS_RETURN_IF_ERROR(see(t.int64_data_size() > 0, "int64_data"));
  GS_RETURN_IF_ERROR(see(t.double_data_size() > 0, "double_data"));
  GS_RETURN_IF_ERROR(see(t.uint64_data_size() > 0, "uint64_data"));
  GS_RETURN_IF_ERROR(see(t.string_data_size() > 0, "string_data"));
  return found;
}

// Which typed field ONNX stores a dtype's values in, and how many field entries one element takes.
struct TypedField {
  const char* name;
  int perElement;
};

TypedField typedFieldFor(ir::DataType d) {
  using ir::DataType;
  switch (d) {
  case DataType::Float32:
    return {"float_data", 1};
  case DataType::Complex64:
    return {"float_data", 2};
  case DataType::Float64:
    return {"double_data", 1};
  case DataType::Complex128:
    return {"double_data", 2};
  case DataType::Int64:
    return {"int64_data", 1};
  case DataType::UInt32:
  case DataType::UInt64:
    return {"uint64_data", 1};
  case DataType::String:
    return {"string_data", 1};
  default: // int32, int16, int8, uint16, uint8, bool, float16, bfloat16
    return {"int32_data", 1};
  }
}

// Packs repeated-field values into bytes of type Dst (narrowing where ONNX widened them).
template <class Dst, class Src> std::string pack(const google::protobuf::RepeatedField<Src>& field) {
  std::string bytes(static_cast<std::size_t>(field.size()) * sizeof(Dst), '\0');
  auto* out = bytes.data();
  for (int i = 0; i < field.size(); ++i) {
    Dst v;
    if constexpr (std::is_same_v<Dst, bool>)
      v = field.Get(i) != 0;
    else
      v = static_cast<Dst>(field.Get(i));
    std::memcpy(out + static_cast<std::size_t>(i) * sizeof(Dst), &v, sizeof(Dst));
  }
  return bytes;
}

template <class T> void release(google::protobuf::RepeatedField<T>* field) {
  google::protobuf::RepeatedField<T> empty;
  empty.Swap(field);
}

Expected<std::string> packTyped(const onnx::TensorProto& t, ir::DataType d) {
  using ir::DataType;
  switch (d) {
  case DataType::Float32:
  case DataType::Complex64:
    return pack<float>(t.float_data());
  case DataType::Float64:
  case DataType::Complex128:
    return pack<double>(t.double_data());
  case DataType::Int64:
    return pack<int64_t>(t.int64_data());
  case DataType::UInt64:
    return pack<uint64_t>(t.uint64_data());
  case DataType::UInt32:
    return pack<uint32_t>(t.uint64_data());
  case DataType::Int32:
    return pack<int32_t>(t.int32_data());
  case DataType::Int16:
    return pack<int16_t>(t.int32_data());
  case DataType::Int8:
    return pack<int8_t>(t.int32_data());
  case DataType::UInt16:
  case DataType::Float16: // the 16 bits of the half float sit in the low half of each int32
  case DataType::BFloat16:
    return pack<uint16_t>(t.int32_data());
  case DataType::UInt8:
    return pack<uint8_t>(t.int32_data());
  case DataType::Bool:
    return pack<bool>(t.int32_data());
  default:
    return makeError(codes::kUnsupported, label(t) + " has element type " + std::string(ir::dtypeName(d)) +
                                              ", which cannot be stored in typed fields");
  }
}

void releaseTyped(onnx::TensorProto& t) {
  release(t.mutable_float_data());
  release(t.mutable_double_data());
  release(t.mutable_int32_data());
  release(t.mutable_int64_data());
  release(t.mutable_uint64_data());
}

// Everything a tensor's header and data fields promise, checked before any data is touched.
struct Layout {
  ir::DataType dtype = ir::DataType::Undefined;
  int64_t numel = 0;
  std::size_t byteSize = 0;
  std::string field; // the data field holding the values ("" when none)
};

Expected<Layout> inspect(const onnx::TensorProto& t, ExternalData& external) {
  Layout l;
  GS_ASSIGN_OR_RETURN(l.dtype, checkedDtype(t));
  GS_ASSIGN_OR_RETURN(l.numel, checkedElementCount(t, label(t)));
  l.byteSize = static_cast<std::size_t>(l.numel) * ir::dtypeSize(l.dtype);
  GS_ASSIGN_OR_RETURN(l.field, dataField(t));
  const auto& field = l.field;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (!field.empty()) return makeError(codes::kFormat, label(t) + " is stored externally but also has " + field);
    if (l.dtype == ir::DataType::String)
      return makeError(codes::kUnsupported, label(t) + " is a string tensor stored as external data");
    GS_RETURN_IF_ERROR(external.check(t, l.byteSize));
    return l;
  }
  if (l.numel == 0) {
    if (!field.empty()) return makeError(codes::kFormat, label(t) + " has no elements but carries " + field);
    return l;
  }
  if (field.empty())
    return makeError(codes::kFormat, label(t) + " has dims " + dimsString(t) + " (" + std::to_string(l.numel) +
                                         " elements) but no data");
  if (field == "raw_data") {
    if (l.dtype == ir::DataType::String)
      return makeError(codes::kFormat, label(t) + " is a string tensor but stores raw_data");
    if (t.raw_data().size() != l.byteSize)
      return makeError(codes::kFormat, label(t) + " has dims " + dimsString(t) + " and element type " +
                                           std::string(ir::dtypeName(l.dtype)) + ", which need " +
                                           std::to_string(l.byteSize) + " bytes, but its raw_data holds " +
                                           std::to_string(t.raw_data().size()) + " bytes");
    return l;
  }
  const auto expected = typedFieldFor(l.dtype);
  if (field != expected.name)
    return makeError(codes::kFormat, label(t) + " has element type " + std::string(ir::dtypeName(l.dtype)) +
                                         " but stores its values in " + field + " instead of " + expected.name);
  int64_t count = 0;
  if (field == "float_data") count = t.float_data_size();
  if (field == "double_data") count = t.double_data_size();
  if (field == "int32_data") count = t.int32_data_size();
  if (field == "int64_data") count = t.int64_data_size();
  if (field == "uint64_data") count = t.uint64_data_size();
  if (field == "string_data") count = t.string_data_size();
  if (count != l.numel * expected.perElement)
    return makeError(codes::kFormat, label(t) + " has dims " + dimsString(t) + " (" + std::to_string(l.numel) +
                                         " elements) but its " + field + " holds " + std::to_string(count) + " values");
  return l;
}

// mut, when set, is the same message as t and may be consumed.
Expected<ir::Tensor> convert(const onnx::TensorProto& t, onnx::TensorProto* mut, ExternalData& external) {
  GS_ASSIGN_OR_RETURN(const auto layout, inspect(t, external));
  const auto dtype = layout.dtype;
  const auto numel = layout.numel;
  const auto& field = layout.field;
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return external.load(t, dtype, std::move(dims), layout.byteSize);

  ir::Tensor out;
  out.dtype = dtype;
  out.dims = std::move(dims);
  if (numel == 0) return out;

  if (field == "raw_data") {
    std::string bytes;
    if (mut)
      bytes.swap(*mut->mutable_raw_data()); // the weights change owner; nothing is copied
    else
      bytes = t.raw_data();
    out.buffer = std::make_shared<ir::StringBuffer>(std::move(bytes));
    return out;
  }

  if (dtype == ir::DataType::String) {
    out.strings.reserve(static_cast<std::size_t>(numel));
    if (mut)
      for (auto& s : *mut->mutable_string_data())
        out.strings.push_back(std::move(s));
    else
      out.strings.assign(t.string_data().begin(), t.string_data().end());
    if (mut) mut->clear_string_data();
    return out;
  }
  GS_ASSIGN_OR_RETURN(auto bytes, packTyped(t, dtype));
  if (mut) releaseTyped(*mut);
  out.buffer = std::make_shared<ir::StringBuffer>(std::move(bytes));
  return out;
}

// Reads a decimal external-data field ("offset", "length").
Expected<std::optional<uint64_t>> numberEntry(const onnx::TensorProto& t, const std::string& key) {
  for (const auto& e : t.external_data()) {
    if (e.key() != key) continue;
    uint64_t v = 0;
    const auto* end = e.value().data() + e.value().size();
    const auto [p, ec] = std::from_chars(e.value().data(), end, v);
    if (ec != std::errc() || p != end || e.value().empty())
      return makeError(codes::kFormat, label(t) + " has an external-data " + key + " '" + e.value() +
                                           "' that is not a non-negative number");
    return std::optional<uint64_t>(v);
  }
  return std::optional<uint64_t>();
}

std::string locationOf(const onnx::TensorProto& t) {
  for (const auto& e : t.external_data())
    if (e.key() == "location") return e.value();
  return {};
}

} // namespace

Expected<int64_t> checkedElementCount(const onnx::TensorProto& t, const std::string& what) {
  int64_t n = 1;
  for (const auto d : t.dims()) {
    if (d < 0) return makeError(codes::kFormat, what + " has dims " + dimsString(t) + " with a negative dimension");
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxTensorBytes / 16)
      return makeError(codes::kFormat, what + " has dims " + dimsString(t) + " whose element count is absurdly large");
  }
  return n;
}

Status ExternalData::checkLocation(const onnx::TensorProto& t) const {
  if (m_baseDir.empty())
    return makeError(codes::kInvalid, label(t) + " is stored as external data, but the model has no folder to "
                                                 "resolve it against");
  const auto location = locationOf(t);
  if (location.empty()) return makeError(codes::kFormat, label(t) + " is stored externally but has no location");
  if (location.find('\0') != std::string::npos)
    return makeError(codes::kFormat, label(t) + " has an external-data location with a NUL character");
  const std::filesystem::path p(location);
  if (p.is_absolute())
    return makeError(codes::kFormat, label(t) + " points to external data at the absolute path '" + location +
                                         "'; only paths inside the model's folder are allowed");
  for (const auto& part : p)
    if (part == "..")
      return makeError(codes::kFormat, label(t) + " points to external data at '" + location +
                                           "', which escapes the model's folder ('..' is not allowed)");
  return ok();
}

Expected<std::string> ExternalData::resolvePath(const std::string& location) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto base = fs::canonical(fs::path(m_baseDir), ec);
  if (ec) return makeError(codes::kIo, "cannot resolve the model folder '" + m_baseDir + "': " + ec.message());
  const auto full = fs::weakly_canonical(base / location, ec);
  if (ec) return makeError(codes::kIo, "cannot resolve external data path '" + location + "': " + ec.message());
  // A symlink inside the folder may still point outside it: compare the resolved paths.
  auto b = base.begin();
  auto f = full.begin();
  for (; b != base.end(); ++b, ++f)
    if (f == full.end() || *b != *f)
      return makeError(codes::kFormat, "external data path '" + location + "' resolves to '" + full.string() +
                                           "', outside the model's folder '" + base.string() + "'");
  return full.string();
}

Expected<ExternalData::Region> ExternalData::locate(const onnx::TensorProto& t, std::size_t byteSize) {
  GS_RETURN_IF_ERROR(checkLocation(t));
  const auto location = locationOf(t);
  auto path = resolvePath(location);
  if (!path) return std::unexpected(withContext(path.error(), label(t)));
  GS_ASSIGN_OR_RETURN(const auto offset, numberEntry(t, "offset"));
  GS_ASSIGN_OR_RETURN(const auto length, numberEntry(t, "length"));

  auto it = m_files.find(*path);
  if (it == m_files.end()) {
    auto mapped = ir::MappedFile::open(*path);
    if (!mapped) return std::unexpected(withContext(mapped.error(), "external data of " + label(t)));
    it = m_files.emplace(*path, *mapped).first;
  }
  const auto& file = it->second;
  const uint64_t size = file->size();
  const uint64_t off = offset.value_or(0);
  if (off > size)
    return makeError(codes::kFormat, label(t) + ": external data offset " + std::to_string(off) +
                                         " is beyond the end of '" + location + "' (" + std::to_string(size) +
                                         " bytes)");
  if (length && *length > size - off)
    return makeError(codes::kFormat, label(t) + ": external data offset " + std::to_string(off) + " + length " +
                                         std::to_string(*length) + " exceed the size of '" + location + "' (" +
                                         std::to_string(size) + " bytes)");
  if (length && *length != byteSize)
    return makeError(codes::kFormat, label(t) + " needs " + std::to_string(byteSize) +
                                         " bytes for its dims and element type, but its external data length is " +
                                         std::to_string(*length));
  if (!length && size - off < byteSize)
    return makeError(codes::kFormat, label(t) + " needs " + std::to_string(byteSize) + " bytes, but '" + location +
                                         "' holds only " + std::to_string(size - off) + " bytes after offset " +
                                         std::to_string(off));
  return Region{file, static_cast<std::size_t>(off)};
}

Status ExternalData::check(const onnx::TensorProto& t, std::size_t byteSize) {
  GS_RETURN_IF_ERROR(locate(t, byteSize));
  return ok();
}

Expected<ir::Tensor> ExternalData::load(const onnx::TensorProto& t, ir::DataType dtype, std::vector<int64_t> dims,
                                        std::size_t byteSize) {
  GS_ASSIGN_OR_RETURN(const auto region, locate(t, byteSize));
  ir::Tensor out;
  out.dtype = dtype;
  out.dims = std::move(dims);
  if (byteSize == 0) return out;
  const auto* p = region.file->data() + region.offset;
  if (reinterpret_cast<std::uintptr_t>(p) % ir::dtypeSize(dtype) != 0) {
    // Kernels read elements through typed pointers, so misaligned data gets its own aligned copy.
    return ir::Tensor::fromBytes(dtype, std::move(out.dims), std::string(reinterpret_cast<const char*>(p), byteSize));
  }
  out.buffer = region.file;
  out.offset = region.offset;
  return out;
}

Status checkTensorProto(const onnx::TensorProto& t, ExternalData& external) {
  GS_RETURN_IF_ERROR(inspect(t, external));
  return ok();
}

Expected<ir::Tensor> tensorFromProto(const onnx::TensorProto& t, const std::string& baseDir) {
  ExternalData external(baseDir);
  return convert(t, nullptr, external);
}

Expected<ir::Tensor> takeTensorFromProto(onnx::TensorProto& t, ExternalData& external) {
  return convert(t, &t, external);
}

} // namespace gs::onnx_import
