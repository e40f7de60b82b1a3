// Profiling every gear of a compiled model through gs::runtime::Session with the measurement method
// of measurement.h: each gear warmed up until stable, then all gears measured interleaved; per gear
// every latency kept, statistics with a confidence interval of the median, throughput, memory and
// per-operator times; the contention check for the whole profile. Cancellable between runs; a
// cancelled profile is flagged `cancelled` and holds no gears.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/om/model.h"
#include "core/profile/measurement.h"
#include "core/profile/profile_types.h"
#include "core/runtime/session.h"

namespace gs::profile {

// Every gear of `model` (a dynamic-shape model: request.dynamicShapes, else the upper end of each
// range). The model must outlive the call. Errors: the runtime's (unknown device, a run failing).
Expected<ProfileReport> profileAllGears(const om::Model& model, const ProfileRequest& request,
                                        const Progress& progress = {});

// request.modelPath: an .om is read, an .onnx compiled with request.atc; then profileAllGears.
Expected<ProfileReport> profileFile(const ProfileRequest& request, const Progress& progress = {});

// A measurement slot for `gear` of `session` (gear == -1: the dynamic plan at `inputs`' shapes) with
// random inputs from `seed`.
MeasureSlot makeSlot(runtime::Session& session, int gear, const std::vector<om::TensorDesc>& inputs, uint32_t seed,
                     std::string name);

// The measurement method's options for a profile request.
MeasureOptions measureOptions(const ProfileRequest& request);

// A gear's figures from its measurement: statistics, throughput (from the median), memory, operators.
// `rssBefore`: the resident set before the session was created (0: unknown).
GearProfile gearProfile(const SlotResult& measured, const runtime::Session& session, int gear,
                        const std::vector<om::TensorDesc>& inputs, const ProfileRequest& request,
                        uint64_t rssBefore = 0);

// Short labels of a model's gears, naming only what varies between them: "batch 4", "48x192",
// "dims 1,128"; a single gear (or a dynamic run) is labelled with its input shapes.
std::vector<std::string> gearLabels(const om::Model& model);
// "x:1,3,48,192; y:1"
std::string shapesText(const std::vector<om::TensorDesc>& inputs);

} // namespace gs::profile
