// gearbench's --check (conformance) and --list-ops modes.
#pragma once

#include <ostream>

#include "app/gearbench/bench_options.h"

namespace gs::gearbench {

int runCheck(const BenchOptions& o, std::ostream& out, std::ostream& err);
int runListOps(const BenchOptions& o, std::ostream& out, std::ostream& err);

// A one-line progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void update(std::size_t done, std::size_t total);

private:
  std::string m_label;
  bool m_tty = false;
  bool m_drawn = false;
  double m_lastDraw = -1;
};

} // namespace gs::gearbench
