// Radix-2 and Bluestein FFT (see fft.h).
#include "core/runtime/cpu/kernels/basic/fft.h"

#include <cmath>
#include <numbers>
#include <utility>

namespace gs::runtime::cpu::basic {

namespace {
bool isPow2(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }
} // namespace

FftPlan::FftPlan(std::size_t n) : m_n(n) {
  if (n <= 1) {
    m_m = n;
    return;
  }
  m_bluestein = !isPow2(n);
  m_m = n;
  if (m_bluestein) {
    m_m = 1;
    while (m_m < 2 * n - 1)
      m_m <<= 1;
  }
  m_twiddle.resize(m_m / 2);
  for (std::size_t k = 0; k < m_m / 2; ++k)
    m_twiddle[k] = std::polar(1.0, -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(m_m));
  if (!m_bluestein) return;
  m_chirp.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    // k^2 mod 2n keeps the angle exact for large k.
    const auto k2 = static_cast<double>((static_cast<unsigned long long>(k) * k) % (2 * n));
    m_chirp[k] = std::polar(1.0, -std::numbers::pi * k2 / static_cast<double>(n));
  }
  m_chirpFft.assign(m_m, {});
  m_chirpFft[0] = std::conj(m_chirp[0]);
  for (std::size_t k = 1; k < n; ++k)
    m_chirpFft[k] = m_chirpFft[m_m - k] = std::conj(m_chirp[k]);
  radix2(m_chirpFft);
}

void FftPlan::radix2(std::vector<std::complex<double>>& x) const {
  const std::size_t m = m_m;
  for (std::size_t i = 1, j = 0; i < m; ++i) {
    std::size_t bit = m >> 1;
    for (; j & bit; bit >>= 1)
      j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  for (std::size_t len = 2; len <= m; len <<= 1) {
    const std::size_t step = m / len;
    for (std::size_t i = 0; i < m; i += len)
      for (std::size_t k = 0; k < len / 2; ++k) {
        const auto u = x[i + k];
        const auto v = x[i + k + len / 2] * m_twiddle[k * step];
        x[i + k] = u + v;
        x[i + k + len / 2] = u - v;
      }
  }
}

void FftPlan::run(std::vector<std::complex<double>>& x, bool inverse) const {
  if (m_n <= 1) return;
  // The inverse through the forward transform: ifft(x) = conj(fft(conj(x))) / n.
  if (inverse)
    for (auto& v : x)
      v = std::conj(v);
  if (!m_bluestein) {
    radix2(x);
  } else {
    std::vector<std::complex<double>> a(m_m);
    for (std::size_t k = 0; k < m_n; ++k)
      a[k] = x[k] * m_chirp[k];
    radix2(a);
    for (std::size_t k = 0; k < m_m; ++k)
      a[k] = std::conj(a[k] * m_chirpFft[k]); // the inverse of the product, by the conjugate trick
    radix2(a);
    const double scale = 1.0 / static_cast<double>(m_m);
    for (std::size_t k = 0; k < m_n; ++k)
      x[k] = std::conj(a[k]) * scale * m_chirp[k];
  }
  if (inverse) {
    const double scale = 1.0 / static_cast<double>(m_n);
    for (auto& v : x)
      v = std::conj(v) * scale;
  }
}

} // namespace gs::runtime::cpu::basic
