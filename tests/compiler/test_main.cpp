// One test binary for the compiler module: passes, memory planner, whole-model compiles.
#include <QtTest>

#include <memory>

std::unique_ptr<QObject> makePassTests();
std::unique_ptr<QObject> makeReducePowTests();
std::unique_ptr<QObject> makeMemoryTests();
std::unique_ptr<QObject> makeCompileModelTests();
std::unique_ptr<QObject> makeHalfPassTests();
std::unique_ptr<QObject> makePrecisionPolicyTests();

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  int status = 0;
  for (auto make : {makePassTests, makeReducePowTests, makeMemoryTests, makeCompileModelTests, makeHalfPassTests,
                    makePrecisionPolicyTests}) {
    auto tests = make();
    status |= QTest::qExec(tests.get(), argc, argv);
  }
  return status;
}
