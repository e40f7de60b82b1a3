// Shape helpers.
#include "core/ir/shape.h"

#include <limits>

namespace gs::ir {

std::string Dim::str() const {
  if (isKnown()) return std::to_string(value);
  return symbol.empty() ? "?" : symbol;
}

Shape Shape::fromValues(const std::vector<int64_t>& values) {
  Shape s;
  s.dims.reserve(values.size());
  for (auto v : values)
    s.dims.push_back(Dim::known(v));
  return s;
}

bool Shape::isStatic() const {
  if (!rankKnown) return false;
  for (const auto& d : dims)
    if (!d.isKnown()) return false;
  return true;
}

// Saturates at INT64_MAX when the product overflows (dims read from a hostile file can), so that
// comparisons against limits stay true and nothing wraps.
std::optional<int64_t> Shape::numel() const {
  if (!isStatic()) return std::nullopt;
  int64_t n = 1;
  for (const auto& d : dims)
    if (__builtin_mul_overflow(n, d.value, &n)) return std::numeric_limits<int64_t>::max();
  return n;
}

std::optional<std::vector<int64_t>> Shape::values() const {
  if (!isStatic()) return std::nullopt;
  std::vector<int64_t> v;
  v.reserve(dims.size());
  for (const auto& d : dims)
    v.push_back(d.value);
  return v;
}

std::string Shape::str() const {
  if (!rankKnown) return "[?...]";
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += dims[i].str();
  }
  return s + "]";
}

std::string joinDims(std::span<const int64_t> dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    s += i ? "," : "";
    s += std::to_string(dims[i]);
  }
  return s;
}

} // namespace gs::ir
