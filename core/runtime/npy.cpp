// .npy reading and writing with a defensive header parser.
#include "core/runtime/npy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <new>

namespace gs::runtime::npy {
namespace {

constexpr std::size_t kMaxHeaderBytes = 1 << 20; // far above any real header; bounds hostile ones
constexpr std::size_t kMaxRank = 32;

Error formatError(const std::string& what) { return Error{codes::kFormat, "invalid .npy: " + what}; }

int64_t numelOf(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (auto d : dims)
    n *= d; // parseHeader checked that the product fits
  return n;
}

struct DtypeCode {
  const char* descr;
  ir::DataType dtype;
};
// Single-byte types may be spelled with '|' or '<' (or '=' which is native = little-endian here).
constexpr DtypeCode kDtypes[] = {
    {"<f4", ir::DataType::Float32}, {"<f8", ir::DataType::Float64}, {"<i8", ir::DataType::Int64},
    {"<i4", ir::DataType::Int32},   {"|i1", ir::DataType::Int8},    {"|u1", ir::DataType::UInt8},
    {"|b1", ir::DataType::Bool},
};

std::optional<ir::DataType> dtypeFromDescr(std::string_view d) {
  if (d.size() != 3) return std::nullopt;
  // '=' is native order (little-endian on every host we build for); 1-byte types have no order.
  const bool oneByte = d[2] == '1';
  const bool orderOk = d[0] == '<' || d[0] == '=' || (oneByte && (d[0] == '|' || d[0] == '>'));
  if (!orderOk) return std::nullopt;
  for (const auto& c : kDtypes)
    if (d.substr(1) == std::string_view(c.descr).substr(1)) return c.dtype;
  return std::nullopt;
}

const char* descrOf(ir::DataType t) {
  for (const auto& c : kDtypes)
    if (c.dtype == t) return c.descr;
  return nullptr;
}

// A tiny scanner over the Python-literal dict of the header.
class Scanner {
public:
  explicit Scanner(std::string_view s) : m_s(s) {}
  void skipSpace() {
    while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
      ++m_pos;
  }
  bool eat(char c) {
    skipSpace();
    if (m_pos < m_s.size() && m_s[m_pos] == c) {
      ++m_pos;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skipSpace();
    return m_pos < m_s.size() && m_s[m_pos] == c;
  }
  std::optional<std::string> quoted() {
    skipSpace();
    if (m_pos >= m_s.size() || (m_s[m_pos] != '\'' && m_s[m_pos] != '"')) return std::nullopt;
    const char q = m_s[m_pos++];
    const auto end = m_s.find(q, m_pos);
    if (end == std::string_view::npos || end - m_pos > 64) return std::nullopt;
    std::string out(m_s.substr(m_pos, end - m_pos));
    m_pos = end + 1;
    return out;
  }
  std::optional<bool> boolean() {
    skipSpace();
    if (m_s.substr(m_pos, 4) == "True") {
      m_pos += 4;
      return true;
    }
    if (m_s.substr(m_pos, 5) == "False") {
      m_pos += 5;
      return false;
    }
    return std::nullopt;
  }
  std::optional<int64_t> integer() {
    skipSpace();
    int64_t v = 0;
    std::size_t digits = 0;
    while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') {
      if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
      v = v * 10 + (m_s[m_pos] - '0');
      ++m_pos;
      ++digits;
    }
    // Python 2 era files may write "3L".
    if (digits && m_pos < m_s.size() && m_s[m_pos] == 'L') ++m_pos;
    if (!digits) return std::nullopt;
    return v;
  }
  bool atEnd() {
    skipSpace();
    return m_pos == m_s.size();
  }

private:
  std::string_view m_s;
  std::size_t m_pos = 0;
};

} // namespace

namespace {

// Bytes before the header dict (magic, version, length field) and the dict's length; needs the
// first 12 bytes (or all of a shorter file).
Expected<std::pair<std::size_t, std::size_t>> preamble(const unsigned char* p, std::size_t size) {
  if (size < 10 || std::memcmp(p, "\x93NUMPY", 6) != 0) return std::unexpected(formatError("missing \\x93NUMPY magic"));
  const int major = p[6];
  if (major == 1) return std::pair{std::size_t{10}, std::size_t(p[8] | (std::size_t(p[9]) << 8))};
  if (major == 2 || major == 3) {
    if (size < 12) return std::unexpected(formatError("truncated header length"));
    return std::pair{std::size_t{12}, std::size_t(p[8] | (std::size_t(p[9]) << 8) | (std::size_t(p[10]) << 16) |
                                                  (std::size_t(p[11]) << 24))};
  }
  return std::unexpected(formatError("unsupported version " + std::to_string(major)));
}

// The header of an image whose first `avail` bytes are at `bytes` (at least the whole header) and
// whose data is dataBytes long; the data itself is not looked at.
Expected<std::pair<Header, std::size_t>> parseHeaderOnly(const void* bytes, std::size_t avail);

} // namespace

Expected<Header> parseHeader(const void* bytes, std::size_t size) {
  GS_ASSIGN_OR_RETURN(auto parsed, parseHeaderOnly(bytes, size));
  auto& [h, dataBytes] = parsed;
  if (dataBytes > size - h.dataOffset)
    return std::unexpected(formatError("data of " + std::to_string(dataBytes) + " bytes runs past the end (" +
                                       std::to_string(size - h.dataOffset) + " bytes present)"));
  return std::move(h);
}

namespace {

Expected<std::pair<Header, std::size_t>> parseHeaderOnly(const void* bytes, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  GS_ASSIGN_OR_RETURN(const auto lengths, preamble(p, size));
  const auto [pre, headerLen] = lengths;
  if (headerLen > kMaxHeaderBytes)
    return std::unexpected(formatError("header of " + std::to_string(headerLen) + " bytes"));
  if (headerLen > size - pre) return std::unexpected(formatError("header runs past the end of the file"));
  std::string_view text(reinterpret_cast<const char*>(p + pre), headerLen);
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return std::unexpected(formatError("control character in header"));

  Scanner s(text);
  if (!s.eat('{')) return std::unexpected(formatError("header is not a dict"));
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<int64_t>> shape;
  while (!s.peek('}')) {
    auto key = s.quoted();
    if (!key || !s.eat(':')) return std::unexpected(formatError("malformed header dict"));
    if (*key == "descr") {
      if (descr) return std::unexpected(formatError("duplicate 'descr'"));
      descr = s.quoted();
      if (!descr) return std::unexpected(formatError("'descr' is not a string (structured dtypes are not supported)"));
    } else if (*key == "fortran_order") {
      if (fortran) return std::unexpected(formatError("duplicate 'fortran_order'"));
      fortran = s.boolean();
      if (!fortran) return std::unexpected(formatError("'fortran_order' is not True/False"));
    } else if (*key == "shape") {
      if (shape) return std::unexpected(formatError("duplicate 'shape'"));
      if (!s.eat('(')) return std::unexpected(formatError("'shape' is not a tuple"));
      std::vector<int64_t> dims;
      while (!s.peek(')')) {
        auto d = s.integer();
        if (!d) return std::unexpected(formatError("'shape' holds a non-integer or negative dim"));
        dims.push_back(*d);
        if (dims.size() > kMaxRank) return std::unexpected(formatError("rank above 32"));
        if (!s.eat(',')) break;
      }
      if (!s.eat(')')) return std::unexpected(formatError("'shape' tuple is not closed"));
      shape = std::move(dims);
    } else {
      return std::unexpected(formatError("unknown header key '" + *key + "'"));
    }
    if (!s.eat(',')) break;
  }
  if (!s.eat('}') || !s.atEnd()) return std::unexpected(formatError("trailing characters after the header dict"));
  if (!descr || !fortran || !shape) return std::unexpected(formatError("header lacks descr, fortran_order or shape"));
  if (*fortran) return std::unexpected(Error{codes::kUnsupported, "invalid .npy: Fortran order is not supported"});
  auto dtype = dtypeFromDescr(*descr);
  if (!dtype)
    return std::unexpected(
        Error{codes::kUnsupported,
              "unsupported .npy dtype '" + *descr + "' (float32/float64/int64/int32/int8/uint8/bool, little-endian)"});

  // Element count and byte size with overflow checks.
  const std::size_t elem = ir::dtypeSize(*dtype);
  std::size_t count = 1;
  for (auto d : *shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(d))
      return std::unexpected(formatError("element count overflows"));
    count *= static_cast<std::size_t>(d);
  }
  if (count > std::numeric_limits<std::size_t>::max() / elem)
    return std::unexpected(formatError("byte size overflows"));
  const std::size_t dataBytes = count * elem;
  const std::size_t dataOffset = pre + headerLen;
  return std::pair{Header{*dtype, std::move(*shape), dataOffset}, dataBytes};
}

Error fileError(const std::string& path, const std::string& what) {
  return Error{codes::kIo, "cannot read '" + path + "': " + what};
}

// Reads exactly n bytes at the current position.
bool readFully(int fd, void* out, std::size_t n) {
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    const auto got = ::read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

void normaliseBools(HostTensor& t) {
  if (t.dtype() != ir::DataType::Bool) return;
  auto* b = t.as<uint8_t>();
  for (int64_t i = 0; i < t.numel(); ++i)
    b[i] = b[i] ? 1 : 0;
}

} // namespace

Expected<HostTensor> fromBytes(std::string_view bytes) {
  GS_ASSIGN_OR_RETURN(auto h, parseHeader(bytes.data(), bytes.size()));
  const std::size_t dataBytes = ir::dtypeSize(h.dtype) * static_cast<std::size_t>(numelOf(h.dims));
  if (bytes.size() - h.dataOffset != dataBytes)
    return std::unexpected(formatError(std::to_string(bytes.size() - h.dataOffset - dataBytes) +
                                       " trailing bytes after the data of " + std::to_string(dataBytes) + " bytes"));
  try {
    HostTensor t(h.dtype, h.dims);
    if (t.byteSize()) std::memcpy(t.data(), bytes.data() + h.dataOffset, t.byteSize());
    normaliseBools(t);
    return t;
  } catch (const std::bad_alloc&) {
    return makeError(codes::kRuntime, "not enough memory for a tensor of " + std::to_string(dataBytes) + " bytes");
  }
}

Expected<Header> readHeader(const std::string& path, std::size_t* dataBytes) {
  // Regular files only: a device or FIFO (/dev/zero, a pipe) has no size to check against and
  // may never end.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(fileError(path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    return std::unexpected(fileError(path, S_ISDIR(st.st_mode)
                                               ? "it is a folder, not an .npy file"
                                               : "it is not a regular file (a device, pipe or socket)"));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(fileError(path, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const auto fileSize = static_cast<std::size_t>(st.st_size);
  unsigned char head[12] = {};
  if (!readFully(fd, head, std::min<std::size_t>(fileSize, sizeof head)))
    return std::unexpected(fileError(path, "read failed"));
  auto lengths = preamble(head, std::min<std::size_t>(fileSize, sizeof head));
  if (!lengths) return std::unexpected(withContext(lengths.error(), path));
  const auto [pre, headerLen] = *lengths;
  if (headerLen > kMaxHeaderBytes || headerLen > fileSize - pre)
    return std::unexpected(
        withContext(formatError(headerLen > kMaxHeaderBytes ? "header of " + std::to_string(headerLen) + " bytes"
                                                            : "header runs past the end of the file"),
                    path));
  std::string header(pre + headerLen, '\0');
  std::memcpy(header.data(), head, pre);
  // The first read took up to 12 bytes; a version 1 header dict starts at byte 10.
  if (::lseek(fd, static_cast<off_t>(pre), SEEK_SET) < 0 || !readFully(fd, header.data() + pre, headerLen))
    return std::unexpected(fileError(path, "read failed"));
  auto parsed = parseHeaderOnly(header.data(), header.size());
  if (!parsed) return std::unexpected(withContext(parsed.error(), path));
  auto& [h, bytes] = *parsed;
  const std::size_t present = fileSize - h.dataOffset;
  if (bytes > present)
    return std::unexpected(withContext(formatError("data of " + std::to_string(bytes) + " bytes runs past the end (" +
                                                   std::to_string(present) + " bytes present)"),
                                       path));
  if (bytes < present)
    return std::unexpected(
        withContext(formatError(std::to_string(present - bytes) + " trailing bytes after the data of " +
                                std::to_string(bytes) + " bytes"),
                    path));
  if (dataBytes) *dataBytes = bytes;
  return std::move(h);
}

Expected<HostTensor> read(const std::string& path) {
  std::size_t dataBytes = 0;
  GS_ASSIGN_OR_RETURN(auto h, readHeader(path, &dataBytes));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(fileError(path, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  try {
    HostTensor t(h.dtype, h.dims);
    if (::lseek(fd, static_cast<off_t>(h.dataOffset), SEEK_SET) < 0 ||
        (dataBytes && !readFully(fd, t.data(), dataBytes)))
      return std::unexpected(fileError(path, "the file changed or could not be read while reading its data"));
    normaliseBools(t);
    return t;
  } catch (const std::bad_alloc&) {
    return makeError(codes::kRuntime,
                     "'" + path + "': not enough memory for its " + std::to_string(dataBytes) + " bytes of data");
  }
}

Expected<std::string> toBytes(const HostTensor& t) {
  const char* descr = descrOf(t.dtype());
  if (!descr)
    return makeError(codes::kUnsupported, "cannot write dtype " + std::string(ir::dtypeName(t.dtype())) + " to .npy");
  std::string shape = "(";
  for (std::size_t i = 0; i < t.dims().size(); ++i)
    shape += std::to_string(t.dims()[i]) + (t.dims().size() == 1 || i + 1 < t.dims().size() ? "," : "");
  shape += ")";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so that the data starts at a multiple of 64, header ends with '\n'.
  std::size_t total = 10 + dict.size() + 1;
  const bool v2 = total + 63 > 65535 + 10;
  const std::size_t pre = v2 ? 12 : 10;
  total = pre + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict.push_back('\n');
  std::string out("\x93NUMPY", 6);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  const std::size_t len = dict.size();
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>((len >> 8) & 0xff));
  if (v2) {
    out.push_back(static_cast<char>((len >> 16) & 0xff));
    out.push_back(static_cast<char>((len >> 24) & 0xff));
  }
  out += dict;
  out.append(static_cast<const char*>(t.data()), t.byteSize());
  return out;
}

Status write(const std::string& path, const HostTensor& t) {
  GS_ASSIGN_OR_RETURN(auto bytes, toBytes(t));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return makeError(codes::kIo, "cannot write '" + path + "'");
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!f) return makeError(codes::kIo, "write failed for '" + path + "'");
  return ok();
}

std::string fileStem(std::string_view tensorName) {
  std::string s(tensorName);
  for (char& c : s)
    if (c == '/' || c == ':') c = '_';
  return s;
}

} // namespace gs::runtime::npy
