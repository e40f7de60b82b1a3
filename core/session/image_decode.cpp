// PNG / JPEG decoding and bilinear resizing (see image_decode.h).
#include "core/session/image_decode.h"

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <cstring>

#include <jpeglib.h>
#include <png.h>

namespace gs::session {
namespace {

bool endsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}

Error corrupt(const std::string& source, const std::string& why) {
  return Error{codes::kFormat, "calibration image '" + source + "' cannot be decoded: " + why};
}

Expected<RgbImage> decodePng(std::string_view bytes, const std::string& source, int64_t maxPixels) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    return std::unexpected(corrupt(source, image.message));
  const auto w = static_cast<int64_t>(image.width), h = static_cast<int64_t>(image.height);
  if (w <= 0 || h <= 0 || w * h > maxPixels) {
    png_image_free(&image);
    return std::unexpected(Error{codes::kFormat, "calibration image '" + source + "' is " + std::to_string(w) + "x" +
                                                     std::to_string(h) + " pixels, more than the " +
                                                     std::to_string(maxPixels) + " allowed"});
  }
  image.format = PNG_FORMAT_RGB;
  RgbImage out;
  out.width = w;
  out.height = h;
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr))
    return std::unexpected(corrupt(source, image.message));
  return out;
}

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

extern "C" void jpegFail(j_common_ptr c) {
  auto* e = reinterpret_cast<JpegError*>(c->err);
  (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}
// Warnings (corrupt or truncated data that libjpeg would paper over with grey) are counted, not printed.
extern "C" void jpegQuiet(j_common_ptr c, int level) {
  if (level < 0) ++c->err->num_warnings;
}

// No C++ object with a destructor is created between setjmp and a longjmp back to it: `out` and the
// row pointer live outside, the decoder state is plain C.
bool decodeJpegRaw(const unsigned char* data, unsigned long size, int64_t maxPixels, RgbImage& out, char* message,
                   bool& tooLarge) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpegFail;
  err.mgr.emit_message = jpegQuiet;
  err.message[0] = '\0';
  if (setjmp(err.jump)) {
    std::snprintf(message, JMSG_LENGTH_MAX, "%s", err.message);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, size);
  jpeg_read_header(&cinfo, TRUE);
  const auto w = static_cast<int64_t>(cinfo.image_width), h = static_cast<int64_t>(cinfo.image_height);
  if (w <= 0 || h <= 0 || w * h > maxPixels) {
    tooLarge = true;
    out.width = w;
    out.height = h;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_components != 3) {
    std::snprintf(message, JMSG_LENGTH_MAX, "unexpected component count %d", cinfo.output_components);
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  out.width = cinfo.output_width;
  out.height = cinfo.output_height;
  out.pixels.resize(static_cast<std::size_t>(out.width * out.height * 3));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * out.width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  const bool clean = err.mgr.num_warnings == 0;
  jpeg_destroy_decompress(&cinfo);
  if (!clean) std::snprintf(message, JMSG_LENGTH_MAX, "the JPEG data is corrupt or truncated");
  return clean;
}

Expected<RgbImage> decodeJpeg(std::string_view bytes, const std::string& source, int64_t maxPixels) {
  RgbImage out;
  char message[JMSG_LENGTH_MAX] = {};
  bool tooLarge = false;
  if (!decodeJpegRaw(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()),
                     maxPixels, out, message, tooLarge)) {
    if (tooLarge)
      return std::unexpected(Error{codes::kFormat, "calibration image '" + source + "' is " +
                                                       std::to_string(out.width) + "x" + std::to_string(out.height) +
                                                       " pixels, more than the " + std::to_string(maxPixels) +
                                                       " allowed"});
    return std::unexpected(corrupt(source, message[0] ? message : "invalid JPEG data"));
  }
  return out;
}

} // namespace

bool isImageFileName(std::string_view name) {
  return endsWithNoCase(name, ".png") || endsWithNoCase(name, ".jpg") || endsWithNoCase(name, ".jpeg");
}

Expected<RgbImage> decodeImage(std::string_view bytes, const std::string& source, int64_t maxPixels) {
  static constexpr unsigned char kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= sizeof kPng && std::memcmp(bytes.data(), kPng, sizeof kPng) == 0)
    return decodePng(bytes, source, maxPixels);
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xff &&
      static_cast<unsigned char>(bytes[1]) == 0xd8 && static_cast<unsigned char>(bytes[2]) == 0xff)
    return decodeJpeg(bytes, source, maxPixels);
  return std::unexpected(corrupt(source, "it is neither a PNG nor a JPEG file"));
}

std::vector<float> resizeBilinear(const RgbImage& image, int64_t width, int64_t height) {
  std::vector<float> out(static_cast<std::size_t>(width * height * 3));
  const double sx = static_cast<double>(image.width) / static_cast<double>(width);
  const double sy = static_cast<double>(image.height) / static_cast<double>(height);
  auto px = [&](int64_t y, int64_t x, int c) {
    return static_cast<double>(image.pixels[static_cast<std::size_t>((y * image.width + x) * 3 + c)]);
  };
  for (int64_t y = 0; y < height; ++y) {
    const double fy = std::clamp((static_cast<double>(y) + 0.5) * sy - 0.5, 0.0, static_cast<double>(image.height - 1));
    const auto y0 = static_cast<int64_t>(fy);
    const auto y1 = std::min(y0 + 1, image.height - 1);
    const double wy = fy - static_cast<double>(y0);
    for (int64_t x = 0; x < width; ++x) {
      const double fx =
          std::clamp((static_cast<double>(x) + 0.5) * sx - 0.5, 0.0, static_cast<double>(image.width - 1));
      const auto x0 = static_cast<int64_t>(fx);
      const auto x1 = std::min(x0 + 1, image.width - 1);
      const double wx = fx - static_cast<double>(x0);
      for (int c = 0; c < 3; ++c) {
        const double top = px(y0, x0, c) * (1 - wx) + px(y0, x1, c) * wx;
        const double bottom = px(y1, x0, c) * (1 - wx) + px(y1, x1, c) * wx;
        out[static_cast<std::size_t>((y * width + x) * 3 + c)] = static_cast<float>(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

} // namespace gs::session
