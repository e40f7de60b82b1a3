// UTF-8 validation and escaping of invalid bytes (RFC 3629 well-formedness).
#include "core/common/utf8.h"

namespace gs::utf8 {

std::size_t sequenceLength(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80; // allowed range of the second byte (rules out overlong forms, surrogates, > U+10FFFF)
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (pos + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t i = 2; i < len; ++i)
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  return len;
}

bool isValid(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto n = sequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto n = sequenceLength(s, i);
    if (n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::string characterAt(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return {};
  // Step back to the lead byte when pos is inside a well-formed sequence.
  std::size_t start = pos;
  for (std::size_t back = 1; back <= 3 && back <= pos; ++back) {
    const auto n = sequenceLength(s, pos - back);
    if (n > back) {
      start = pos - back;
      break;
    }
  }
  const auto n = sequenceLength(s, start);
  if (n == 0) return sanitize(s.substr(pos, 1));
  return std::string(s.substr(start, n));
}

} // namespace gs::utf8
