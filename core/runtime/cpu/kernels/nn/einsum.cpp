// Einsum (see einsum.h). The equation is parsed once into per-operand label lists (an ellipsis becomes
// fresh labels aligned from the right). Evaluation is a direct loop over output elements and contracted
// labels with per-operand label strides (repeated labels give diagonals, size-1 dims broadcast).
#include "core/runtime/cpu/kernels/nn/einsum.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "core/runtime/cpu/kernels/nn/nn_common.h"

namespace gs::runtime::cpu::nn {

namespace {

constexpr int kEllipsisBase = 1000; // labels >= this stand for ellipsis dims (counted from the right)

struct Parsed {
  std::vector<std::vector<int>> operands; // labels per operand, ellipsis as -1 placeholder
  std::vector<int> output;                // labels, ellipsis as -1
  bool explicitOutput = false;
};

Expected<Parsed> parse(const ir::Node& node, const std::string& eq) {
  Parsed p;
  std::string lhs = eq, rhs;
  if (auto arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
    p.explicitOutput = true;
  }
  auto labels = [&](const std::string& term, std::vector<int>& out) -> Status {
    for (std::size_t i = 0; i < term.size(); ++i) {
      const char c = term[i];
      if (c == ' ') continue;
      if (c == '.') {
        if (term.compare(i, 3, "...") != 0) return makeError(codes::kInvalid, "bad ellipsis");
        out.push_back(-1);
        i += 2;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        out.push_back(c);
      } else {
        return makeError(codes::kInvalid, std::string("bad character '") + c + "'");
      }
    }
    return ok();
  };
  std::size_t start = 0;
  while (true) {
    const auto comma = lhs.find(',', start);
    p.operands.emplace_back();
    auto st =
        labels(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start), p.operands.back());
    if (!st) return std::unexpected(kernelError(node, "equation '" + eq + "': " + st.error().message, codes::kInvalid));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (p.explicitOutput) {
    auto st = labels(rhs, p.output);
    if (!st) return std::unexpected(kernelError(node, "equation '" + eq + "': " + st.error().message, codes::kInvalid));
  }
  return p;
}

class EinsumKernel final : public Kernel {
public:
  explicit EinsumKernel(const CreateContext& ctx) : m_node(ctx.node) {}
  Status init() {
    GS_ASSIGN_OR_RETURN(m_parsed, parse(m_node, m_node.attrs.getString("equation", "")));
    if (m_parsed.operands.size() != m_node.inputs.size())
      return std::unexpected(kernelError(m_node, "equation operand count differs from the inputs", codes::kInvalid));
    return ok();
  }

