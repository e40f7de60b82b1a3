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
    {"", "Clip", createClip, supportsClip, kFI, ""},
    // Binary with broadcasting (binary.cpp, variadic.cpp)
    {"", "Add", createBinary, supportsBinary, kFI, ""},
    {"", "Sub", createBinary, supportsBinary, kFI, ""},
    {"", "Mul", createBinary, supportsBinary, kFI, ""},
    {"", "Div", createBinary, supportsBinary, kFI, ""},
    {"", "Mod", createBinary, supportsBinary, kFI, ""},
    {"", "Pow", createBinary, supportsBinary, kFI, "exponent float32,int32,int64"},
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
    {"", "Sum", createVariadic, supportsVariadic, kFI, ""},
    {"", "Mean", createVariadic, supportsVariadic, kF, ""},
    {"", "Max", createVariadic, supportsVariadic, kFI, ""},
    {"", "Min", createVariadic, supportsVariadic, kFI, ""},
    {"", "Where", createWhere, supportsWhere, kLogic, "X, Y any fixed-size type"},
    // Reductions and scans (reduce.cpp, scan.cpp)
    {"", "ReduceSum", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceMean", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceMax", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceMin", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceProd", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceL1", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceL2", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceLogSum", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceLogSumExp", createReduce, supportsReduce, kFI, ""},
    {"", "ReduceSumSquare", createReduce, supportsReduce, kFI, ""},
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
