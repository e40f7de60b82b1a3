// gearatc --help: every option with one line, and one example per shape strategy.
#include "app/gearatc/atc_cli.h"

namespace gs::gearatc {

std::string helpText() {
  return R"(gearatc - GearStudio's ATC-compatible model compiler (ONNX -> .om)

Usage: gearatc --model=MODEL.onnx --framework=5 --output=NAME [options]
       gearatc --mode=1 --om=MODEL.om --json=OUT.json
       gearatc --mode=6 --om=MODEL.om

Options:
  --model=PATH               source model (ONNX)
  --framework=N              source framework; 5 = ONNX (the only one supported)
  --output=PATH              output model path without suffix; ".om" is appended
  --soc_version=NAME         target chip recorded in the model (Ascend310P3, Ascend910B2, ...)
  --input_shape="in:n,c,h,w;in2:..."
                             input dims; -1 marks a gear dim (with a gear option) or a dynamic dim;
                             lo~hi is a range (dynamic shape); "name:" is a scalar
  --input_format=FMT         NCHW (default), ND or NCDHW (5-D inputs); one format for all inputs
  --dynamic_batch_size="1,2,4"          gears for the -1 at dim 0
  --dynamic_image_size="h1,w1;h2,w2"    gears for the two -1 at H and W
  --dynamic_dims="d1,d2;d3,d4"          gears: one value per -1, in --input_shape order
  --input_shape_range="in:[1~8,3,-1,-1]" deprecated range form (dynamic shape)
  --out_nodes="node:0;tensor"           which tensors become the model outputs
  --precision_mode=MODE      force_fp32, force_fp16, allow_fp32_to_fp16 (matrix ops in float16),
                             must_keep_origin_dtype (the default here), allow_mix_precision (float16 except
                             the precision-sensitive ops of docs/precision.md); bf16 [GearStudio extension]:
                             as force_fp16 with bfloat16
  --keep_dtype=FILE          nodes kept in their original dtype: one ONNX node name per line, or
                             OpType::TYPE for every node of an op type (ignored under must_keep_origin_dtype)
  --quantize=int8            [GearStudio extension] int8 QDQ model calibrated on --calibration=DIR
  --calibration=DIR          [GearStudio extension] one subfolder per sample with NAME.npy per input, or images
  --calibration_method=M     [GearStudio extension] minmax (default), percentile or entropy
  --calibration_mean=m1,m2,m3 --calibration_scale=s1,s2,s3
                             [GearStudio extension] image preprocessing: x = (pixel - mean) * scale
  --log=LEVEL                debug, info, warning, error or null (default: error)
  --mode=N                   0 build (default); 1 convert .onnx (--model) or .om (--om) to JSON (--json);
                             3 check only: validate and compile without writing, result in check_result.json
                               (next to --output when given, else in the current folder);
                             6 print information about an .om (--om)
  --om=PATH                  .om input for --mode=1 and --mode=6
  --json=PATH                JSON output for --mode=1
  --print-pipeline           print the compiler's pass pipelines (and which the target skips, and why) and exit
  --target=DEVICE            the device the model is compiled for (default cpu); fusion passes whose ops the
                             device has no kernel for are skipped (see --print-pipeline)
  --dynamic_fallback         with gears: also store a dynamic-shape graph in the .om for inputs outside
                             every gear (gearbench --dispatch=pad-or-dynamic); GearStudio's own flag
  --help, -h                 print this help and exit

Examples, one per shape strategy:
  static shape (one plan, fastest):
    gearatc --model=det.onnx --framework=5 --output=det --soc_version=Ascend310P3 \
            --input_shape="x:1,3,640,640"
  dynamic batch (one static plan per batch gear):
    gearatc --model=rec.onnx --framework=5 --output=rec --input_shape="x:-1,3,48,320" \
            --dynamic_batch_size="1,4,8,16"
  dynamic image size (one static plan per H,W gear):
    gearatc --model=det.onnx --framework=5 --output=det --input_shape="x:1,3,-1,-1" \
            --dynamic_image_size="640,640;960,960;1280,1280"
  dynamic dims (gears for arbitrary -1 dims):
    gearatc --model=rec.onnx --framework=5 --output=rec --input_format=ND \
            --input_shape="x:1,3,48,-1" --dynamic_dims="320;640;960"
  dynamic shape (symbolic, ranges; no gears):
    gearatc --model=det.onnx --framework=5 --output=det --input_shape="x:1,3,32~2048,32~2048"

Options marked [GearStudio extension] are not taken by real atc. The precision each op runs in is
recorded per gear in the .om (--mode=1 JSON: "precision" per node and per gear; --mode=6: a summary).

Errors print "E<code>: message" (ATC's codes, or GS000x) and exit with status 1.
)";
}

} // namespace gs::gearatc