  Expected<std::size_t> reshape(const ReshapeContext& ctx) override {
    const std::size_t n = m_parsed.operands.size();
    // Resolve each operand's ellipsis into labels kEllipsisBase + k (k counted from the right).
    std::size_t ellRank = 0;
    m_labels.assign(n, {});
    for (std::size_t i = 0; i < n; ++i) {
      const auto& ops = m_parsed.operands[i];
      const auto& dims = ctx.inputDims[i];
      const auto named = static_cast<std::size_t>(std::count_if(ops.begin(), ops.end(), [](int l) { return l >= 0; }));
      const bool hasEll = named != ops.size();
      if ((!hasEll && named != dims.size()) || (hasEll && named > dims.size()))
        return std::unexpected(
            kernelError(m_node, "operand " + std::to_string(i) + " rank does not match the equation"));
      const std::size_t er = dims.size() - named;
      ellRank = std::max(ellRank, er);
      for (int l : ops) {
        if (l >= 0)
          m_labels[i].push_back(l);
        else
          for (std::size_t k = er; k-- > 0;)
            m_labels[i].push_back(kEllipsisBase + static_cast<int>(k));
      }
    }
    // Label sizes (size-1 broadcast allowed).
    std::map<int, int64_t> size;
    std::map<int, int> count;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t d = 0; d < m_labels[i].size(); ++d) {
        const int l = m_labels[i][d];
        const int64_t s = ctx.inputDims[i][d];
        auto [it, fresh] = size.emplace(l, s);
        if (!fresh && it->second != s) {
          if (it->second == 1)
            it->second = s;
          else if (s != 1)
            return std::unexpected(kernelError(m_node, "label sizes disagree"));
        }
        ++count[l];
      }
    // Output labels: explicit, or ellipsis then labels seen once in alphabetical order.
    m_out.clear();
    if (m_parsed.explicitOutput) {
      for (int l : m_parsed.output) {
        if (l >= 0) {
          if (!size.count(l)) return std::unexpected(kernelError(m_node, "output label not in any input"));
          m_out.push_back(l);
        } else {
          for (std::size_t k = ellRank; k-- > 0;)
            m_out.push_back(kEllipsisBase + static_cast<int>(k));
        }
      }
    } else {
      for (std::size_t k = ellRank; k-- > 0;)
        m_out.push_back(kEllipsisBase + static_cast<int>(k));
      for (const auto& [l, c] : count)
        if (l < kEllipsisBase && c == 1) m_out.push_back(l);
    }
    m_sum.clear();
    for (const auto& [l, s] : size)
      if (std::find(m_out.begin(), m_out.end(), l) == m_out.end()) m_sum.push_back(l);
    m_outSizes.clear();
    m_sumSizes.clear();
    for (int l : m_out)
      m_outSizes.push_back(size[l]);
    for (int l : m_sum)
      m_sumSizes.push_back(size[l]);
    // Per-operand strides for every output and summed label (0 where absent or broadcast).
    m_outStrides.assign(n, std::vector<int64_t>(m_out.size(), 0));
    m_sumStrides.assign(n, std::vector<int64_t>(m_sum.size(), 0));
    for (std::size_t i = 0; i < n; ++i) {
      const auto& dims = ctx.inputDims[i];
      int64_t stride = 1;
      for (std::size_t d = dims.size(); d-- > 0;) {
        const int l = m_labels[i][d];
        const int64_t st = dims[d] == 1 ? 0 : stride;
        stride *= dims[d];
        if (auto it = std::find(m_out.begin(), m_out.end(), l); it != m_out.end())
          m_outStrides[i][static_cast<std::size_t>(it - m_out.begin())] += st;
        else
          m_sumStrides[i][static_cast<std::size_t>(std::find(m_sum.begin(), m_sum.end(), l) - m_sum.begin())] += st;
      }
    }
    if (!ctx.outputDims.empty() && ctx.outputDims[0] && *ctx.outputDims[0] != m_outSizes)
      return std::unexpected(kernelError(m_node, "output shape from shape inference differs from Einsum's"));
    return std::size_t{0};
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext&) override {
    if (!inputs.empty() && inputs[0].dtype == ir::DataType::Float64)
      contract<double>(inputs, outputs);
    else
      contract<float>(inputs, outputs);
    return ok();
  }

private:
  // Every output element as a sum of products over the summed labels, accumulated in double.
  template <class T> void contract(std::span<const TensorRef> inputs, std::span<TensorRef> outputs) {
    const std::size_t n = inputs.size();
    std::vector<const T*> ptrs(n);
    for (std::size_t i = 0; i < n; ++i)
      ptrs[i] = inputs[i].as<const T>();
    T* y = outputs[0].as<T>();
    const int64_t total = product(m_outSizes, 0, m_outSizes.size());
    const int64_t sumTotal = product(m_sumSizes, 0, m_sumSizes.size());
    const std::size_t no = m_out.size(), ns = m_sum.size();
#pragma omp parallel for if (total * sumTotal > 16384)
    for (int64_t e = 0; e < total; ++e) {
      // Base offsets of this output element in every operand.
      int64_t base[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      std::vector<int64_t> baseV(n > 8 ? n : 0, 0);
      int64_t* b = n > 8 ? baseV.data() : base;
      int64_t rem = e;
      for (std::size_t d = no; d-- > 0;) {
        const int64_t idx = rem % m_outSizes[d];
        rem /= m_outSizes[d];
        for (std::size_t i = 0; i < n; ++i)
          b[i] += idx * m_outStrides[i][d];
      }
      double acc = 0.0;
      for (int64_t s = 0; s < sumTotal; ++s) {
        int64_t r2 = s;
        double prod = 1.0;
        for (std::size_t i = 0; i < n; ++i) {
          int64_t off = b[i], r3 = r2;
          for (std::size_t d = ns; d-- > 0;) {
            off += (r3 % m_sumSizes[d]) * m_sumStrides[i][d];
            r3 /= m_sumSizes[d];
          }
          prod *= ptrs[i][off];
        }
        acc += prod;
      }
      y[e] = static_cast<T>(acc);
    }
  }

  ir::Node m_node;
  Parsed m_parsed;
  std::vector<std::vector<int>> m_labels;
  std::vector<int> m_out, m_sum;
  std::vector<int64_t> m_outSizes, m_sumSizes;
  std::vector<std::vector<int64_t>> m_outStrides, m_sumStrides;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createEinsum(const CreateContext& ctx) {
  auto k = std::make_unique<EinsumKernel>(ctx);
  GS_RETURN_IF_ERROR(k->init());
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsEinsum(const ir::Node& node, std::span<const ir::DataType> inputTypes) {
  if (!inputTypes.empty() && inputTypes[0] == ir::DataType::Float64) {
    for (auto t : inputTypes)
      if (t != ir::DataType::Float64) return false;
    return true;
  }
  return allInputsFloat32(node, inputTypes);
}

} // namespace gs::runtime::cpu::nn
