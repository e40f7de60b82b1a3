// A generated model graph for the layout benchmark: a chain of Conv / Relu / BatchNormalization / Add
// nodes where every Add also reads a value a few nodes back (skip connections, as in ResNets), and
// every 50th node a Concat reaching further back. Weights share one buffer, so 10,000 nodes are cheap.
#pragma once

#include "core/ir/graph.h"

namespace gs::bench {

ir::Graph makeChainWithSkips(int nodeCount);

} // namespace gs::bench
