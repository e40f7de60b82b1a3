// Reading .om files of an older format version. Format 1 (GearStudio before the ai.gearstudio ops)
// wrote fusions as private gs_* attributes on ONNX ops; upgradeFormat1Graph() rewrites such nodes
// into the ops of core/ir/gs_ops.h with the same meaning, and refuses what it cannot translate.
#pragma once

#include <string>

#include "core/common/status.h"
#include "core/ir/graph.h"

namespace gs::om {

// Translates every node of g (and of its subgraph bodies) that carries gs_* attributes:
//   Conv + gs_activation/gs_activation_params/gs_post_scale/gs_post_shift/gs_layout/gs_fused_add
//        -> ai.gearstudio.FusedConv (activation, activation_params, post_scale, post_shift, layout; the
//           residual, always input 3, becomes input Z)
//   ConvTranspose, Gemm, MatMul + gs_activation... -> FusedConvTranspose, FusedGemm, FusedMatMul
//   MaxPool/AveragePool/GlobalAveragePool/GlobalMaxPool + gs_layout = "NHWC" -> Nhwc* pools
// codes::kFormat naming `where`, the node and the attribute for anything else. Returns the number
// of nodes rewritten.
Expected<int> upgradeFormat1Graph(ir::Graph& g, const std::string& where);

// codes::kFormat when a node of g (or of a body) carries a gs_* attribute: a file of the current
// format never does (the compiler writes GearStudio ops instead).
Status checkNoPrivateAttributes(const ir::Graph& g, const std::string& where);

} // namespace gs::om
