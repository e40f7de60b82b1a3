// Progress reporting and cancellation for long work (compile, profile, layout). Passed in, never global.
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace gs {

class CancelToken {
public:
  void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
  void reset() { m_cancelled.store(false, std::memory_order_relaxed); }

private:
  std::atomic<bool> m_cancelled{false};
};

struct Progress {
  // fraction in [0, 1]; what: a short human-readable step ("gear 3/16: memory plan")
  std::function<void(double fraction, const std::string& what)> report;
  const CancelToken* cancel = nullptr;

  void operator()(double fraction, const std::string& what) const {
    if (report) report(fraction, what);
  }
  bool cancelled() const { return cancel && cancel->cancelled(); }
};

} // namespace gs
