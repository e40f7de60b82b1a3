// Building and measuring the models gear planning needs: the ATC options of a gear set, the cost
// model calibrated by measuring a few candidate gears on the device, and the three strategies replayed
// on a trace (one static model at the largest shape, the multi-gear model with padding, the dynamic
// model with each request's own shape).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/ir/graph.h"
#include "core/om/model.h"
#include "core/traffic/planner.h"
#include "core/traffic/replay.h"
#include "core/traffic/trace.h"

namespace gs::traffic {

// An --input_shape with -1 at the gear dims ("x:1,3,48,-1").
struct GearSpec {
  std::vector<NamedShape> templ;
  std::vector<std::pair<std::size_t, std::size_t>> dynDims; // (input, dim) of each -1, in order
  std::string inputFormat = "NCHW";
};
Expected<GearSpec> parseGearSpec(const std::string& inputShape, const std::string& inputFormat = "NCHW");
// The template's dims with the -1s set to `values`.
std::vector<std::vector<int64_t>> fillDims(const GearSpec& spec, const std::vector<int64_t>& values);

// ATC options for the gears (one gear option kind): --dynamic_batch_size when the only -1 is dim 0,
// --dynamic_image_size when they are an NCHW/NHWC image's H and W, else --dynamic_dims.
shape_config::AtcOptions gearOptions(const GearSpec& spec, const std::vector<std::vector<int64_t>>& gears);
std::string gearOptionsText(const GearSpec& spec, const std::vector<std::vector<int64_t>>& gears);

// The cost model's size of a gear: the value for one dim, the product of the values for several.
double gearSize(const std::vector<int64_t>& values);

struct MeasureOptions {
  std::string device = "cpu";
  int threads = 0;
  int warmup = 2;
  int loops = 10;
  uint32_t seed = 1234;
};

struct Calibration {
  CostModel model;
  std::vector<std::vector<int64_t>> gears; // the measured gears
  std::vector<double> millis;              // mean per gear
  double compileMillis = 0;
};
// Compiles one multi-gear model with `points` as its gears (at least 2), measures each gear's mean
// latency and reads its arena size.
Expected<Calibration> calibrate(const ir::Model& model, const GearSpec& spec,
                                const std::vector<std::vector<int64_t>>& points, const MeasureOptions& options,
                                const Progress& progress = {});
// A few calibration points spread over the histogram (quantiles, the extremes included), at most n.
std::vector<int64_t> calibrationPoints(const Histogram& h, int n);

struct StrategyRun {
  std::string name; // "static-largest", "multi-gear", "dynamic"
  std::string description;
  double compileMillis = 0;
  std::string error; // the strategy could not be built or replayed
  ReplayReport report;
};
// Builds and replays the three strategies. gears: the multi-gear model's gears (values of the -1 dims).
Expected<std::vector<StrategyRun>> compareOnTrace(const ir::Model& model, const GearSpec& spec,
                                                  const std::vector<std::vector<int64_t>>& gears, const Trace& trace,
                                                  const MeasureOptions& measure, const ReplayOptions& replayOptions,
                                                  const Progress& progress = {});

// Compiles the gear model (with crop maps; optionally a dynamic fallback).
Expected<std::shared_ptr<const om::Model>> buildGearModel(const ir::Model& model, const GearSpec& spec,
                                                          const std::vector<std::vector<int64_t>>& gears,
                                                          bool dynamicFallback, const Progress& progress = {});

} // namespace gs::traffic
