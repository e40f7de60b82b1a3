// gearbench's command line: benchmark, --check (conformance) and --list-ops modes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"

namespace gs::gearbench {

struct BenchOptions {
  std::string model;            // .om, or .onnx compiled on the fly with `atc`
  shape_config::AtcOptions atc; // gearatc's shape options, passed through for .onnx
  std::string gear;             // "" (largest), "all", an index, or "name:dims;name:dims"
  int loop = 100;
  int warmup = 5;
  int threads = 0;
  std::string device = "cpu";
  std::string inputDir;
  std::string outputDir;
  std::string jsonPath;
  bool profile = false;
  bool listOps = false;
  bool help = false;
  uint32_t seed = 1234;
  uint64_t maxMemoryMiB = 0; // --max-memory: load limit for arena + weights; 0 = physical memory
  // --check
  std::string checkDir;
  int jobs = 1;
  double timeoutSeconds = 20;
  std::optional<double> minPassPercent;
  std::string expectPassPath; // --expect-pass: cases that must pass (one name a line)
  std::string writePassPath;  // --write-pass-list: writes the names of the cases that passed
};

// Errors (codes::kInvalid) name the option at fault; a usage error exits with status 2.
Expected<BenchOptions> parseArgs(std::span<const std::string> args);
std::string helpText();

} // namespace gs::gearbench
