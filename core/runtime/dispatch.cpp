// Dispatch: gear choice, padding, batch splitting, cropping and reassembly around Session.
#include "core/runtime/dispatch.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace gs::runtime {
namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

int64_t numel(const std::vector<int64_t>& d) {
  int64_t n = 1;
  for (auto x : d)
    n *= x;
  return n;
}

// Fills t with v converted to its dtype. Errors for dtypes a non-zero pad value cannot be written in.
Status fill(HostTensor& t, double v) {
  const auto n = static_cast<std::size_t>(t.numel());
  if (v == 0.0) {
    std::memset(t.data(), 0, t.byteSize());
    return ok();
  }
  switch (t.dtype()) {
  case ir::DataType::Float32:
    std::fill_n(t.as<float>(), n, static_cast<float>(v));
    return ok();
  case ir::DataType::Float64:
    std::fill_n(t.as<double>(), n, v);
    return ok();
  case ir::DataType::Int64:
    std::fill_n(t.as<int64_t>(), n, static_cast<int64_t>(v));
    return ok();
  case ir::DataType::Int32:
    std::fill_n(t.as<int32_t>(), n, static_cast<int32_t>(v));
    return ok();
  case ir::DataType::Int8:
    std::fill_n(t.as<int8_t>(), n, static_cast<int8_t>(v));
    return ok();
  case ir::DataType::UInt8:
  case ir::DataType::Bool:
    std::fill_n(t.as<uint8_t>(), n, static_cast<uint8_t>(v));
    return ok();
  default:
    return makeError(codes::kUnsupported,
                     "a non-zero pad value for a " + std::string(ir::dtypeName(t.dtype())) + " input is not supported");
  }
}

// Copies the block [row0, row0 + extent[0]) x [0, extent[1]) x ... of src (dims srcDims) to the origin of
// dst (dims dstDims): row-major, innermost runs with memcpy.
void copyBlock(const std::byte* src, const std::vector<int64_t>& srcDims, int64_t row0, std::byte* dst,
               const std::vector<int64_t>& dstDims, const std::vector<int64_t>& extent, std::size_t elem) {
  const std::size_t r = extent.size();
  if (r == 0) {
    std::memcpy(dst, src, elem);
    return;
  }
  if (std::any_of(extent.begin(), extent.end(), [](int64_t e) { return e <= 0; })) return;
  std::vector<int64_t> srcStride(r, 1), dstStride(r, 1);
  for (std::size_t k = r - 1; k > 0; --k) {
    srcStride[k - 1] = srcStride[k] * srcDims[k];
    dstStride[k - 1] = dstStride[k] * dstDims[k];
  }
  const std::size_t run = static_cast<std::size_t>(extent[r - 1]) * elem;
  if (r == 1) {
    std::memcpy(dst, src + static_cast<std::size_t>(row0) * elem, run);
    return;
  }
  std::vector<int64_t> idx(r - 1, 0);
  while (true) {
    int64_t so = (row0 + idx[0]) * srcStride[0], doff = idx[0] * dstStride[0];
    for (std::size_t k = 1; k + 1 < r; ++k) {
      so += idx[k] * srcStride[k];
      doff += idx[k] * dstStride[k];
    }
    std::memcpy(dst + static_cast<std::size_t>(doff) * elem, src + static_cast<std::size_t>(so) * elem, run);
    std::size_t k = r - 1;
    while (k > 0) {
      --k;
      if (++idx[k] < extent[k]) break;
      idx[k] = 0;
      if (k == 0) return;
    }
  }
}

} // namespace

std::string_view dispatchModeName(DispatchMode m) {
  switch (m) {
  case DispatchMode::Exact:
    return "exact";
  case DispatchMode::Pad:
    return "pad";
  case DispatchMode::PadOrDynamic:
    return "pad-or-dynamic";
  }
  return "exact";
}

