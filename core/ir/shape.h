// Shapes whose dims are each a number or a named symbol ("batch", "h") or unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gs::ir {

struct Dim {
  int64_t value = -1; // >= 0: a known size; -1: symbolic or unknown
  std::string symbol; // name of a symbolic dim ("N", "batch"); empty with value -1 means unknown

  static Dim known(int64_t v) { return Dim{v, {}}; }
  static Dim symbolic(std::string s) { return Dim{-1, std::move(s)}; }
  static Dim unknown() { return Dim{}; }

  bool isKnown() const { return value >= 0; }
  bool isSymbolic() const { return value < 0 && !symbol.empty(); }
  bool operator==(const Dim&) const = default;
  // "640", "N", "?"
  std::string str() const;
};

struct Shape {
  std::vector<Dim> dims;
  bool rankKnown = true; // false: nothing is known, not even the rank

  Shape() = default;
  explicit Shape(std::vector<Dim> d) : dims(std::move(d)) {}
  static Shape fromValues(const std::vector<int64_t>& values);
  static Shape unknownRank() {
    Shape s;
    s.rankKnown = false;
    return s;
  }

  std::size_t rank() const { return dims.size(); }
  bool isStatic() const; // rank known and every dim known
  // Product of dims; nullopt unless static.
  std::optional<int64_t> numel() const;
  // Dims as numbers; nullopt unless static.
  std::optional<std::vector<int64_t>> values() const;
  bool operator==(const Shape&) const = default;
  // "[1,3,N,W]", "[]" for a scalar, "[?...]" for unknown rank
  std::string str() const;
};

// "1,3,224,224": dims joined by commas (messages, gear labels, command lines).
std::string joinDims(std::span<const int64_t> dims);

} // namespace gs::ir
