// A complex FFT of any length for the signal kernels (DFT, STFT): iterative radix-2 for powers of
// two, Bluestein's chirp-z algorithm (through a radix-2 transform of at least 2n-1 points) for other
// lengths, so every length costs O(n log n). Computed in double.
#pragma once

#include <complex>
#include <cstddef>
#include <vector>

namespace gs::runtime::cpu::basic {

class FftPlan {
public:
  explicit FftPlan(std::size_t n);
  std::size_t size() const { return m_n; }
  // In place: x[k] = sum_j x[j] e^(-2 pi i jk/n); inverse: e^(+2 pi i jk/n), divided by n.
  // x.size() must be size().
  void run(std::vector<std::complex<double>>& x, bool inverse) const;

private:
  void radix2(std::vector<std::complex<double>>& x) const; // forward, size m_m (a power of two)
  std::size_t m_n = 0;
  std::size_t m_m = 0; // radix-2 size: m_n itself, or Bluestein's padded size
  bool m_bluestein = false;
  std::vector<std::complex<double>> m_twiddle;  // e^(-2 pi i k/m), k < m/2
  std::vector<std::complex<double>> m_chirp;    // Bluestein: e^(-pi i k^2/n), k < n
  std::vector<std::complex<double>> m_chirpFft; // Bluestein: the FFT of the conjugate chirp, size m
};

} // namespace gs::runtime::cpu::basic
