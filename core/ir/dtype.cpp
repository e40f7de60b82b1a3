// Element type names and sizes.
#include "core/ir/dtype.h"

#include <array>
#include <utility>

namespace gs::ir {
namespace {

struct TypeInfo {
  DataType type;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<TypeInfo, 17> kTypes{{
    {DataType::Undefined, "undefined", 0},
    {DataType::Float32, "float32", 4},
    {DataType::UInt8, "uint8", 1},
    {DataType::Int8, "int8", 1},
    {DataType::UInt16, "uint16", 2},
    {DataType::Int16, "int16", 2},
    {DataType::Int32, "int32", 4},
    {DataType::Int64, "int64", 8},
    {DataType::String, "string", 0},
    {DataType::Bool, "bool", 1},
    {DataType::Float16, "float16", 2},
    {DataType::Float64, "float64", 8},
    {DataType::UInt32, "uint32", 4},
    {DataType::UInt64, "uint64", 8},
    {DataType::Complex64, "complex64", 8},
    {DataType::Complex128, "complex128", 16},
    {DataType::BFloat16, "bfloat16", 2},
}};

const TypeInfo* info(DataType t) {
  const auto i = static_cast<std::size_t>(t);
  return i < kTypes.size() ? &kTypes[i] : nullptr;
}

} // namespace

std::size_t dtypeSize(DataType t) {
  const auto* i = info(t);
  return i ? i->size : 0;
}

std::string_view dtypeName(DataType t) {
  const auto* i = info(t);
  return i ? i->name : std::string_view("invalid");
}

std::optional<DataType> dtypeFromName(std::string_view name) {
  for (const auto& t : kTypes)
    if (t.name == name) return t.type;
  if (name == "float") return DataType::Float32;
  if (name == "double") return DataType::Float64;
  return std::nullopt;
}

std::optional<DataType> dtypeFromOnnx(int32_t onnxType) {
  if (onnxType < 0 || onnxType >= static_cast<int32_t>(kTypes.size())) return std::nullopt;
  return static_cast<DataType>(onnxType);
}

} // namespace gs::ir

namespace gs::ir {

std::string DtypeSet::str() const {
  if (*this == any()) return "any";
  std::string s;
  for (int32_t i = 1; i <= kMax; ++i) {
    if (!has(static_cast<DataType>(i))) continue;
    if (!s.empty()) s += ',';
    s += dtypeName(static_cast<DataType>(i));
  }
  return s;
}

} // namespace gs::ir