Expected<DispatchMode> parseDispatchMode(std::string_view text) {
  if (text == "exact") return DispatchMode::Exact;
  if (text == "pad") return DispatchMode::Pad;
  if (text == "pad-or-dynamic") return DispatchMode::PadOrDynamic;
  return makeError(codes::kInvalid, "dispatch '" + std::string(text) + "' is not exact, pad or pad-or-dynamic");
}

Status parsePadValues(std::string_view text, std::map<std::string, double>& into) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string item(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) continue;
    const auto colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return makeError(codes::kInvalid, "--pad-value: '" + item + "' is not name:value");
    const auto vtext = item.substr(colon + 1);
    double v = 0;
    try {
      std::size_t used = 0;
      v = std::stod(vtext, &used);
      if (used != vtext.size()) throw std::invalid_argument(vtext);
    } catch (...) {
      return makeError(codes::kInvalid, "--pad-value: '" + vtext + "' in '" + item + "' is not a number");
    }
    into[item.substr(0, colon)] = v;
  }
  return ok();
}

Dispatcher::~Dispatcher() = default;

Expected<std::unique_ptr<Dispatcher>> Dispatcher::create(std::shared_ptr<const om::Model> model,
                                                         const SessionOptions& sessionOptions,
                                                         DispatchOptions options) {
  if (!model) return makeError(codes::kInvalid, "Dispatcher::create: no model");
  std::unique_ptr<Dispatcher> d(new Dispatcher());
  d->m_model = model;
  d->m_options = std::move(options);
  GS_ASSIGN_OR_RETURN(d->m_session, Session::create(model, sessionOptions));
  const auto& gears = model->gears;
  const auto descs = d->m_session->inputDescs(gears.empty() ? -1 : 0);
  for (const auto& [name, v] : d->m_options.padValues)
    if (std::none_of(descs.begin(), descs.end(), [&](const om::TensorDesc& t) { return t.name == name; }))
      return makeError(codes::kInvalid, "--pad-value names '" + name + "', which is not a model input");
  for (const auto& in : descs) {
    const auto it = d->m_options.padValues.find(in.name);
    d->m_padValue.push_back(it == d->m_options.padValues.end() ? 0.0 : it->second);
  }
  // The dims requests may be padded along: as the compiler recorded them (the crop map is relative to
  // them), or, for files without the record, the dims that differ between gears.
  d->m_padded.resize(descs.size());
  bool recorded = false;
  for (const auto& g : gears)
    recorded = recorded || !g.paddedDims.empty();
  for (std::size_t i = 0; i < descs.size(); ++i) {
    d->m_padded[i].assign(descs[i].dims.size(), false);
    for (const auto& g : gears) {
      if (recorded) {
        for (const auto& [input, dim] : g.paddedDims)
          if (static_cast<std::size_t>(input) == i && static_cast<std::size_t>(dim) < d->m_padded[i].size())
            d->m_padded[i][static_cast<std::size_t>(dim)] = true;
        continue;
      }
      for (std::size_t k = 0; k < g.inputs[i].dims.size() && k < descs[i].dims.size(); ++k)
        d->m_padded[i][k] = d->m_padded[i][k] || g.inputs[i].dims[k] != gears.front().inputs[i].dims[k];
    }
  }
  for (const auto& g : gears) {
    int64_t e = 0;
    for (const auto& in : g.inputs)
      e += numel(in.dims);
    d->m_gearCost.push_back(g.flops > 0 ? g.flops : static_cast<double>(e));
  }
  d->m_batchSplit = model->meta.strategy == Strategy::DynamicBatch;
  d->m_padBuffers.resize(gears.size());
  if (d->m_options.mode == DispatchMode::PadOrDynamic && model->fallback) {
    auto fb = std::make_shared<om::Model>();
    fb->meta = model->meta;
    fb->meta.strategy = Strategy::DynamicShape;
    fb->dynamic = *model->fallback;
    fb->weightBytes = model->weightBytes;
    GS_ASSIGN_OR_RETURN(d->m_fallback, Session::create(std::move(fb), sessionOptions));
  }
  return d;
}

