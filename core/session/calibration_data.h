// The calibration set of --quantize=int8 --calibration=DIR. DIR is either
//   - one subfolder per sample, each with one NAME.npy per model input (NAME as gearbench --input
//     names the files: '/' and ':' become '_'), or
//   - a folder of PNG / JPEG images for a model with one NCHW (or NHWC) image input: each image is
//     one sample, resized (bilinear) to the input's H, W and normalised as
//     x = (pixel - mean[c]) * scale[c] with pixels 0..255 in RGB order (mean 0, scale 1 by default).
// Samples are taken in byte order of their names. Opening the set checks names, layout, counts and
// every .npy header (dtype, rank, fixed dims); image pixels are read when a sample is loaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/ir/dtype.h"
#include "core/runtime/tensor.h"

namespace gs::session {

struct CalibrationLimits {
  std::size_t maxSamples = 4096;
  uint64_t maxSampleBytes = uint64_t{1} << 30; // per .npy or image file
  int64_t maxImagePixels = int64_t{1} << 26;
};

// A model input as calibration sees it: dims of -1 are free (symbolic in the model, not fixed by
// the configuration).
struct CalibrationInput {
  std::string name;
  ir::DataType dtype = ir::DataType::Float32;
  std::vector<int64_t> dims;
};

struct ImagePreprocessing {
  std::vector<float> mean;   // one value or one per channel; empty: 0
  std::vector<float> scale;  // one value or one per channel; empty: 1
  bool channelsLast = false; // NHWC input
};

class CalibrationSet {
public:
  // Errors (codes::kIo for what cannot be read, codes::kFormat / kInvalid for bad contents) name the
  // folder or file: a missing or empty DIR, a mix of sample folders and images, a name that is not
  // UTF-8, a sample without the file of an input or with a file for no input, a wrong dtype, rank or
  // dim, a corrupt .npy header, more samples than the limit, images for a model without one
  // image-shaped input or whose H, W are not fixed.
  static Expected<CalibrationSet> open(const std::string& dir, std::vector<CalibrationInput> inputs,
                                       ImagePreprocessing preprocessing, const CalibrationLimits& limits = {});

  std::size_t size() const { return m_samples.size(); }
  bool images() const { return m_images; }
  // The sample's folder or image file.
  const std::string& samplePath(std::size_t i) const { return m_samples[i].path; }
  // Input dims of a sample, in model input order (known once the set is open).
  const std::vector<std::vector<int64_t>>& sampleDims(std::size_t i) const { return m_samples[i].dims; }
  // The sample's tensors in model input order. Errors name the file (corrupt data, an image that
  // cannot be decoded).
  Expected<std::vector<runtime::HostTensor>> load(std::size_t i) const;
  const std::vector<CalibrationInput>& inputs() const { return m_inputs; }

private:
  struct Sample {
    std::string path;
    std::vector<std::string> files; // per input (npy folders)
    std::vector<std::vector<int64_t>> dims;
  };
  Expected<std::vector<runtime::HostTensor>> loadImage(const Sample& s) const;

  std::vector<CalibrationInput> m_inputs;
  ImagePreprocessing m_pre;
  CalibrationLimits m_limits;
  std::vector<Sample> m_samples;
  bool m_images = false;
};

} // namespace gs::session
