// Tensor storage: owned strings and read-only file maps.
#include "core/ir/tensor.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace gs::ir {

Expected<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return makeError(codes::kIo, "cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return makeError(codes::kIo, "'" + path + "' is not a regular file");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return std::shared_ptr<MappedFile>(new MappedFile(nullptr, 0));
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return makeError(codes::kIo, "cannot map '" + path + "': " + std::strerror(errno));
  return std::shared_ptr<MappedFile>(new MappedFile(static_cast<const std::byte*>(p), size));
}

AlignedBuffer::AlignedBuffer(const void* bytes, std::size_t size)
    : m_data(static_cast<std::byte*>(::operator new[](std::max<std::size_t>(size, 1), std::align_val_t{kAlignment}))),
      m_size(size) {
  if (size) std::memcpy(m_data.get(), bytes, size);
}

MappedFile::~MappedFile() {
  if (m_data) ::munmap(const_cast<std::byte*>(m_data), m_size);
}

int64_t Tensor::numel() const {
  int64_t n = 1;
  for (auto d : dims)
    n *= d;
  return n;
}

Tensor Tensor::fromBytes(DataType dtype, std::vector<int64_t> dims, std::string bytes) {
  Tensor t;
  t.dtype = dtype;
  t.dims = std::move(dims);
  t.buffer = std::make_shared<StringBuffer>(std::move(bytes));
  return t;
}

} // namespace gs::ir
