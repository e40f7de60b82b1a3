// Helpers shared by the shape_config test sources (one test binary, three test classes).
#pragma once

#include <QString>

#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/shape_config.h"

namespace shape_config_test {

inline QString q(const std::string& s) { return QString::fromStdString(s); }

inline QString errorText(const gs::Error& e) { return q(e.str()); }

// A pasted command line through parseCommandLine and fromOptions.
inline gs::Expected<gs::shape_config::ShapeConfig> configFromLine(const QString& line) {
  GS_ASSIGN_OR_RETURN(auto opts, gs::shape_config::parseCommandLine(line.toStdString()));
  return gs::shape_config::fromOptions(opts);
}

} // namespace shape_config_test
