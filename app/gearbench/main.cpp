// gearbench: GearStudio's runtime benchmark and conformance tool. Argument wiring only; see bench_cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "app/gearbench/bench_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return gs::gearbench::run(args, std::cout, std::cerr);
}
