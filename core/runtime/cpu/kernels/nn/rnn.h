// The recurrent family: LSTM (peepholes, input_forget), GRU (linear_before_reset) and RNN; forward, reverse and
// bidirectional; sequence_lens, initial states, custom activations, clip, layout.
#pragma once

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::nn {

Expected<std::unique_ptr<Kernel>> createLstm(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createGru(const CreateContext& ctx);
Expected<std::unique_ptr<Kernel>> createRnn(const CreateContext& ctx);
bool supportsRnn(const ir::Node& node, std::span<const ir::DataType> inputTypes);

} // namespace gs::runtime::cpu::nn
