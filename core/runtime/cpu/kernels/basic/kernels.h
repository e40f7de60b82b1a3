// Factories and dtype checks of the basic CPU kernels, one pair per family; table.cpp maps op types
// to them. A factory reads the node's op type and attributes, so one family serves several ops.
#pragma once

#include <memory>
#include <span>

#include "core/runtime/cpu/kernel.h"

namespace gs::runtime::cpu::basic {

#define GS_BASIC_FAMILY(name)                                                                                          \
  Expected<std::unique_ptr<Kernel>> create##name(const CreateContext& c);                                              \
  bool supports##name(const ir::Node& node, std::span<const ir::DataType> types);

GS_BASIC_FAMILY(Unary)           // unary.cpp: math functions, activations, IsNaN, IsInf, Not
GS_BASIC_FAMILY(Clip)            // clip.cpp
GS_BASIC_FAMILY(Binary)          // binary.cpp: arithmetic, comparisons, logic, BitShift, PRelu
GS_BASIC_FAMILY(Variadic)        // variadic.cpp: Sum Mean Max Min
GS_BASIC_FAMILY(Where)           // variadic.cpp
GS_BASIC_FAMILY(Reduce)          // reduce.cpp: Reduce*
GS_BASIC_FAMILY(ArgReduce)       // scan.cpp: ArgMax ArgMin
GS_BASIC_FAMILY(CumSum)          // scan.cpp
GS_BASIC_FAMILY(ReshapeLike)     // reshape.cpp: Reshape Flatten Squeeze Unsqueeze Identity
GS_BASIC_FAMILY(Dropout)         // reshape.cpp
GS_BASIC_FAMILY(ShapeOf)         // reshape.cpp: Shape Size
GS_BASIC_FAMILY(Transpose)       // transpose.cpp: Transpose DepthToSpace SpaceToDepth
GS_BASIC_FAMILY(Concat)          // concat_split.cpp
GS_BASIC_FAMILY(Split)           // concat_split.cpp
GS_BASIC_FAMILY(Slice)           // slice_pad.cpp
GS_BASIC_FAMILY(Pad)             // slice_pad.cpp
GS_BASIC_FAMILY(Expand)          // expand_tile.cpp
GS_BASIC_FAMILY(Tile)            // expand_tile.cpp
GS_BASIC_FAMILY(Gather)          // gather.cpp: Gather GatherElements GatherND
GS_BASIC_FAMILY(Scatter)         // scatter.cpp: ScatterElements (and Scatter) ScatterND
GS_BASIC_FAMILY(Generate)        // generate.cpp: ConstantOfShape Range EyeLike OneHot
GS_BASIC_FAMILY(Trilu)           // generate.cpp
GS_BASIC_FAMILY(Cast)            // cast.cpp: Cast CastLike
GS_BASIC_FAMILY(TopK)            // select.cpp
GS_BASIC_FAMILY(NonZero)         // select.cpp
GS_BASIC_FAMILY(Compress)        // select.cpp
GS_BASIC_FAMILY(ReverseSequence) // select.cpp
GS_BASIC_FAMILY(Nms)             // nms.cpp: NonMaxSuppression
GS_BASIC_FAMILY(Unique)          // unique.cpp
GS_BASIC_FAMILY(GridSample)      // grid_sample.cpp
GS_BASIC_FAMILY(RoiAlign)        // roi_align.cpp
GS_BASIC_FAMILY(MaxUnpool)       // max_unpool.cpp
GS_BASIC_FAMILY(Linalg)          // det.cpp: Det MeanVarianceNormalization
GS_BASIC_FAMILY(TfIdf)           // tfidf.cpp: TfIdfVectorizer
GS_BASIC_FAMILY(Optimizer)       // optimizers.cpp: Adagrad Momentum Adam (ai.onnx.preview.training)
GS_BASIC_FAMILY(Signal)          // signal.cpp: HannWindow HammingWindow BlackmanWindow DFT STFT MelWeightMatrix

#undef GS_BASIC_FAMILY

} // namespace gs::runtime::cpu::basic
