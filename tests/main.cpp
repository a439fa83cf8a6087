// Catch2 main. Every test, and every cchcbot a test starts, shares one model cache in the build
// folder (unless the environment names another): the bundled knowledge base is trained once per
// build, not once per test.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
    ::setenv("CCHCBOT_KB_MODEL_CACHE", BOT_TEST_MODEL_CACHE, 0);
    return Catch::Session().run(argc, argv);
}
