// Reference evaluation of small constant subgraphs in double precision.
#include "core/compiler/passes/constant_eval.h"

#include <cmath>
#include <functional>
#include <map>
#include <string>

namespace gs::compiler::eval {

namespace {

using Binary = double (*)(double, double);
using Unary = double (*)(double);

bool isIntegral(ir::DataType t) {
  switch (t) {
  case ir::DataType::Int8:
  case ir::DataType::Int16:
  case ir::DataType::Int32:
  case ir::DataType::Int64:
  case ir::DataType::UInt8:
  case ir::DataType::UInt16:
  case ir::DataType::UInt32:
  case ir::DataType::UInt64:
  case ir::DataType::Bool:
    return true;
  default:
    return false;
  }
}

bool numeric(const ir::Tensor& t) {
  switch (t.dtype) {
  case ir::DataType::Float32:
  case ir::DataType::Float64:
    return true;
  default:
    return isIntegral(t.dtype);
  }
}

const std::map<std::string, Binary>& binaryOps() {
  static const std::map<std::string, Binary> ops = {
      {"Add", [](double a, double b) { return a + b; }},
      {"Sub", [](double a, double b) { return a - b; }},
      {"Mul", [](double a, double b) { return a * b; }},
      {"Div", [](double a, double b) { return a / b; }},
      {"Pow", [](double a, double b) { return std::pow(a, b); }},
      {"Max", [](double a, double b) { return a > b ? a : b; }},
      {"Min", [](double a, double b) { return a < b ? a : b; }},
      {"Equal", [](double a, double b) { return a == b ? 1.0 : 0.0; }},
      {"Less", [](double a, double b) { return a < b ? 1.0 : 0.0; }},
      {"Greater", [](double a, double b) { return a > b ? 1.0 : 0.0; }},
  };
  return ops;
}

const std::map<std::string, Unary>& unaryOps() {
  static const std::map<std::string, Unary> ops = {
      {"Sqrt", [](double a) { return std::sqrt(a); }},
      {"Neg", [](double a) { return -a; }},
      {"Reciprocal", [](double a) { return 1.0 / a; }},
      {"Exp", [](double a) { return std::exp(a); }},
      {"Log", [](double a) { return std::log(a); }},
      {"Abs", [](double a) { return std::fabs(a); }},
      {"Relu", [](double a) { return a > 0 ? a : 0.0; }},
      {"Sigmoid", [](double a) { return 1.0 / (1.0 + std::exp(-a)); }},
      {"Tanh", [](double a) { return std::tanh(a); }},
      {"Floor", [](double a) { return std::floor(a); }},
      {"Ceil", [](double a) { return std::ceil(a); }},
      {"Cast", [](double a) { return a; }},
      {"Identity", [](double a) { return a; }},
      {"Not", [](double a) { return a == 0 ? 1.0 : 0.0; }},
  };
  return ops;
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  return n;
}

// Strides of `dims` right-aligned against `out`, 0 along broadcast axes. Empty when incompatible.
std::optional<std::vector<int64_t>> broadcastStrides(const std::vector<int64_t>& dims,
                                                     const std::vector<int64_t>& out) {
  if (dims.size() > out.size()) return std::nullopt;
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (std::size_t i = dims.size(); i-- > 0;) {
    const auto axis = out.size() - dims.size() + i;
    if (dims[i] != out[axis] && dims[i] != 1) return std::nullopt;
    strides[axis] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
  return strides;
}

std::optional<std::vector<double>> elementwise(const ir::Node& n, std::span<const ir::Tensor* const> inputs,
                                               const std::vector<int64_t>& out) {
  const auto total = product(out);
  std::vector<std::vector<double>> data;
  std::vector<std::vector<int64_t>> strides;
  for (const auto* t : inputs) {
    auto s = broadcastStrides(t->dims, out);
    if (!s) return std::nullopt;
    strides.push_back(std::move(*s));
    data.push_back(t->toVector<double>());
  }
  std::vector<double> result(static_cast<std::size_t>(total));
  std::vector<int64_t> index(out.size(), 0);
  std::vector<int64_t> offsets(inputs.size(), 0);
  Binary bin = nullptr;
  Unary un = nullptr;
  if (auto it = binaryOps().find(n.opType); it != binaryOps().end()) bin = it->second;
  if (auto it = unaryOps().find(n.opType); it != unaryOps().end()) un = it->second;
  const bool intDiv = n.opType == "Div" && isIntegral(inputs[0]->dtype);
  for (int64_t i = 0; i < total; ++i) {
    double v = data[0][static_cast<std::size_t>(offsets[0])];
    if (un) {
      v = un(v);
    } else {
      for (std::size_t k = 1; k < inputs.size(); ++k)
        v = bin(v, data[k][static_cast<std::size_t>(offsets[k])]);
      if (intDiv) v = std::trunc(v);
    }
    result[static_cast<std::size_t>(i)] = v;
    // Advance the multi-index (last axis fastest) and every input's offset with it.
    for (std::size_t axis = out.size(); axis-- > 0;) {
      ++index[axis];
      for (std::size_t k = 0; k < inputs.size(); ++k)
        offsets[k] += strides[k][axis];
      if (index[axis] < out[axis]) break;
      for (std::size_t k = 0; k < inputs.size(); ++k)
        offsets[k] -= strides[k][axis] * out[axis];
      index[axis] = 0;
    }
  }
  return result;
}

std::optional<ir::Tensor> transpose(const ir::Node& n, const ir::Tensor& in, ir::DataType outDtype) {
  const auto rank = in.dims.size();
  std::vector<int64_t> perm = n.attrs.getInts("perm");
  if (perm.empty())
    for (std::size_t i = 0; i < rank; ++i)
      perm.push_back(static_cast<int64_t>(rank - 1 - i));
  if (perm.size() != rank) return std::nullopt;
  std::vector<int64_t> outDims(rank);
  std::vector<int64_t> inStrides(rank, 1);
  for (std::size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * in.dims[i];
  std::vector<int64_t> strides(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(rank)) return std::nullopt;
    outDims[i] = in.dims[static_cast<std::size_t>(perm[i])];
    strides[i] = inStrides[static_cast<std::size_t>(perm[i])];
  }
  const auto src = in.toVector<double>();
  std::vector<double> out(src.size());
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = src[static_cast<std::size_t>(offset)];
    for (std::size_t axis = rank; axis-- > 0;) {
      ++index[axis];
      offset += strides[axis];
      if (index[axis] < outDims[axis]) break;
      offset -= strides[axis] * outDims[axis];
      index[axis] = 0;
    }
  }
  return tensorFromDoubles(outDtype, out, outDims);
}

} // namespace

std::optional<ir::Tensor> tensorFromDoubles(ir::DataType dtype, const std::vector<double>& data,
                                            std::vector<int64_t> dims) {
  auto conv = [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> v(data.size());
    for (std::size_t i = 0; i < data.size(); ++i)
      v[i] = static_cast<T>(data[i]);
    return ir::Tensor::fromVector<T>(v, std::move(dims));
  };
  switch (dtype) {
  case ir::DataType::Float32:
    return conv(float{});
  case ir::DataType::Float64:
    return conv(double{});
  case ir::DataType::Int64:
    return conv(int64_t{});
  case ir::DataType::Int32:
    return conv(int32_t{});
  case ir::DataType::Int16:
    return conv(int16_t{});
  case ir::DataType::Int8:
    return conv(int8_t{});
  case ir::DataType::UInt8:
    return conv(uint8_t{});
  case ir::DataType::UInt16:
    return conv(uint16_t{});
  case ir::DataType::UInt32:
    return conv(uint32_t{});
  case ir::DataType::UInt64:
    return conv(uint64_t{});
  case ir::DataType::Bool: {
    std::vector<bool> v(data.size());
    for (std::size_t i = 0; i < data.size(); ++i)
      v[i] = data[i] != 0;
    return ir::Tensor::fromVector<bool>(v, std::move(dims));
  }
  default:
    return std::nullopt;
  }
}

std::optional<ir::Tensor> evaluate(const ir::Node& n, std::span<const ir::Tensor* const> inputs, ir::DataType outDtype,
                                   const std::vector<int64_t>& outDims) {
  if (!n.domain.empty() || inputs.empty() || !inputs[0]) return std::nullopt;
  for (const auto* t : inputs)
    if (!t || (!numeric(*t) && n.opType != "Reshape")) return std::nullopt;
  const auto& op = n.opType;
  // Views: the output is the input's bytes under new dims, no copy.
  if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" || op == "Identity") {
    if (product(outDims) != inputs[0]->numel() || outDtype != inputs[0]->dtype) return std::nullopt;
    ir::Tensor t = *inputs[0];
    t.dims = outDims;
    return t;
  }
  if (op == "Transpose") return transpose(n, *inputs[0], outDtype);
  const bool bin = binaryOps().count(op) != 0;
  const bool un = unaryOps().count(op) != 0;
  if (!bin && !un) return std::nullopt;
  if (bin && inputs.size() < 2) return std::nullopt;
  if (un && inputs.size() != 1) return std::nullopt;
  auto data = elementwise(n, inputs, outDims);
  if (!data) return std::nullopt;
  return tensorFromDoubles(outDtype, *data, outDims);
}

} // namespace gs::compiler::eval
