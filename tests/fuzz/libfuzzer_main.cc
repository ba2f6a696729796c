// The libFuzzer entry point of one target, chosen at compile time (-DSYNCLINE_FUZZ_TARGET=...).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return syncline::fuzz::SYNCLINE_FUZZ_TARGET(data, size);
}
