// Progress reporting and cancellation for long work (compile, profile, layout). Passed in, never global.
// Progress travels as a structured event (stage, gear, run) so that no receiver parses the text back;
// the text is for people. `report` (fraction + text) stays for receivers that only draw a bar.
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

struct ProgressEvent {
  double fraction = 0; // of the whole job, in [0, 1]
  std::string what;    // a short human-readable step ("gear 3/16", "gear 2: run 40/50")
  std::string stage;   // "compile", "load", "warm-up", "measure", or empty for other steps
  int gear = -1;       // the gear being worked on (0-based), -1 for work shared by all gears
  int gearCount = 0;   // gears of the job (0: unknown)
  int run = 0;         // measured run of this gear (1-based), 0 outside the measurement
  int runs = 0;        // measured runs per gear
};

struct Progress {
  // fraction in [0, 1]; what: a short human-readable step ("gear 3/16: memory plan")
  std::function<void(double fraction, const std::string& what)> report;
  // The same steps as structured events (also called for plain (fraction, what) steps).
  std::function<void(const ProgressEvent& event)> onEvent;
  const CancelToken* cancel = nullptr;

  void operator()(double fraction, const std::string& what) const {
    if (report) report(fraction, what);
    if (onEvent) {
      ProgressEvent e;
      e.fraction = fraction;
      e.what = what;
      onEvent(e);
    }
  }
  void operator()(const ProgressEvent& event) const {
    if (report) report(event.fraction, event.what);
    if (onEvent) onEvent(event);
  }
  bool cancelled() const { return cancel && cancel->cancelled(); }

  // A step of a larger job: fractions mapped into [lo, hi], cancel forwarded. Refers to *this,
  // which must outlive the returned object.
  Progress sub(double lo, double hi) const {
    Progress s;
    s.cancel = cancel;
    if (report || onEvent)
      s.onEvent = [this, lo, hi](const ProgressEvent& e) {
        ProgressEvent m = e;
        m.fraction = lo + (hi - lo) * e.fraction;
        (*this)(m);
      };
    return s;
  }
};

} // namespace gs