std::string Dispatcher::gearList() const {
  std::string s;
  for (int g = 0; g < m_session->gearCount(); ++g) {
    if (g) s += " | ";
    s += m_session->describeGear(g);
  }
  return s;
}

int Dispatcher::cheapestEnclosing(std::span<const std::vector<int64_t>> dims, bool ignoreBatch) const {
  int best = -1;
  for (int g = 0; g < m_session->gearCount(); ++g) {
    const auto& ins = m_model->gears[static_cast<std::size_t>(g)].inputs;
    if (ins.size() != dims.size()) continue;
    bool fits = true;
    for (std::size_t i = 0; i < ins.size() && fits; ++i) {
      if (ins[i].dims.size() != dims[i].size()) {
        fits = false;
        break;
      }
      for (std::size_t k = 0; k < dims[i].size() && fits; ++k) {
        if (ignoreBatch && k == 0 && m_padded[i][k]) continue;
        fits = m_padded[i][k] ? dims[i][k] <= ins[i].dims[k] : dims[i][k] == ins[i].dims[k];
      }
    }
    if (fits && (best < 0 || m_gearCost[static_cast<std::size_t>(g)] < m_gearCost[static_cast<std::size_t>(best)]))
      best = g;
  }
  return best;
}

Expected<DispatchPlan> Dispatcher::plan(std::span<const std::vector<int64_t>> dims) const {
  DispatchPlan p;
  if (m_session->isDynamic()) {
    p.fallback = true;
    return p;
  }
  if (dims.size() != m_padded.size())
    return makeError(codes::kRuntime, "the model takes " + std::to_string(m_padded.size()) + " inputs, got " +
                                          std::to_string(dims.size()));
  if (m_options.mode == DispatchMode::Exact) {
    GS_ASSIGN_OR_RETURN(int g, m_session->matchGear(dims));
    p.gears = {g};
    p.chunkBatch = {dims.empty() || dims[0].empty() ? 1 : dims[0][0]};
    return p;
  }
  const int g = cheapestEnclosing(dims, false);
  const int64_t batch = dims.empty() || dims[0].empty() ? 1 : dims[0][0];
  if (g >= 0) {
    p.gears = {g};
    p.chunkBatch = {batch};
    return p;
  }
  // A batch above the largest batch gear: chunks of the largest gear that fits the other dims.
  if (m_batchSplit && !dims.empty() && !dims[0].empty()) {
    int big = -1;
    int64_t bigBatch = 0;
    for (int c = 0; c < m_session->gearCount(); ++c) {
      std::vector<std::vector<int64_t>> probe(dims.begin(), dims.end());
      const int64_t gb = m_model->gears[static_cast<std::size_t>(c)].inputs[0].dims[0];
      for (auto& d : probe)
        if (!d.empty()) d[0] = gb;
      if (cheapestEnclosing(probe, false) >= 0 && gb > bigBatch) {
        big = c;
        bigBatch = gb;
      }
    }
    if (big >= 0 && bigBatch > 0 && batch > bigBatch) {
      int64_t left = batch;
      while (left > 0) {
        const int64_t rows = std::min(left, bigBatch);
        std::vector<std::vector<int64_t>> probe(dims.begin(), dims.end());
        for (auto& d : probe)
          if (!d.empty()) d[0] = rows;
        p.gears.push_back(cheapestEnclosing(probe, false));
        p.chunkBatch.push_back(rows);
        left -= rows;
      }
      p.split = true;
      return p;
    }
  }
  if (m_options.mode == DispatchMode::PadOrDynamic && m_fallback) {
    p.fallback = true;
    return p;
  }
  std::string req;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) req += "; ";
    req.append(m_model->gears.front().inputs[i].name).append(":").append(ir::joinDims(dims[i]));
  }
  return makeError(codes::kRuntime,
                   "no gear encloses the inputs (" + req + "); gears: " + gearList() +
                       (m_options.mode == DispatchMode::PadOrDynamic
                            ? ". The .om has no dynamic fallback graph (build it with gearatc --dynamic_fallback)"
                            : ""));
}

