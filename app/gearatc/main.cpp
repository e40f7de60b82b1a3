// gearatc: GearStudio's ATC-compatible model compiler. Argument wiring only; see atc_cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "app/gearatc/atc_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return gs::gearatc::run(args, std::cout, std::cerr);
}
