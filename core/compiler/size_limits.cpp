// Overflow-checked sizes of a gear's tensors and arena.
#include "core/compiler/size_limits.h"

#include <limits>

namespace gs::compiler {
namespace {

std::string dimsText(std::span<const int64_t> dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

std::string gibText(uint64_t bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

// What is wrong with a tensor of these dims, or "" when it can exist.
std::string sizeProblem(std::span<const int64_t> dims, ir::DataType dtype) {
  const auto elem = ir::dtypeSize(dtype);
  const auto bytes = checkedByteSize(dims, elem == 0 ? 1 : elem);
  if (!bytes) return "its element count or byte size does not fit in 64 bits";
  if (*bytes > kMaxAddressableBytes)
    return "it needs " + std::to_string(*bytes) + " bytes (" + gibText(*bytes) +
           "), more than the 128 TiB a 64-bit process can address";
  return {};
}

} // namespace

std::optional<uint64_t> checkedByteSize(std::span<const int64_t> dims, std::size_t elementBytes) {
  int64_t count = 1;
  for (auto d : dims) {
    if (d < 0) return std::nullopt;
    if (__builtin_mul_overflow(count, d, &count)) return std::nullopt;
  }
  int64_t bytes = 0;
  if (__builtin_mul_overflow(count, static_cast<int64_t>(elementBytes), &bytes)) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

Status checkGearInputSizes(const ir::Graph& graph, const shape_config::GearShapes& shapes, int gear) {
  for (const auto& [name, dims] : shapes.inputs) {
    const auto id = graph.findValue(name);
    const auto dtype = id == ir::kNone ? ir::DataType::Float32 : graph.values[static_cast<std::size_t>(id)].dtype;
    if (const auto why = sizeProblem(dims, dtype); !why.empty())
      return makeError(codes::kInvalid, "gear " + std::to_string(gear) + ": input '" + name + "' with the shape " +
                                            dimsText(dims) + " (" + std::string(ir::dtypeName(dtype)) +
                                            ") is impossible: " + why + ".");
  }
  return ok();
}

Status checkGearSizes(const ir::Graph& graph, int gear) {
  for (const auto& v : graph.values) {
    if (!v.shape.isStatic()) continue;
    const auto dims = *v.shape.values();
    if (const auto why = sizeProblem(dims, v.dtype); !why.empty())
      return makeError(codes::kInvalid, "gear " + std::to_string(gear) + ": value '" + v.name + "' with the shape " +
                                            dimsText(dims) + " (" + std::string(ir::dtypeName(v.dtype)) +
                                            ") is impossible: " + why + ".");
  }
  return ok();
}

Status checkArenaSize(uint64_t arenaBytes, int gear) {
  if (arenaBytes > kMaxAddressableBytes)
    return makeError(codes::kInvalid, "gear " + std::to_string(gear) + " needs an arena of " +
                                          std::to_string(arenaBytes) + " bytes (" + gibText(arenaBytes) +
                                          "), more than the 128 TiB a 64-bit process can address.");
  return ok();
}

} // namespace gs::compiler
