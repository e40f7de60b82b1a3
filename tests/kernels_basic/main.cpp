// One test binary for the basic CPU kernels: runs each family's Qt Test class in turn.
#include <QCoreApplication>

int runElementwiseTests(int argc, char** argv);
int runReduceTests(int argc, char** argv);
int runShapeTests(int argc, char** argv);
int runIndexTests(int argc, char** argv);
int runLossTests(int argc, char** argv);
int runTailTests(int argc, char** argv);
int runHalfTests(int argc, char** argv);

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  int failures = 0;
  failures += runElementwiseTests(argc, argv);
  failures += runReduceTests(argc, argv);
  failures += runShapeTests(argc, argv);
  failures += runIndexTests(argc, argv);
  failures += runLossTests(argc, argv);
  failures += runTailTests(argc, argv);
  failures += runHalfTests(argc, argv);
  return failures;
}
