// One test binary for the neural-network kernels: runs each family's Qt Test class in turn.
#include <QtTest>

int runConvTests(int argc, char** argv);
int runMatMulPoolTests(int argc, char** argv);
int runNormSoftmaxTests(int argc, char** argv);
int runRnnTests(int argc, char** argv);
int runResizeEinsumTests(int argc, char** argv);
int runPerfPathTests(int argc, char** argv);
int runQuantTests(int argc, char** argv);

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  int failures = 0;
  failures += runConvTests(argc, argv);
  failures += runMatMulPoolTests(argc, argv);
  failures += runNormSoftmaxTests(argc, argv);
  failures += runRnnTests(argc, argv);
  failures += runResizeEinsumTests(argc, argv);
  failures += runPerfPathTests(argc, argv);
  failures += runQuantTests(argc, argv);
  return failures;
}