Status Dispatcher::runChunk(std::span<const HostTensor> inputs, int gear, int64_t row0, int64_t rows,
                            std::vector<std::vector<HostTensor>>& chunkOutputs, DispatchResult& result) {
  const auto tStart = Clock::now();
  const auto& gp = m_model->gears[static_cast<std::size_t>(gear)];
  // The request's dims for this chunk.
  std::vector<std::vector<int64_t>> req;
  bool exact = true;    // the inputs are the gear's shape: fed as they are
  bool padding = false; // some dim of this chunk is padded
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    // The pad buffer has the gear's dtype: a request of another dtype would be copied with the wrong
    // element size.
    if (inputs[i].dtype() != gp.inputs[i].dtype)
      return makeError(codes::kRuntime, "input '" + gp.inputs[i].name + "' is " +
                                            std::string(ir::dtypeName(inputs[i].dtype())) + ", the model takes " +
                                            std::string(ir::dtypeName(gp.inputs[i].dtype)));
    auto d = inputs[i].dims();
    if (m_batchSplit && !d.empty() && m_padded[i][0]) d[0] = rows;
    exact = exact && inputs[i].dims() == gp.inputs[i].dims;
    padding = padding || d != gp.inputs[i].dims;
    req.push_back(std::move(d));
  }
  std::span<const HostTensor> feed = inputs;
  if (!exact) {
    auto& bufs = m_padBuffers[static_cast<std::size_t>(gear)];
    if (bufs.size() != inputs.size()) {
      bufs.clear();
      for (const auto& in : gp.inputs)
        bufs.emplace_back(in.dtype, in.dims);
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      GS_RETURN_IF_ERROR(fill(bufs[i], m_padValue[i]));
      copyBlock(static_cast<const std::byte*>(inputs[i].data()), inputs[i].dims(),
                m_batchSplit && !req[i].empty() && m_padded[i][0] ? row0 : 0, static_cast<std::byte*>(bufs[i].data()),
                gp.inputs[i].dims, req[i], ir::dtypeSize(inputs[i].dtype()));
    }
    feed = bufs;
  }
  for (const auto& in : gp.inputs)
    result.computedElements += numel(in.dims);
  result.overheadMillis += msSince(tStart);

  const auto tRun = Clock::now();
  RunOptions ro;
  ro.gear = gear;
  GS_RETURN_IF_ERROR(m_session->run(feed, m_runResult, ro));
  result.runMillis += msSince(tRun);

  const auto tCrop = Clock::now();
  std::vector<HostTensor> outs;
  bool moved = false; // a moved-from output must not be offered to the next run for reuse
  for (std::size_t o = 0; o < m_runResult.outputs.size(); ++o) {
    auto& full = m_runResult.outputs[o];
    if (!padding) {
      outs.push_back(std::move(full));
      moved = true;
      continue;
    }
    const om::OutputCrop* crop = o < gp.crops.size() ? &gp.crops[o] : nullptr;
    std::string why;
    if (!crop)
      why = "the .om records no crop map: returned at the gear's shape";
    else if (!crop->unsafe.empty())
      why = crop->unsafe;
    if (!why.empty()) {
      if (result.flags[o].empty()) result.flags[o] = why;
      outs.push_back(std::move(full));
      moved = true;
      continue;
    }
    if (!crop->edge.empty() && result.notes[o].empty()) result.notes[o] = crop->edge;
    std::vector<int64_t> target = full.dims();
    bool cropped = false;
    for (std::size_t k = 0; k < target.size() && k < crop->dims.size(); ++k) {
      const auto& t = crop->dims[k];
      if (!t.follows()) continue;
      const auto x = req[static_cast<std::size_t>(t.input)][static_cast<std::size_t>(t.inputDim)];
      const auto size = std::clamp<int64_t>(t.size(x), 0, target[k]);
      cropped = cropped || size != target[k];
      target[k] = size;
    }
    if (!cropped) {
      outs.push_back(std::move(full));
      moved = true;
      continue;
    }
    HostTensor c(full.dtype(), target);
    copyBlock(static_cast<const std::byte*>(full.data()), full.dims(), 0, static_cast<std::byte*>(c.data()), target,
              target, ir::dtypeSize(full.dtype()));
    outs.push_back(std::move(c));
  }
  if (moved) m_runResult.outputs.clear();
  chunkOutputs.push_back(std::move(outs));
  result.overheadMillis += msSince(tCrop);
  return ok();
}

