// Reading and writing GearStudio's .om files (layout: docs/om-format.md).
//
// The writer stores each distinct constant once (gears that share weights cost what one gear costs)
// and replaces the target atomically. The reader trusts nothing in the file: every size, offset,
// count, id and checksum is checked before use, and the result passes validate() and ir::verify().
// Constants of every gear (and of the dynamic graph) of a model read from a file point into one
// memory-mapped WEIGHTS section: no weight is copied.
#pragma once

#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/ir/tensor.h"
#include "core/om/model.h"
#include "core/om/validate.h"

namespace gs::om {

// The file's bytes. Errors: codes::kInvalid when the model breaks a rule of validate().
Expected<std::string> serialize(const Model& model);

// Writes to a temporary file in the target's folder, fsyncs it and renames it over `path`; on any
// failure the old file (if any) is untouched and the temporary file is removed. Errors:
// codes::kInvalid (model), codes::kIo (file system; names the path and the reason).
Status writeFile(const Model& model, const std::string& path);

// Builds a model whose constants point into `bytes` (shared, never copied). Errors: codes::kFormat
// naming what is wrong (bad magic, newer major version, truncation, checksum of which section,
// which gear/value/node is inconsistent).
Expected<Model> deserialize(std::shared_ptr<const ir::Buffer> bytes);

// The model as a file would hold it, read back from memory: each constant stored once, 64-byte
// aligned (ir::AlignedBuffer). Every in-process build runs this, so that what runs in the process is
// what runs from the written .om (constants left where the importer put them ran measurably slower).
Expected<Model> asFileImage(const Model& model);

// Maps the file read-only and deserializes it. The map lives as long as any constant of the model.
// Errors: codes::kIo when the file cannot be opened, else as deserialize(), prefixed with the path.
Expected<Model> readFile(const std::string& path);

} // namespace gs::om
