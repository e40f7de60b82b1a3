// PNG and JPEG decoding (libpng's simplified API, libjpeg-turbo) to 8-bit RGB, and the bilinear resize
// calibration images go through before the model sees them. Files are hostile: sizes are checked
// before any pixel memory is allocated, and decoder errors come back as Errors naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace gs::session {

struct RgbImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels; // height * width * 3, row-major, RGB
};

// Whether the name ends in .png, .jpg or .jpeg (any case).
bool isImageFileName(std::string_view name);

// Decodes PNG or JPEG bytes (told apart by their signature). `source` names the file in errors;
// images of more than maxPixels pixels are refused before decoding.
Expected<RgbImage> decodeImage(std::string_view bytes, const std::string& source, int64_t maxPixels);

// Bilinear resize with pixel centres aligned (OpenCV's INTER_LINEAR, PIL's bilinear without
// antialiasing), to float RGB values in 0..255, row-major height * width * 3.
std::vector<float> resizeBilinear(const RgbImage& image, int64_t width, int64_t height);

} // namespace gs::session