Expected<DispatchResult> Dispatcher::run(std::span<const HostTensor> inputs) {
  const auto t0 = Clock::now();
  DispatchResult result;
  std::vector<std::vector<int64_t>> dims;
  for (const auto& t : inputs) {
    dims.push_back(t.dims());
    result.usefulElements += t.numel();
  }
  GS_ASSIGN_OR_RETURN(result.plan, plan(dims));
  result.overheadMillis += msSince(t0);
  Session* direct = m_session->isDynamic() ? m_session.get() : (result.plan.fallback ? m_fallback.get() : nullptr);
  if (direct) {
    const auto tRun = Clock::now();
    RunResult rr;
    GS_RETURN_IF_ERROR(direct->run(inputs, rr));
    result.runMillis += msSince(tRun);
    result.outputs = std::move(rr.outputs);
    result.flags.assign(result.outputs.size(), {});
    result.notes.assign(result.outputs.size(), {});
    result.computedElements = result.usefulElements;
    return result;
  }
  result.flags.assign(m_model->gears.front().outputs.size(), {});
  result.notes.assign(result.flags.size(), {});
  std::vector<std::vector<HostTensor>> chunks;
  int64_t row = 0;
  for (std::size_t c = 0; c < result.plan.gears.size(); ++c) {
    GS_RETURN_IF_ERROR(runChunk(inputs, result.plan.gears[c], row, result.plan.chunkBatch[c], chunks, result));
    row += result.plan.chunkBatch[c];
  }
  if (chunks.size() == 1) {
    result.outputs = std::move(chunks.front());
    return result;
  }
  // Reassemble split batches: concatenate each output along the dim that follows the batch dim.
  const auto tJoin = Clock::now();
  const auto& crops = m_model->gears.front().crops;
  for (std::size_t o = 0; o < chunks.front().size(); ++o) {
    int axis = -1;
    if (o < crops.size() && crops[o].unsafe.empty())
      for (std::size_t k = 0; k < crops[o].dims.size(); ++k)
        if (crops[o].dims[k].follows() && crops[o].dims[k].inputDim == 0 &&
            m_padded[static_cast<std::size_t>(crops[o].dims[k].input)][0]) {
          axis = static_cast<int>(k);
          break;
        }
    if (axis < 0)
      return makeError(codes::kRuntime, "output " + std::to_string(o) + " ('" + m_model->gears.front().outputs[o].name +
                                            "') does not follow the batch dim: a batch above the largest gear "
                                            "cannot be split for this model");
    auto dimsOut = chunks.front()[o].dims();
    int64_t total = 0;
    for (const auto& ch : chunks)
      total += ch[o].dims()[static_cast<std::size_t>(axis)];
    dimsOut[static_cast<std::size_t>(axis)] = total;
    HostTensor joined(chunks.front()[o].dtype(), dimsOut);
    // Outer = product of dims before axis; each chunk contributes a contiguous slab per outer index.
    int64_t outer = 1;
    for (int k = 0; k < axis; ++k)
      outer *= dimsOut[static_cast<std::size_t>(k)];
    const std::size_t elem = ir::dtypeSize(joined.dtype());
    int64_t inner = 1;
    for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < dimsOut.size(); ++k)
      inner *= dimsOut[k];
    auto* dst = static_cast<std::byte*>(joined.data());
    for (int64_t a = 0; a < outer; ++a)
      for (const auto& ch : chunks) {
        const auto& t = ch[o];
        if (t.dims().size() != dimsOut.size()) return makeError(codes::kInternal, "chunk outputs differ in rank");
        const std::size_t bytes = static_cast<std::size_t>(t.dims()[static_cast<std::size_t>(axis)] * inner) * elem;
        std::memcpy(dst, static_cast<const std::byte*>(t.data()) + static_cast<std::size_t>(a) * bytes, bytes);
        dst += bytes;
      }
    result.outputs.push_back(std::move(joined));
  }
  result.overheadMillis += msSince(tJoin);
  return result;
}

