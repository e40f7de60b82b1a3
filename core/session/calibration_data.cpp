// The calibration set: folder layout, .npy headers, images (see calibration_data.h).
#include "core/session/calibration_data.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>

#include "core/common/utf8.h"
#include "core/runtime/npy.h"
#include "core/session/image_decode.h"

namespace gs::session {
namespace fs = std::filesystem;

namespace {

std::string dimsText(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) s += ',';
    s += d[i] < 0 ? std::string("?") : std::to_string(d[i]);
  }
  s += ']';
  return s;
}

Error bad(const std::string& code, const std::string& what) { return Error{code, "calibration: " + what}; }

// Entries of a folder, sorted by name bytes; hidden entries ('.' first) left out.
Expected<std::vector<fs::directory_entry>> listFolder(const fs::path& dir) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec)
    return std::unexpected(
        bad(codes::kIo, "cannot read folder '" + utf8::sanitize(dir.string()) + "': " + ec.message()));
  for (const auto& e : it) {
    const auto name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!utf8::isValid(name))
      return std::unexpected(bad(codes::kInvalid, "the name '" + utf8::sanitize(name) + "' in '" +
                                                      utf8::sanitize(dir.string()) + "' is not UTF-8 text; rename it"));
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.path().filename().string() < b.path().filename().string(); });
  return out;
}

Expected<std::string> readFileBytes(const std::string& path, uint64_t limit) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::unexpected(bad(codes::kIo, "'" + path + "' is not a regular file"));
  const auto size = fs::file_size(path, ec);
  if (ec) return std::unexpected(bad(codes::kIo, "cannot read '" + path + "': " + ec.message()));
  if (size > limit)
    return std::unexpected(bad(codes::kInvalid, "'" + path + "' is " + std::to_string(size) + " bytes, more than the " +
                                                    std::to_string(limit) + " allowed"));
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
    return std::unexpected(bad(codes::kIo, "cannot read '" + path + "'"));
  return bytes;
}

// Where H, W and C sit in an image input, or an error saying why the model's input is not one.
struct ImageLayout {
  std::size_t c, h, w;
};
Expected<ImageLayout> imageLayout(const std::vector<CalibrationInput>& inputs, bool channelsLast) {
  if (inputs.size() != 1)
    return std::unexpected(bad(codes::kInvalid, "an image folder needs a model with one input; this one has " +
                                                    std::to_string(inputs.size())));
  const auto& in = inputs[0];
  if (in.dtype != ir::DataType::Float32 || in.dims.size() != 4)
    return std::unexpected(bad(codes::kInvalid, "an image folder needs a 4-D float32 input; input '" + in.name +
                                                    "' is " + std::string(ir::dtypeName(in.dtype)) + " " +
                                                    dimsText(in.dims)));
  const ImageLayout l = channelsLast ? ImageLayout{3, 1, 2} : ImageLayout{1, 2, 3};
  const auto c = in.dims[l.c];
  if (c != 1 && c != 3)
    return std::unexpected(bad(codes::kInvalid, "input '" + in.name + "' " + dimsText(in.dims) + " has " +
                                                    (c < 0 ? std::string("unknown") : std::to_string(c)) +
                                                    " channels; images give 1 or 3"));
  if (in.dims[l.h] <= 0 || in.dims[l.w] <= 0)
    return std::unexpected(bad(codes::kInvalid, "input '" + in.name + "' " + dimsText(in.dims) +
                                                    " has no fixed height and width to resize images to; give them "
                                                    "in --input_shape"));
  return l;
}

} // namespace

