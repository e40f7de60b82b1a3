// Shared helpers of the basic CPU kernels.
#include "core/runtime/cpu/kernels/basic/common.h"

#include <cstring>

#include "core/runtime/cpu/kernels/basic/dispatch.h"
#include "core/runtime/cpu/kernels/basic/parallel.h"

namespace gs::runtime::cpu::basic {

int64_t productOf(std::span<const int64_t> dims, std::size_t begin, std::size_t end) {
  int64_t n = 1;
  for (std::size_t i = begin; i < end && i < dims.size(); ++i)
    n *= dims[i];
  return n;
}

std::string dimsString(std::span<const int64_t> dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) s.push_back(',');
    s.append(std::to_string(dims[i]));
  }
  s.push_back(']');
  return s;
}

ir::DataType inputType(const CreateContext& c, std::size_t i) {
  return i < c.inputTypes.size() ? c.inputTypes[i] : ir::DataType::Undefined;
}

const ir::Tensor* constInput(const CreateContext& c, std::size_t i) {
  return i < c.constInputs.size() ? c.constInputs[i] : nullptr;
}

std::optional<std::vector<int64_t>> constInts(const CreateContext& c, std::size_t i) {
  const auto* t = constInput(c, i);
  if (!t || !ir::isInteger(t->dtype)) return std::nullopt;
  return t->toVector<int64_t>();
}

static std::string nodeLabel(const std::string& name, const std::string& op) {
  return "node '" + name + "' (" + op + ")";
}

std::unexpected<Error> unsupported(const CreateContext& c, const std::string& what) {
  return makeError(codes::kUnsupported, nodeLabel(c.node.name, c.node.opType) + ": " + what);
}

std::unexpected<Error> invalid(const CreateContext& c, const std::string& what) {
  return makeError(codes::kInvalid, nodeLabel(c.node.name, c.node.opType) + ": " + what);
}

void copyBytes(void* dst, const void* src, std::size_t bytes) {
  if (dst == src || bytes == 0) return;
  auto* d = static_cast<std::byte*>(dst);
  const auto* s = static_cast<const std::byte*>(src);
  parallelFor(static_cast<int64_t>(bytes), kGrainCopy * 4,
              [&](int64_t b, int64_t e) { std::memcpy(d + b, s + b, static_cast<std::size_t>(e - b)); });
}

std::unexpected<Error> BasicKernel::fail(const std::string& what) const {
  return makeError(codes::kRuntime, nodeLabel(m_name, m_op) + ": " + what);
}

Expected<int64_t> BasicKernel::normAxis(int64_t axis, int64_t rank) const {
  if (axis < -rank || axis >= rank)
    return fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

Status BasicKernel::checkRank(std::size_t rank) const {
  if (rank > static_cast<std::size_t>(kMaxRank))
    return fail("rank " + std::to_string(rank) + " exceeds the supported " + std::to_string(kMaxRank));
  return ok();
}

Status BasicKernel::prepareOutput(std::span<TensorRef> outputs, std::size_t i, std::span<const int64_t> dims,
                                  RunContext& ctx) const {
  if (i >= outputs.size()) return fail("output " + std::to_string(i) + " is missing");
  TensorRef& o = outputs[i];
  const bool sameDims = std::equal(o.dims.begin(), o.dims.end(), dims.begin(), dims.end());
  if (o.data || (sameDims && productOf(dims) == 0 && !o.dims.empty())) {
    if (!sameDims)
      return fail("output " + std::to_string(i) + " was given dims " + dimsString(o.dims) + " but the inputs give " +
                  dimsString(dims));
    return ok();
  }
  if (!ctx.allocateOutput) return fail("output " + std::to_string(i) + " has no buffer and no allocator");
  auto r = ctx.allocateOutput(i, std::vector<int64_t>(dims.begin(), dims.end()));
  if (!r) return std::unexpected(std::move(r.error()));
  o = std::move(*r);
  return ok();
}

Status BasicKernel::readInts(const TensorRef& t, std::vector<int64_t>& out) const {
  const auto n = t.numel();
  out.resize(static_cast<std::size_t>(n));
  const bool okType =
      visitType<int64_t, int32_t, int16_t, int8_t, uint8_t, uint16_t, uint32_t, uint64_t>(t.dtype, [&](auto tag) {
        using T = decltype(tag);
        const T* p = t.as<const T>();
        for (int64_t k = 0; k < n; ++k)
          out[static_cast<std::size_t>(k)] = static_cast<int64_t>(p[k]);
      });
  if (!okType) return fail("expected an integer tensor, got " + std::string(ir::dtypeName(t.dtype)));
  return ok();
}

double elementAsDouble(ir::DataType t, const void* data, int64_t i) {
  double v = 0;
  visitType<float, double, int64_t, int32_t, int16_t, int8_t, uint8_t, uint16_t, uint32_t, uint64_t, bool>(
      t, [&](auto tag) {
        using T = decltype(tag);
        v = static_cast<double>(static_cast<const T*>(data)[i]);
      });
  return v;
}

Expected<double> BasicKernel::readScalar(const TensorRef& t) const {
  if (t.numel() != 1) return fail("expected a one-element tensor, got dims " + dimsString(t.dims));
  if (t.dtype == ir::DataType::Float16 || t.dtype == ir::DataType::BFloat16 || !t.data)
    return fail("unsupported scalar type " + std::string(ir::dtypeName(t.dtype)));
  return elementAsDouble(t.dtype, t.data, 0);
}

} // namespace gs::runtime::cpu::basic
