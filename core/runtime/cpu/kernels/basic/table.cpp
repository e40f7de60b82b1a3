// The explicit table of basic CPU kernels: (domain, op type) -> factory, further check, the dtypes of
// input 0 and the other inputs' types (both shown by `gearbench --list-ops`). One factory serves each
// family (see kernels.h).
#include <array>

#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/loss.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::runtime::cpu {
namespace {

using namespace basic;

using ir::DataType;
using ir::DtypeSet;
constexpr DtypeSet kF{DataType::Float32};
constexpr DtypeSet kFI{DataType::Float32, DataType::Int32, DataType::Int64};
constexpr DtypeSet kLogic{DataType::Bool};
constexpr DtypeSet kUnsigned{DataType::UInt8, DataType::UInt16, DataType::UInt32, DataType::UInt64};
constexpr DtypeSet kNumeric{DataType::Float32, DataType::Float64, DataType::Int8,   DataType::Int16,  DataType::Int32,
                            DataType::Int64,   DataType::UInt8,   DataType::UInt16, DataType::UInt32, DataType::UInt64};
constexpr DtypeSet kCastable = kNumeric | DtypeSet{DataType::Bool, DataType::Float16, DataType::BFloat16};
// Every fixed-size type (1/2/4/8-byte elements): what data movement copies.
constexpr DtypeSet kAny = DtypeSet::where(ir::isFixedSize);
constexpr DtypeSet kAll = DtypeSet::where([](DataType t) { return t != DataType::Undefined; });
constexpr DtypeSet kInts = DtypeSet::where(ir::isInteger);
constexpr DtypeSet kFloats{DataType::Float32, DataType::Float64};
constexpr std::string_view kWindowNote = "output float32,float64";
constexpr std::string_view kToBool = "output bool";
constexpr std::string_view kIndices = "indices int32,int64";

#define UNARY(op, dt, note)                                                                                            \
  KernelEntry { "", op, createUnary, supportsUnary, dt, note }

const KernelEntry kTable[] = {
    // Elementwise unary (unary.cpp, clip.cpp)
    UNARY("Abs", kFI, ""),
    UNARY("Neg", kFI, ""),
    UNARY("Sign", kFI, ""),
    UNARY("Relu", kFI, ""),
    UNARY("Exp", kF, ""),
    UNARY("Log", kF, ""),
    UNARY("Sqrt", kF, ""),
    UNARY("Reciprocal", kF, ""),
    UNARY("Floor", kF, ""),
    UNARY("Ceil", kF, ""),
    UNARY("Round", kF, ""),
    UNARY("Sigmoid", kF, ""),
    UNARY("Tanh", kF, ""),
    UNARY("Erf", kF, ""),
    UNARY("Sin", kF, ""),
    UNARY("Cos", kF, ""),
    UNARY("Tan", kF, ""),
    UNARY("Asin", kF, ""),
    UNARY("Acos", kF, ""),
    UNARY("Atan", kF, ""),
    UNARY("Sinh", kF, ""),
    UNARY("Cosh", kF, ""),
    UNARY("Asinh", kF, ""),
    UNARY("Acosh", kF, ""),
    UNARY("Atanh", kF, ""),
    UNARY("Softplus", kF, ""),
    UNARY("Softsign", kF, ""),
    UNARY("Elu", kF, ""),
    UNARY("Selu", kF, ""),
    UNARY("Celu", kF, ""),
    UNARY("LeakyRelu", kF, ""),
    UNARY("ThresholdedRelu", kF, ""),
    UNARY("HardSigmoid", kF, ""),
    UNARY("HardSwish", kF, ""),
    UNARY("Mish", kF, ""),
    UNARY("Shrink", kF, ""),
    UNARY("IsNaN", kF, kToBool),
    UNARY("IsInf", kF, kToBool),
    UNARY("Not", kLogic, ""),
    {"", "Clip", createClip, supportsClip, kNumeric, ""},
    // Binary with broadcasting (binary.cpp, variadic.cpp)
    {"", "Add", createBinary, supportsBinary, kNumeric, ""},
    {"", "Sub", createBinary, supportsBinary, kNumeric, ""},
    {"", "Mul", createBinary, supportsBinary, kNumeric, ""},
    {"", "Div", createBinary, supportsBinary, kNumeric, ""},
    {"", "Mod", createBinary, supportsBinary, kNumeric, ""},
    {"", "Pow", createBinary, supportsBinary, kFI | DtypeSet{DataType::Float64},
     "exponent float32,float64,int32,int64,uint32,uint64"},
    {"", "PRelu", createBinary, supportsBinary, kFI, ""},
    {"", "Equal", createBinary, supportsBinary, kFI | kLogic, kToBool},
    {"", "Less", createBinary, supportsBinary, kFI, kToBool},
    {"", "Greater", createBinary, supportsBinary, kFI, kToBool},
    {"", "LessOrEqual", createBinary, supportsBinary, kFI, kToBool},
    {"", "GreaterOrEqual", createBinary, supportsBinary, kFI, kToBool},
    {"", "And", createBinary, supportsBinary, kLogic, ""},
    {"", "Or", createBinary, supportsBinary, kLogic, ""},
    {"", "Xor", createBinary, supportsBinary, kLogic, ""},
    {"", "BitShift", createBinary, supportsBinary, kUnsigned, ""},
    {"", "Sum", createVariadic, supportsVariadic, kNumeric, ""},
    {"", "Mean", createVariadic, supportsVariadic, kF | DtypeSet{DataType::Float64}, ""},
    {"", "Max", createVariadic, supportsVariadic, kNumeric, ""},
    {"", "Min", createVariadic, supportsVariadic, kNumeric, ""},
    {"", "Where", createWhere, supportsWhere, kLogic, "X, Y any fixed-size type"},
    // Reductions and scans (reduce.cpp, scan.cpp)
    {"", "ReduceSum", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceMean", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceMax", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceMin", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceProd", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceL1", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceL2", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceLogSum", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceLogSumExp", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ReduceSumSquare", createReduce, supportsReduce, kFI | DtypeSet{DataType::Float64}, ""},
    {"", "ArgMax", createArgReduce, supportsArgReduce, kFI, "output int64"},
    {"", "ArgMin", createArgReduce, supportsArgReduce, kFI, "output int64"},
    {"", "CumSum", createCumSum, supportsCumSum,
     DtypeSet{DataType::Float32, DataType::Float64, DataType::Int32, DataType::Int64}, ""},
    // Shape and data movement (reshape.cpp, transpose.cpp, concat_split.cpp, slice_pad.cpp, expand_tile.cpp)
    {"", "Reshape", createReshapeLike, supportsReshapeLike, kAny, ""},
    {"", "Flatten", createReshapeLike, supportsReshapeLike, kAny, ""},
    {"", "Squeeze", createReshapeLike, supportsReshapeLike, kAny, ""},
    {"", "Unsqueeze", createReshapeLike, supportsReshapeLike, kAny, ""},
    {"", "Identity", createReshapeLike, supportsReshapeLike, kAny, ""},
    {"", "Dropout", createDropout, supportsDropout, kAny, ""},
    {"", "Shape", createShapeOf, supportsShapeOf, kAll, "output int64"},
    {"", "Size", createShapeOf, supportsShapeOf, kAll, "output int64"},
    {"", "Transpose", createTranspose, supportsTranspose, kAny, ""},
    {"", "DepthToSpace", createTranspose, supportsTranspose, kAny, ""},
    {"", "SpaceToDepth", createTranspose, supportsTranspose, kAny, ""},
    {"", "Concat", createConcat, supportsConcat, kAny, ""},
    {"", "Split", createSplit, supportsSplit, kAny, ""},
    {"", "Slice", createSlice, supportsSlice, kAny, ""},
    {"", "Pad", createPad, supportsPad, kAny, ""},
    {"", "Expand", createExpand, supportsExpand, kAny, ""},
    {"", "Tile", createTile, supportsTile, kAny, ""},
    // Indexing (gather.cpp, scatter.cpp)
    {"", "Gather", createGather, supportsGather, kAny, kIndices},
    {"", "GatherElements", createGather, supportsGather, kAny, kIndices},
    {"", "GatherND", createGather, supportsGather, kAny, kIndices},
    {"", "ScatterElements", createScatter, supportsScatter, kAny,
     "indices int32,int64; reduction add/mul/max/min: float32,float64,int32,int64"},
    {"", "Scatter", createScatter, supportsScatter, kAny, kIndices},
    {"", "ScatterND", createScatter, supportsScatter, kAny,
     "indices int32,int64; reduction add/mul/max/min: float32,float64,int32,int64"},
    // Generators and types (generate.cpp, cast.cpp)
    {"", "ConstantOfShape", createGenerate, supportsGenerate, DtypeSet{DataType::Int32, DataType::Int64},
     "value any fixed-size type"},
    {"", "Range", createGenerate, supportsGenerate,
     DtypeSet{DataType::Float32, DataType::Float64, DataType::Int16, DataType::Int32, DataType::Int64}, ""},
    {"", "EyeLike", createGenerate, supportsGenerate, kAny, ""},
    {"", "OneHot", createGenerate, supportsGenerate,
     DtypeSet::where(ir::isInteger) | DtypeSet{DataType::Float32, DataType::Float64},
     "depth integer,float32,float64; values any fixed-size type"},
    {"", "Trilu", createTrilu, supportsTrilu, kAny, ""},
    {"", "Cast", createCast, supportsCast, kCastable, "to: the same types"},
    {"", "CastLike", createCast, supportsCast, kCastable, "to: the same types"},
    // Selection (select.cpp)
    {"", "TopK", createTopK, supportsTopK,
     DtypeSet{DataType::Float32, DataType::Float64, DataType::Int32, DataType::Int64}, "K int64"},
    {"", "NonZero", createNonZero, supportsNonZero, kNumeric | kLogic, "output int64"},
    {"", "Compress", createCompress, supportsCompress, kAny, "condition bool"},
    {"", "ReverseSequence", createReverseSequence, supportsReverseSequence, kAny, ""},
    {"", "NonMaxSuppression", createNms, supportsNms, kF,
     "scores float32; max_output_boxes_per_class int64; thresholds float32", 10},
    {"", "Unique", createUnique, supportsUnique, kNumeric | kLogic, "indices, inverse_indices, counts int64", 11},
    {"", "GridSample", createGridSample, supportsGridSample, kFloats, "grid as X", 16},
    {"", "RoiAlign", createRoiAlign, supportsRoiAlign, kFloats, "rois as X; batch_indices int32,int64", 10},
    {"", "MaxUnpool", createMaxUnpool, supportsMaxUnpool, kFloats, "I int64; output_shape int64", 9},
    {"", "Det", createLinalg, supportsLinalg, kFloats, "", 11},
    {"", "MeanVarianceNormalization", createLinalg, supportsLinalg, kFloats, "", 9},
    {"", "TfIdfVectorizer", createTfIdf, supportsTfIdf, DtypeSet{DataType::Int32, DataType::Int64}, "output float32",
     9},
    // Optimizers (optimizers.cpp): models importing only their domain have default-domain opset 0.
    {"ai.onnx.preview.training", "Adagrad", createOptimizer, supportsOptimizer, kFloats, "X, G, H float32,float64", 0},
    {"ai.onnx.preview.training", "Momentum", createOptimizer, supportsOptimizer, kFloats, "X, G, V float32,float64", 0},
    {"ai.onnx.preview.training", "Adam", createOptimizer, supportsOptimizer, kFloats, "X, G, V, H float32,float64", 0},
    // Signal processing (signal.cpp)
    {"", "HannWindow", createSignal, supportsSignal, kInts, kWindowNote, 17},
    {"", "HammingWindow", createSignal, supportsSignal, kInts, kWindowNote, 17},
    {"", "BlackmanWindow", createSignal, supportsSignal, kInts, kWindowNote, 17},
    {"", "MelWeightMatrix", createSignal, supportsSignal, kInts, "edges float32,float64; output float32,float64", 17},
    {"", "DFT", createSignal, supportsSignal, kFloats, "dft_length, axis int32,int64", 17},
    {"", "STFT", createSignal, supportsSignal, kFloats, "frame_step, frame_length int32,int64; window as signal", 17},
    // Losses (loss.cpp)
    {"", "NegativeLogLikelihoodLoss", createLoss, supportsLoss, DtypeSet{DataType::Float32, DataType::Float64},
     "target int32,int64"},
    {"", "SoftmaxCrossEntropyLoss", createLoss, supportsLoss, DtypeSet{DataType::Float32, DataType::Float64},
     "target int32,int64"},
};

#undef UNARY

} // namespace

std::span<const KernelEntry> basicKernels() { return kTable; }

} // namespace gs::runtime::cpu
