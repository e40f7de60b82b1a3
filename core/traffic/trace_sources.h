// Traces taken from data on disk: a folder of .npy files (each file one request; only the header is
// read) and a folder of images (each image one request, its size after a resize rule). Image sizes
// come from the file headers (PNG IHDR, JPEG SOFn, BMP, GIF) parsed here: no pixel is decoded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "core/traffic/trace.h"

namespace gs::traffic {

// Files DIR/*.npy in name order, one request each for input `inputName`. Errors name the file.
Expected<Trace> traceFromNpyFolder(const std::string& dir, const std::string& inputName);

struct ImageSize {
  int64_t width = 0, height = 0;
};
// The pixel size in an image file's header (PNG, JPEG, BMP, GIF). codes::kFormat for a corrupt or
// unknown header, naming the file.
Expected<ImageSize> readImageSize(const std::string& path);
// Same over bytes (the whole file or at least its header part).
Expected<ImageSize> imageSizeFromBytes(const void* data, std::size_t size);

// How an image is resized before the model sees it.
struct ResizeRule {
  enum class Kind {
    Keep,        // the image's own size
    FixedHeight, // height = height, width scaled to keep the aspect ratio (OCR recognisers)
    FixedWidth,  // width = width, height scaled
    Fixed,       // both fixed
    LongSide,    // the longer side = longSide, the other scaled (detectors)
  };
  Kind kind = Kind::Keep;
  int64_t height = 0, width = 0, longSide = 0;
  int64_t maxWidth = 0, maxHeight = 0; // clamp after scaling (0: none)
  int64_t multiple = 1;                // round each resized side up to a multiple (detectors use 32)
};
// "height=48", "height=48,max_width=1280", "width=320", "fixed=48x320", "long=960,multiple=32", "keep".
Expected<ResizeRule> parseResizeRule(const std::string& text);
ImageSize applyResize(const ResizeRule& rule, ImageSize in);

// Images DIR/*.{png,jpg,jpeg,bmp,gif} in name order. `shapeTemplate` is the input's dims with -1 where
// the height and width go (NCHW "1,3,-1,-1" or NHWC "1,-1,-1,3"): the first -1 takes the height, the
// second the width. Other files are ignored; an image file with a bad header is an error.
Expected<Trace> traceFromImageFolder(const std::string& dir, const std::string& inputName,
                                     const std::vector<int64_t>& shapeTemplate, const ResizeRule& rule);

} // namespace gs::traffic
