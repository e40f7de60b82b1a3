// The explicit table of basic CPU kernels: (domain, op type) -> factory, dtype check and the dtype
// coverage shown by `gearbench --list-ops`. One factory serves each family (see kernels.h).
#include <array>

#include "core/runtime/cpu/kernels/basic/kernels.h"
#include "core/runtime/cpu/kernels/basic/loss.h"
#include "core/runtime/cpu/kernels/registry.h"

namespace gs::runtime::cpu {
namespace {

using namespace basic;

constexpr std::string_view kF = "float32";
constexpr std::string_view kFI = "float32,int32,int64";
constexpr std::string_view kLogic = "bool";
constexpr std::string_view kCompare = "float32,int32,int64 -> bool";
constexpr std::string_view kEqual = "float32,int32,int64,bool -> bool";
constexpr std::string_view kAny = "all fixed-size types (1/2/4/8-byte elements)";
constexpr std::string_view kIndexed = "all fixed-size types; int32/int64 indices";

#define UNARY(op, dt)                                                                                                  \
  KernelEntry { "", op, createUnary, supportsUnary, dt }

const KernelEntry kTable[] = {
    // Elementwise unary (unary.cpp, clip.cpp)
    UNARY("Abs", kFI),
    UNARY("Neg", kFI),
    UNARY("Sign", kFI),
    UNARY("Relu", kFI),
    UNARY("Exp", kF),
    UNARY("Log", kF),
    UNARY("Sqrt", kF),
    UNARY("Reciprocal", kF),
    UNARY("Floor", kF),
    UNARY("Ceil", kF),
    UNARY("Round", kF),
    UNARY("Sigmoid", kF),
    UNARY("Tanh", kF),
    UNARY("Erf", kF),
    UNARY("Sin", kF),
    UNARY("Cos", kF),
    UNARY("Tan", kF),
    UNARY("Asin", kF),
    UNARY("Acos", kF),
    UNARY("Atan", kF),
    UNARY("Sinh", kF),
    UNARY("Cosh", kF),
    UNARY("Asinh", kF),
    UNARY("Acosh", kF),
    UNARY("Atanh", kF),
    UNARY("Softplus", kF),
    UNARY("Softsign", kF),
    UNARY("Elu", kF),
    UNARY("Selu", kF),
    UNARY("Celu", kF),
    UNARY("LeakyRelu", kF),
    UNARY("ThresholdedRelu", kF),
    UNARY("HardSigmoid", kF),
    UNARY("HardSwish", kF),
    UNARY("Mish", kF),
    UNARY("Shrink", kF),
    UNARY("IsNaN", "float32 -> bool"),
    UNARY("IsInf", "float32 -> bool"),
    UNARY("Not", kLogic),
    {"", "Clip", createClip, supportsClip, kFI},
    // Binary with broadcasting (binary.cpp, variadic.cpp)
    {"", "Add", createBinary, supportsBinary, kFI},
    {"", "Sub", createBinary, supportsBinary, kFI},
    {"", "Mul", createBinary, supportsBinary, kFI},
    {"", "Div", createBinary, supportsBinary, kFI},
    {"", "Mod", createBinary, supportsBinary, kFI},
    {"", "Pow", createBinary, supportsBinary, "float32,int32,int64 base; float32,int32,int64 exponent"},
    {"", "PRelu", createBinary, supportsBinary, kFI},
    {"", "Equal", createBinary, supportsBinary, kEqual},
    {"", "Less", createBinary, supportsBinary, kCompare},
    {"", "Greater", createBinary, supportsBinary, kCompare},
    {"", "LessOrEqual", createBinary, supportsBinary, kCompare},
    {"", "GreaterOrEqual", createBinary, supportsBinary, kCompare},
    {"", "And", createBinary, supportsBinary, kLogic},
    {"", "Or", createBinary, supportsBinary, kLogic},
    {"", "Xor", createBinary, supportsBinary, kLogic},
    {"", "BitShift", createBinary, supportsBinary, "uint8,uint16,uint32,uint64"},
    {"", "Sum", createVariadic, supportsVariadic, kFI},
    {"", "Mean", createVariadic, supportsVariadic, kF},
    {"", "Max", createVariadic, supportsVariadic, kFI},
    {"", "Min", createVariadic, supportsVariadic, kFI},
    {"", "Where", createWhere, supportsWhere, "bool condition; all fixed-size types"},
    // Reductions and scans (reduce.cpp, scan.cpp)
    {"", "ReduceSum", createReduce, supportsReduce, kFI},
    {"", "ReduceMean", createReduce, supportsReduce, kFI},
    {"", "ReduceMax", createReduce, supportsReduce, kFI},
    {"", "ReduceMin", createReduce, supportsReduce, kFI},
    {"", "ReduceProd", createReduce, supportsReduce, kFI},
    {"", "ReduceL1", createReduce, supportsReduce, kFI},
    {"", "ReduceL2", createReduce, supportsReduce, kFI},
    {"", "ReduceLogSum", createReduce, supportsReduce, kFI},
    {"", "ReduceLogSumExp", createReduce, supportsReduce, kFI},
    {"", "ReduceSumSquare", createReduce, supportsReduce, kFI},
    {"", "ArgMax", createArgReduce, supportsArgReduce, "float32,int32,int64 -> int64"},
    {"", "ArgMin", createArgReduce, supportsArgReduce, "float32,int32,int64 -> int64"},
    {"", "CumSum", createCumSum, supportsCumSum, "float32,float64,int32,int64"},
    // Shape and data movement (reshape.cpp, transpose.cpp, concat_split.cpp, slice_pad.cpp, expand_tile.cpp)
    {"", "Reshape", createReshapeLike, supportsReshapeLike, kAny},
    {"", "Flatten", createReshapeLike, supportsReshapeLike, kAny},
    {"", "Squeeze", createReshapeLike, supportsReshapeLike, kAny},
    {"", "Unsqueeze", createReshapeLike, supportsReshapeLike, kAny},
    {"", "Identity", createReshapeLike, supportsReshapeLike, kAny},
    {"", "Dropout", createDropout, supportsDropout, kAny},
    {"", "Shape", createShapeOf, supportsShapeOf, "all types -> int64"},
    {"", "Size", createShapeOf, supportsShapeOf, "all types -> int64"},
    {"", "Transpose", createTranspose, supportsTranspose, kAny},
    {"", "DepthToSpace", createTranspose, supportsTranspose, kAny},
    {"", "SpaceToDepth", createTranspose, supportsTranspose, kAny},
    {"", "Concat", createConcat, supportsConcat, kAny},
    {"", "Split", createSplit, supportsSplit, kAny},
    {"", "Slice", createSlice, supportsSlice, kAny},
    {"", "Pad", createPad, supportsPad, kAny},
    {"", "Expand", createExpand, supportsExpand, kAny},
    {"", "Tile", createTile, supportsTile, kAny},
    // Indexing (gather.cpp, scatter.cpp)
    {"", "Gather", createGather, supportsGather, kIndexed},
    {"", "GatherElements", createGather, supportsGather, kIndexed},
    {"", "GatherND", createGather, supportsGather, kIndexed},
    {"", "ScatterElements", createScatter, supportsScatter,
     "all fixed-size types; add/mul/max/min: float32,float64,int32,int64"},
    {"", "Scatter", createScatter, supportsScatter, kIndexed},
    {"", "ScatterND", createScatter, supportsScatter,
     "all fixed-size types; add/mul/max/min: float32,float64,int32,int64"},
    // Generators and types (generate.cpp, cast.cpp)
    {"", "ConstantOfShape", createGenerate, supportsGenerate, "int64 shape -> all fixed-size types"},
    {"", "Range", createGenerate, supportsGenerate, "float32,float64,int16,int32,int64"},
    {"", "EyeLike", createGenerate, supportsGenerate, "float32,float64,int8..int64,uint8..uint64,bool"},
    {"", "OneHot", createGenerate, supportsGenerate, "int/float indices; all fixed-size values"},
    {"", "Trilu", createTrilu, supportsTrilu, kAny},
    {"", "Cast", createCast, supportsCast, "float32,float64,float16,bfloat16,int8..int64,uint8..uint64,bool"},
    {"", "CastLike", createCast, supportsCast, "float32,float64,float16,bfloat16,int8..int64,uint8..uint64,bool"},
    // Selection (select.cpp)
    {"", "TopK", createTopK, supportsTopK, "float32,float64,int32,int64 (+int64 indices)"},
    {"", "NonZero", createNonZero, supportsNonZero, "numeric,bool -> int64"},
    {"", "Compress", createCompress, supportsCompress, kAny},
    {"", "ReverseSequence", createReverseSequence, supportsReverseSequence, kAny},
    // Losses (loss.cpp)
    {"", "NegativeLogLikelihoodLoss", createLoss, supportsLoss, "float32,float64; int32,int64 targets"},
    {"", "SoftmaxCrossEntropyLoss", createLoss, supportsLoss, "float32,float64; int32,int64 targets"},
};

#undef UNARY

} // namespace

std::span<const KernelEntry> basicKernels() { return kTable; }

} // namespace gs::runtime::cpu