Expected<CalibrationSet> CalibrationSet::open(const std::string& dir, std::vector<CalibrationInput> inputs,
                                              ImagePreprocessing preprocessing, const CalibrationLimits& limits) {
  CalibrationSet set;
  set.m_inputs = std::move(inputs);
  set.m_pre = std::move(preprocessing);
  set.m_limits = limits;
  std::error_code ec;
  if (dir.empty()) return std::unexpected(bad(codes::kInvalid, "no --calibration folder given"));
  if (!fs::is_directory(dir, ec))
    return std::unexpected(bad(codes::kIo, "'" + utf8::sanitize(dir) + "' is not a folder"));
  GS_ASSIGN_OR_RETURN(auto entries, listFolder(dir));
  std::vector<fs::directory_entry> folders, images;
  std::size_t others = 0;
  for (const auto& e : entries) {
    if (e.is_directory(ec))
      folders.push_back(e);
    else if (isImageFileName(e.path().filename().string()))
      images.push_back(e);
    else
      ++others;
  }
  if (!folders.empty() && !images.empty())
    return std::unexpected(bad(codes::kInvalid, "'" + dir + "' holds both sample folders and images; use one kind"));
  if (folders.empty() && images.empty())
    return std::unexpected(bad(codes::kInvalid, "'" + dir + "' holds no samples (expected one subfolder per sample " +
                                                    "with NAME.npy per input, or PNG/JPEG images)" +
                                                    (others ? " but " + std::to_string(others) + " other files" : "")));
  const auto count = folders.empty() ? images.size() : folders.size();
  if (count > limits.maxSamples)
    return std::unexpected(bad(codes::kInvalid, "'" + dir + "' holds " + std::to_string(count) +
                                                    " samples, more than the " + std::to_string(limits.maxSamples) +
                                                    " allowed"));

  if (!images.empty()) {
    GS_ASSIGN_OR_RETURN(auto layout, imageLayout(set.m_inputs, set.m_pre.channelsLast));
    auto dims = set.m_inputs[0].dims;
    for (std::size_t d = 0; d < dims.size(); ++d)
      if (dims[d] < 0) dims[d] = 1; // the batch: one image per sample
    const auto c = static_cast<std::size_t>(dims[layout.c]);
    for (const auto* list : {&set.m_pre.mean, &set.m_pre.scale})
      if (list->size() > 1 && list->size() != c)
        return std::unexpected(bad(codes::kInvalid, "--calibration_mean/--calibration_scale give " +
                                                        std::to_string(list->size()) + " values; input '" +
                                                        set.m_inputs[0].name + "' has " + std::to_string(c) +
                                                        " channels"));
    set.m_images = true;
    for (const auto& e : images)
      set.m_samples.push_back({e.path().string(), {}, {dims}});
    return set;
  }

  std::map<std::string, std::size_t> byStem;
  for (std::size_t i = 0; i < set.m_inputs.size(); ++i)
    byStem[runtime::npy::fileStem(set.m_inputs[i].name) + ".npy"] = i;
  for (const auto& f : folders) {
    Sample s;
    s.path = f.path().string();
    s.files.resize(set.m_inputs.size());
    s.dims.resize(set.m_inputs.size());
    GS_ASSIGN_OR_RETURN(auto files, listFolder(f.path()));
    for (const auto& e : files) {
      const auto name = e.path().filename().string();
      auto it = byStem.find(name);
      if (it == byStem.end()) {
        std::string names;
        for (const auto& [stem, i] : byStem) {
          if (!names.empty()) names += ", ";
          names += stem;
        }
        return std::unexpected(bad(codes::kInvalid, "sample '" + s.path + "' holds '" + name +
                                                        "', which names no model input (expected: " + names + ")"));
      }
      s.files[it->second] = e.path().string();
    }
    for (std::size_t i = 0; i < set.m_inputs.size(); ++i) {
      const auto& in = set.m_inputs[i];
      if (s.files[i].empty())
        return std::unexpected(bad(codes::kInvalid, "sample '" + s.path + "' has no " +
                                                        runtime::npy::fileStem(in.name) + ".npy for input '" + in.name +
                                                        "'"));
      std::size_t dataBytes = 0;
      auto h = runtime::npy::readHeader(s.files[i], &dataBytes);
      if (!h) return std::unexpected(bad(h.error().code, h.error().message));
      if (dataBytes > limits.maxSampleBytes)
        return std::unexpected(bad(codes::kInvalid, "'" + s.files[i] + "' holds " + std::to_string(dataBytes) +
                                                        " bytes, more than the " +
                                                        std::to_string(limits.maxSampleBytes) + " allowed"));
      if (h->dtype != in.dtype)
        return std::unexpected(bad(codes::kInvalid, "'" + s.files[i] + "' is " + std::string(ir::dtypeName(h->dtype)) +
                                                        "; input '" + in.name + "' takes " +
                                                        std::string(ir::dtypeName(in.dtype))));
      bool fits = h->dims.size() == in.dims.size();
      for (std::size_t d = 0; fits && d < in.dims.size(); ++d)
        fits = in.dims[d] < 0 ? h->dims[d] > 0 : h->dims[d] == in.dims[d];
      if (!fits)
        return std::unexpected(bad(codes::kInvalid, "'" + s.files[i] + "' has shape " + dimsText(h->dims) +
                                                        "; input '" + in.name + "' takes " + dimsText(in.dims)));
      s.dims[i] = h->dims;
    }
    set.m_samples.push_back(std::move(s));
  }
  return set;
}

