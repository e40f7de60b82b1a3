// NonMaxSuppression (opset 10/11): per batch and class, the boxes with a score above score_threshold
// in order of decreasing score (ties: the lower box index first), each kept unless its IoU with a box
// already kept exceeds iou_threshold, at most max_output_boxes_per_class of them. Boxes are corners
// (center_point_box 0; either diagonal) or centre + size (1). Output: [selected, 3] int64 triples
// (batch, class, box), batch-major, then class, then selection order, as ONNX Runtime gives them.
#include <algorithm>
#include <cmath>

#include "core/runtime/cpu/kernels/basic/common.h"
#include "core/runtime/cpu/kernels/basic/kernels.h"

namespace gs::runtime::cpu::basic {
namespace {

struct Box {
  float y1, x1, y2, x2; // normalised: y1 <= y2, x1 <= x2
  float area() const { return (y2 - y1) * (x2 - x1); }
};

Box boxAt(const float* b, bool centerPoint) {
  if (centerPoint) {
    const float xc = b[0], yc = b[1], w = b[2], h = b[3];
    return {yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2};
  }
  return {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
}

// Whether a and b overlap by more than the threshold (a box without area never suppresses).
bool suppresses(const Box& a, const Box& b, float iouThreshold) {
  const float areaA = a.area(), areaB = b.area();
  if (areaA <= 0 || areaB <= 0) return false;
  const float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return false;
  const float inter = ih * iw;
  return inter / (areaA + areaB - inter) > iouThreshold;
}

class NmsKernel final : public BasicKernel {
public:
  NmsKernel(const CreateContext& c) : BasicKernel(c), m_centerPoint(c.node.attrs.getInt("center_point_box", 0) != 0) {}

  Status run(std::span<const TensorRef> inputs, std::span<TensorRef> outputs, RunContext& ctx) override {
    if (!hasInput(inputs, 0) || !hasInput(inputs, 1)) return fail("expects boxes and scores");
    const TensorRef& boxes = inputs[0];
    const TensorRef& scores = inputs[1];
    if (boxes.dims.size() != 3 || boxes.dims[2] != 4)
      return fail("boxes must be [batches, boxes, 4], got " + dimsString(boxes.dims));
    if (scores.dims.size() != 3 || scores.dims[0] != boxes.dims[0] || scores.dims[2] != boxes.dims[1])
      return fail("scores must be [batches, classes, boxes] matching boxes " + dimsString(boxes.dims) + ", got " +
                  dimsString(scores.dims));
    int64_t maxOut = 0;
    float iouThreshold = 0, scoreThreshold = 0;
    bool hasScoreThreshold = false;
    if (hasInput(inputs, 2) && inputs[2].numel() > 0) {
      GS_ASSIGN_OR_RETURN(const double v, readScalar(inputs[2]));
      maxOut = static_cast<int64_t>(v);
    }
    if (hasInput(inputs, 3) && inputs[3].numel() > 0) {
      GS_ASSIGN_OR_RETURN(const double v, readScalar(inputs[3]));
      iouThreshold = static_cast<float>(v);
      if (iouThreshold < 0 || iouThreshold > 1) return fail("iou_threshold must be in [0, 1]");
    }
    if (hasInput(inputs, 4) && inputs[4].numel() > 0) {
      GS_ASSIGN_OR_RETURN(const double v, readScalar(inputs[4]));
      scoreThreshold = static_cast<float>(v);
      hasScoreThreshold = true;
    }
    const int64_t batches = boxes.dims[0], numBoxes = boxes.dims[1], classes = scores.dims[1];
    const float* b = boxes.as<const float>();
    const float* s = scores.as<const float>();
    std::vector<int64_t> selected; // triples
    std::vector<int64_t> order;
    std::vector<Box> kept;
    for (int64_t n = 0; n < batches && maxOut > 0; ++n)
      for (int64_t c = 0; c < classes; ++c) {
        const float* cls = s + (n * classes + c) * numBoxes;
        order.clear();
        for (int64_t i = 0; i < numBoxes; ++i)
          if (!hasScoreThreshold || cls[i] > scoreThreshold) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return cls[x] > cls[y]; });
        kept.clear();
        for (const int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= maxOut) break;
          const Box box = boxAt(b + (n * numBoxes + i) * 4, m_centerPoint);
          if (std::any_of(kept.begin(), kept.end(), [&](const Box& k) { return suppresses(k, box, iouThreshold); }))
            continue;
          kept.push_back(box);
          selected.insert(selected.end(), {n, c, i});
        }
      }
    const int64_t count = static_cast<int64_t>(selected.size() / 3);
    const int64_t dims[2] = {count, 3};
    GS_RETURN_IF_ERROR(prepareOutput(outputs, 0, dims, ctx));
    std::copy(selected.begin(), selected.end(), outputs[0].as<int64_t>());
    return ok();
  }

private:
  bool m_centerPoint;
};

} // namespace

Expected<std::unique_ptr<Kernel>> createNms(const CreateContext& c) {
  if (!supportsNms(c.node, c.inputTypes)) return unsupported(c, "expects float32 boxes and scores");
  return std::make_unique<NmsKernel>(c);
}

bool supportsNms(const ir::Node&, std::span<const ir::DataType> types) {
  return types.size() >= 2 && types[0] == ir::DataType::Float32 && types[1] == ir::DataType::Float32;
}

} // namespace gs::runtime::cpu::basic
