// TfIdfVectorizer (opset 9) over int32/int64 tokens: counts, per row of X ([N] or [B, N]), the
// n-grams of the pool (pool_int64s; ngram_counts[k] is where the (k+1)-grams start) found with
// gaps of 0..max_skip_count tokens between items, unigrams once; each n-gram adds to output column
// ngram_indexes[its position in the pool]. mode TF gives the counts, IDF the weight (1 without
// weights) of each n-gram seen, TFIDF count times weight. Follows ONNX's reference implementation.
#include <algorithm>
#include <map>
#include <set>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"

namespace gs::runtime::cpu::basic {
namespace {

class TfIdfKernel final : public BasicKernel {
public:
  TfIdfKernel(const CreateContext& c)
      : BasicKernel(c), m_mode(c.node.attrs.getString("mode", "TF")),
        m_minGram(c.node.attrs.getInt("min_gram_length", 1)), m_maxGram(c.node.attrs.getInt("max_gram_length", 1)),
        m_maxSkip(c.node.attrs.getInt("max_skip_count", 0)), m_weights(c.node.attrs.getFloats("weights")) {}

  Status init(const ir::Node& n) {
    const auto counts = n.attrs.getInts("ngram_counts");
    const auto indexes = n.attrs.getInts("ngram_indexes");
    const auto pool = n.attrs.getInts("pool_int64s");
    if (m_mode != "TF" && m_mode != "IDF" && m_mode != "TFIDF") return invalidInit("mode must be TF, IDF or TFIDF");
    if (m_minGram < 1 || m_maxGram < m_minGram) return invalidInit("need 1 <= min_gram_length <= max_gram_length");
    if (m_maxSkip < 0) return invalidInit("max_skip_count must not be negative");
    if (pool.empty() || indexes.empty()) return invalidInit("needs pool_int64s and ngram_indexes");
    // The pool: for gram length k + 1, items from counts[k] to counts[k + 1] (or the end), k + 1 each.
    int64_t id = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      const int64_t len = static_cast<int64_t>(k) + 1;
      const int64_t from = counts[k];
      const int64_t to = k + 1 < counts.size() ? counts[k + 1] : static_cast<int64_t>(pool.size());
      if (from < 0 || to < from || to > static_cast<int64_t>(pool.size()) || (to - from) % len)
        return invalidInit("ngram_counts does not split pool_int64s into whole n-grams");
      for (int64_t at = from; at < to; at += len, ++id) {
        if (id >= static_cast<int64_t>(indexes.size())) return invalidInit("fewer ngram_indexes than n-grams");
        std::vector<int64_t> gram(pool.begin() + at, pool.begin() + at + len);
        for (std::size_t p = 1; p <= gram.size(); ++p)
          m_prefixes.insert(std::vector<int64_t>(gram.begin(), gram.begin() + static_cast<std::ptrdiff_t>(p)));
        m_column[gram] = indexes[static_cast<std::size_t>(id)];
      }
    }
    m_width = *std::max_element(indexes.begin(), indexes.end()) + 1;
    if (!m_weights.empty() && static_cast<int64_t>(m_weights.size()) < m_width)
      return invalidInit("weights must have an entry per output column");
    return ok();
  }

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0)) return fail("missing input");
    const TensorRef& x = inputs[0];
    if (x.dims.empty() || x.dims.size() > 2) return fail("X must be [N] or [B, N], got " + dimsString(x.dims));
    const int64_t rows = x.dims.size() == 2 ? x.dims[0] : 1;
    const int64_t len = x.dims.back();
    std::vector<int64_t> outDims{m_width};
    if (x.dims.size() == 2) outDims = {rows, m_width};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, outDims, ctx));
    std::vector<int64_t> tokens;
    GS_RETURN_IF_ERROR(readInts(x, tokens));
    std::vector<double> freq(static_cast<std::size_t>(rows * m_width), 0.0);
    std::vector<int64_t> gram;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* row = tokens.data() + r * len;
      int64_t startSize = m_minGram;
      for (int64_t skip = 1; skip <= m_maxSkip + 1; ++skip) {
        for (int64_t start = 0; start < len; ++start) {
          if (start + skip * (startSize - 1) >= len) break;
          gram.clear();
          for (int64_t item = start; item < len && static_cast<int64_t>(gram.size()) < m_maxGram; item += skip) {
            gram.push_back(row[item]);
            if (!m_prefixes.contains(gram)) break;
            if (static_cast<int64_t>(gram.size()) >= startSize)
              if (const auto it = m_column.find(gram); it != m_column.end())
                freq[static_cast<std::size_t>(r * m_width + it->second)] += 1;
          }
        }
        // Unigrams are counted once: they do not depend on the skip distance.
        if (startSize == 1 && ++startSize > m_maxGram) break;
      }
    }
    float* out = outputs[0].as<float>();
    for (std::size_t i = 0; i < freq.size(); ++i) {
      const double w = m_weights.empty() ? 1.0 : static_cast<double>(m_weights[i % static_cast<std::size_t>(m_width)]);
      double v = freq[i];
      if (m_mode == "IDF")
        v = v > 0 ? w : 0.0;
      else if (m_mode == "TFIDF")
        v *= w;
      out[i] = static_cast<float>(v);
    }
    return ok();
  }

private:
  std::unexpected<Error> invalidInit(const std::string& what) const {
    return makeError(codes::kInvalid, "node '" + m_name + "' (TfIdfVectorizer): " + what);
  }

  std::string m_mode;
  int64_t m_minGram, m_maxGram, m_maxSkip;
  std::vector<float> m_weights;
  std::set<std::vector<int64_t>> m_prefixes;
  std::map<std::vector<int64_t>, int64_t> m_column;
  int64_t m_width = 0;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createTfIdf(const CreateContext& c) {
  if (!supportsTfIdf(c.node, c.inputTypes)) return unsupported(c, "expects int32 or int64 tokens");
  auto k = std::make_unique<TfIdfKernel>(c);
  GS_RETURN_IF_ERROR(k->init(c.node));
  return std::unique_ptr<Kernel>(std::move(k));
}

bool supportsTfIdf(const ir::Node& node, std::span<const ir::DataType> types) {
  return !types.empty() && (types[0] == ir::DataType::Int32 || types[0] == ir::DataType::Int64) &&
         !node.attrs.find("pool_strings");
}

} // namespace gs::runtime::cpu::basic
