// Profiling every gear of a compiled model through gs::runtime::Session: warm-up, measured runs
// with every latency kept, statistics, throughput, memory and per-operator times. Cancellable between
// runs; a cancelled profile returns what finished, flagged `cancelled`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/progress.h"
#include "core/common/status.h"
#include "core/om/model.h"
#include "core/profile/profile_types.h"
#include "core/runtime/session.h"

namespace gs::profile {

// Every gear of `model` (a dynamic-shape model: request.dynamicShapes, else the upper end of each
// range). The model must outlive the call. Errors: the runtime's (unknown device, a run failing).
Expected<ProfileReport> profileAllGears(const om::Model& model, const ProfileRequest& request,
                                        const Progress& progress = {});

// request.modelPath: an .om is read, an .onnx compiled with request.atc; then profileAllGears.
Expected<ProfileReport> profileFile(const ProfileRequest& request, const Progress& progress = {});

// One gear (or, with gear == -1, the dynamic plan at `inputs`' shapes) on an open session: first run,
// warm-up, loops. Progress fractions are mapped into [fracLo, fracHi]. Returns with `cancelled` set
// (and the samples so far) when progress.cancelled() turns true between runs.
struct GearRun {
  GearProfile profile;
  bool cancelled = false;
};
Expected<GearRun> measureGear(runtime::Session& session, int gear, const std::vector<om::TensorDesc>& inputs,
                              const ProfileRequest& request, const Progress& progress, double fracLo = 0,
                              double fracHi = 1);

// Short labels of a model's gears, naming only what varies between them: "batch 4", "48x192",
// "dims 1,128"; a single gear (or a dynamic run) is labelled with its input shapes.
std::vector<std::string> gearLabels(const om::Model& model);
// "x:1,3,48,192; y:1"
std::string shapesText(const std::vector<om::TensorDesc>& inputs);

// Linux: resets the process's peak RSS counter (VmHWM) so the next reading covers only what follows.
// False when the kernel does not allow it (the peak then covers the whole process lifetime).
bool resetPeakResident();

} // namespace gs::profile