Expected<std::vector<runtime::HostTensor>> CalibrationSet::load(std::size_t i) const {
  if (i >= m_samples.size()) return makeError(codes::kInternal, "calibration sample index out of range");
  const auto& s = m_samples[i];
  if (m_images) return loadImage(s);
  std::vector<runtime::HostTensor> out;
  for (std::size_t k = 0; k < s.files.size(); ++k) {
    auto t = runtime::npy::read(s.files[k]);
    if (!t) return std::unexpected(bad(t.error().code, t.error().message));
    // The file may have changed since the set was opened.
    if (t->dtype() != m_inputs[k].dtype || t->dims() != s.dims[k])
      return std::unexpected(bad(codes::kInvalid, "'" + s.files[k] + "' changed while calibrating"));
    out.push_back(std::move(*t));
  }
  return out;
}

Expected<std::vector<runtime::HostTensor>> CalibrationSet::loadImage(const Sample& s) const {
  GS_ASSIGN_OR_RETURN(auto bytes, readFileBytes(s.path, m_limits.maxSampleBytes));
  GS_ASSIGN_OR_RETURN(auto image, decodeImage(bytes, s.path, m_limits.maxImagePixels));
  const auto layout = *imageLayout(m_inputs, m_pre.channelsLast);
  const auto& dims = s.dims[0];
  const auto c = dims[layout.c], h = dims[layout.h], w = dims[layout.w];
  const auto rgb = resizeBilinear(image, w, h);
  try {
    runtime::HostTensor t(ir::DataType::Float32, dims);
    float* out = t.as<float>();
    auto param = [](const std::vector<float>& v, int64_t ch, float fallback) {
      return v.empty() ? fallback : v[v.size() == 1 ? 0 : static_cast<std::size_t>(ch)];
    };
    for (int64_t ch = 0; ch < c; ++ch) {
      const float mean = param(m_pre.mean, ch, 0.0f), scale = param(m_pre.scale, ch, 1.0f);
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const auto p = static_cast<std::size_t>((y * w + x) * 3);
          // One channel: the luma of the RGB pixel (ITU-R BT.601, as PIL's "L" mode).
          const float v = c == 3 ? rgb[p + static_cast<std::size_t>(ch)]
                                 : 0.299f * rgb[p] + 0.587f * rgb[p + 1] + 0.114f * rgb[p + 2];
          const auto idx = m_pre.channelsLast ? (y * w + x) * c + ch : (ch * h + y) * w + x;
          out[idx] = (v - mean) * scale;
        }
    }
    // Any further batch entries (a fixed batch > 1) repeat the image.
    const auto per = c * h * w;
    for (int64_t b = 1; b < t.numel() / per; ++b)
      std::copy(out, out + per, out + b * per);
    std::vector<runtime::HostTensor> v;
    v.push_back(std::move(t));
    return v;
  } catch (const std::bad_alloc&) {
    return std::unexpected(bad(codes::kRuntime, "not enough memory for image '" + s.path + "'"));
  }
}

} // namespace gs::session