Expected<DispatchResult> Dispatcher::runOnGear(std::span<const HostTensor> inputs, int gear) {
  if (m_session->isDynamic() || gear < 0 || gear >= m_session->gearCount())
    return makeError(codes::kInvalid, "gear " + std::to_string(gear) + " does not exist");
  const auto& gp = m_model->gears[static_cast<std::size_t>(gear)];
  if (inputs.size() != gp.inputs.size())
    return makeError(codes::kRuntime, "the model takes " + std::to_string(gp.inputs.size()) + " inputs");
  DispatchResult result;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dims().size() != gp.inputs[i].dims.size() || inputs[i].dtype() != gp.inputs[i].dtype)
      return makeError(codes::kRuntime, "input '" + gp.inputs[i].name + "' does not fit gear " + std::to_string(gear));
    for (std::size_t k = 0; k < inputs[i].dims().size(); ++k)
      if (inputs[i].dims()[k] > gp.inputs[i].dims[k])
        return makeError(codes::kRuntime, "input '" + gp.inputs[i].name + "' [" + ir::joinDims(inputs[i].dims()) +
                                              "] does not fit gear " + std::to_string(gear) + " [" +
                                              ir::joinDims(gp.inputs[i].dims) + "]");
    result.usefulElements += inputs[i].numel();
  }
  result.plan.gears = {gear};
  const int64_t batch = inputs.empty() || inputs[0].dims().empty() ? 1 : inputs[0].dims()[0];
  result.plan.chunkBatch = {batch};
  result.flags.assign(gp.outputs.size(), {});
  result.notes.assign(result.flags.size(), {});
  std::vector<std::vector<HostTensor>> chunks;
  GS_RETURN_IF_ERROR(runChunk(inputs, gear, 0, batch, chunks, result));
  result.outputs = std::move(chunks.front());
  return result;
}

Expected<DispatchResult> Dispatcher::runFallback(std::span<const HostTensor> inputs) {
  Session* s = m_session->isDynamic() ? m_session.get() : m_fallback.get();
  if (!s)
    return makeError(codes::kInvalid, "the model has no dynamic fallback graph (gearatc --dynamic_fallback) or "
                                      "dispatch is not pad-or-dynamic");
  DispatchResult result;
  result.plan.fallback = true;
  const auto t = Clock::now();
  RunResult rr;
  GS_RETURN_IF_ERROR(s->run(inputs, rr));
  result.runMillis = msSince(t);
  result.outputs = std::move(rr.outputs);
  result.flags.assign(result.outputs.size(), {});
  result.notes.assign(result.outputs.size(), {});
  for (const auto& in : inputs)
    result.usefulElements += in.numel();
  result.computedElements = result.usefulElements;
  return result;
}

MemoryUse Dispatcher::memory() const {
  auto m = m_session->memory();
  if (m_fallback) {
    const auto f = m_fallback->memory();
    m.dynamicBytes += f.dynamicBytes + f.arenaBytes;
    m.workspaceBytes += f.workspaceBytes;
  }
  return m;
}

} // namespace gs::runtime
