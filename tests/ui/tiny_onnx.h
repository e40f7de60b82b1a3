// A tiny ONNX model written in code for the studio tests: x [N,3,8,8] -> Conv(4 filters, 3x3, pad 1)
// -> Relu -> y [N,4,8,8], with a symbolic batch N.
#pragma once

#include <QString>

namespace gs::test {

// Writes the model to `path`; false on an I/O error.
bool writeTinyConvModel(const QString& path);

} // namespace gs::test
